#!/usr/bin/env python
"""Time ``manage.py load_geography`` (whole France) on the configured database engine.

    .venv/bin/python bench/load_geography.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpts .venv/bin/python bench/load_geography.py

Three runs on an empty, freshly migrated database: the first creates every row, the
second reloads the same file (the idempotent path: compare, write nothing), the third
loads a copy where every population changed (the yearly update: every commune rewritten
through INSERT ... ON CONFLICT DO UPDATE). The budget is 30 s per run.

It never touches the configured database: it works in a throwaway one, a temporary
SQLite file (not in-memory, to measure real disk writes) or ``bench_geography_<pid>`` on
the PostgreSQL server, dropped at the end.
"""

import sys

# bench/http.py would shadow the standard library's ``http`` package: this folder goes last.
sys.path.append(sys.path.pop(0))


import gzip
import json
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

from _common import setup_django, throwaway_database

BUDGET_SECONDS = 30.0


def write_with_new_populations(document: dict, path: Path) -> None:
    population = document["communes"]["columns"].index("population")
    for row in document["communes"]["rows"]:
        row[population] = (row[population] or 0) + 1
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(document, handle)


def main() -> int:
    setup_django()
    from django.core.management import call_command

    from territories.management.commands.load_geography import DEFAULT_FILE, read_geography
    from territories.models import Commune, Departement, Epci, Region

    with throwaway_database("geography"), tempfile.TemporaryDirectory() as tmp:
        changed_file = Path(tmp) / "changed.json.gz"
        write_with_new_populations(read_geography(DEFAULT_FILE), changed_file)
        runs = [
            ("fresh load", DEFAULT_FILE),
            ("second load (idempotent)", DEFAULT_FILE),
            ("all populations changed", changed_file),
        ]
        results = []
        for label, path in runs:
            output = StringIO()
            started = time.perf_counter()
            call_command("load_geography", "--file", str(path), stdout=output)
            elapsed = time.perf_counter() - started
            results.append(elapsed)
            summary = output.getvalue().strip().splitlines()[-1]
            print(f"{label:<26} {elapsed:6.2f} s   {summary}")
        print(
            f"Rows: {Region.objects.count()} régions, {Departement.objects.count()} "
            f"départements, {Epci.objects.count()} EPCI, {Commune.objects.count()} communes"
        )

    over = [elapsed for elapsed in results if elapsed >= BUDGET_SECONDS]
    print("Within the 30 s budget." if not over else "OVER the 30 s budget.")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
