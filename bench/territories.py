#!/usr/bin/env python
"""Territories: load time, commune search latency, tier + overlap of a large territory.

    .venv/bin/python bench/territories.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpts .venv/bin/python bench/territories.py

In a throwaway database (see _common.py): loads the whole of France, runs 1,000 realistic
searches (name starts typed in lower case, "St" abbreviations, full names, postal codes,
INSEE codes, autocomplete labels), then builds 1,000 territories of about 30 neighbouring
communes and one of 300 communes, and times the 300-commune territory's summary (population,
ACI tier, warnings) plus its overlaps. Goals: load < 30 s, search p95 < 20 ms,
tier + overlap < 20 ms.
"""

import sys

# bench/http.py would shadow the standard library's ``http`` package: this folder goes last.
sys.path.append(sys.path.pop(0))


import random
import sys
import time

from _common import describe_ms, percentile, setup_django, throwaway_database

SEARCHES = 1_000
TERRITORIES = 1_000
TERRITORY_SIZE = 30
LARGE_TERRITORY_SIZE = 300
GOALS_MS = {"search": 20.0, "tier + overlap": 20.0}


def realistic_queries(communes: list, count: int, rng: random.Random) -> list[str]:
    from territories.search import commune_label

    queries = []
    for commune in rng.sample(communes, count):
        kind = rng.randrange(6)
        name = commune.name
        if kind == 0:
            queries.append(name.lower()[: rng.randint(3, 8)])
        elif kind == 1:
            queries.append(name.replace("Saint-", "St ").replace("Sainte-", "Ste "))
        elif kind == 2:
            queries.append(name)
        elif kind == 3 and commune.postal_codes:
            queries.append(commune.postal_code_list[0])
        elif kind == 4:
            queries.append(commune.insee_code)
        else:
            queries.append(commune_label(commune))
    return queries


def build_territories(communes: list, rng: random.Random):
    """1,000 territories of neighbouring communes (same département), and a 300-commune one."""
    from territories.models import Territory

    by_departement: dict[int, list] = {}
    for commune in communes:
        by_departement.setdefault(commune.departement_id, []).append(commune)
    pools = [pool for pool in by_departement.values() if len(pool) >= LARGE_TERRITORY_SIZE]
    territories = Territory.objects.bulk_create(
        Territory(name=f"Territoire {number}") for number in range(TERRITORIES + 1)
    )
    links = []
    for territory in territories[:-1]:
        pool = rng.choice(pools)
        start = rng.randrange(len(pool) - TERRITORY_SIZE)
        links += [(territory.pk, c.pk) for c in pool[start : start + TERRITORY_SIZE]]
    large = territories[-1]
    pool = rng.choice(pools)
    links += [(large.pk, c.pk) for c in pool[:LARGE_TERRITORY_SIZE]]
    through = Territory.communes.through
    through.objects.bulk_create(
        through(territory_id=territory_id, commune_id=commune_id)
        for territory_id, commune_id in links
    )
    return large


def main() -> int:
    setup_django()
    from django.core.management import call_command

    from territories.models import Commune
    from territories.search import search_communes

    rng = random.Random(2026)
    results: dict[str, float] = {}
    with throwaway_database("territories"):
        started = time.perf_counter()
        call_command("load_geography", verbosity=0)
        load_seconds = time.perf_counter() - started
        print(f"Full load of France: {load_seconds:.2f} s (goal < 30 s)")

        communes = list(
            Commune.objects.filter(is_current=True).select_related("departement").order_by("pk")
        )
        queries = realistic_queries(communes, SEARCHES, rng)
        search_communes(queries[0])  # warm the connection and caches
        timings = []
        for query in queries:
            started = time.perf_counter()
            search_communes(query)
            timings.append(time.perf_counter() - started)
        print(f"Commune search, {len(queries)} queries:  {describe_ms(timings)}")
        results["search"] = percentile(timings, 0.95) * 1000

        large = build_territories(communes, rng)
        timings = []
        for _ in range(50):
            started = time.perf_counter()
            summary = large.summary()
            overlaps = list(large.overlapping())
            timings.append(time.perf_counter() - started)
        print(
            f"Tier + overlap, {summary.commune_count} communes among {TERRITORIES} territories "
            f"(tier {summary.tier.number}, {summary.population} inhabitants, "
            f"{len(overlaps)} overlapping):  {describe_ms(timings)}"
        )
        results["tier + overlap"] = percentile(timings, 0.95) * 1000

    missed = [name for name, p95 in results.items() if p95 >= GOALS_MS[name]]
    if load_seconds >= 30:
        missed.append("load")
    print("All goals met." if not missed else f"Goals missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
