#!/usr/bin/env python
"""Where a page spends its time: cProfile over Django's test client, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/profile_page.py /tableau-de-bord/ --answers 10000
    .venv/bin/python bench/profile_page.py / /ami/ami-profil/ --role anonymous   # SQLite

In a throwaway database (see _common.py): the geography of Bretagne, an open campaign
(``ami-profil``), ``--answers`` answers (two actors and a référent each) and a user of
``--role``. Each path is requested ``--repeat`` times after a warm-up; prints the mean
time, the number of queries and the functions taking the most time (cumulative and own).
"""

import sys

# bench/http.py would shadow the standard library's ``http`` package: this folder goes last.
sys.path.append(sys.path.pop(0))

import argparse
import cProfile
import io
import pstats
import random
import statistics
import time

from _common import QueryCounter, setup_django, throwaway_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--answers", type=int, default=1_000)
    parser.add_argument("--role", default="ARS", help="ARS, URPS, Assurance Maladie, anonymous")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    options = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from triage import create_answers

    from tests.factories import CampaignFactory, UserFactory

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    with throwaway_database("profile"):
        call_command("load_geography", departements=["22", "29", "35", "56"], verbosity=0)
        campaign = CampaignFactory(slug="ami-profil")
        create_answers(options.answers, campaign, 0, random.Random(2026))
        client = Client()
        if options.role != "anonymous":
            client.force_login(UserFactory(roles=[options.role]))
        for path in options.paths:
            response = client.get(path)
            if response.status_code != 200:
                print(f"{path}: HTTP {response.status_code}")
                continue
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                client.get(path)
            timings = []
            for _ in range(options.repeat):
                started = time.perf_counter()
                client.get(path)
                timings.append(time.perf_counter() - started)
            print(
                f"\n=== {path}: {statistics.median(timings) * 1000:.1f} ms per request "
                f"(median of {options.repeat}, without the profiler), {queries.count} queries"
            )
            if options.top <= 0:
                continue
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            for _ in range(options.repeat):
                client.get(path)
            profiler.disable()
            elapsed = (time.perf_counter() - started) / options.repeat
            print(f"    {elapsed * 1000:.1f} ms per request with the profiler")
            for sort in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(options.top)
                print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
