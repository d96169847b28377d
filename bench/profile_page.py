#!/usr/bin/env python
"""Where a page spends its time: cProfile over Django's test client, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/profile_page.py /tableau-de-bord/ --answers 10000
    .venv/bin/python bench/profile_page.py / /ami/ami-profil/ --role anonymous   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seeded \
        .venv/bin/python bench/profile_page.py /projets/ --seeded --top 0

In a throwaway database (see _common.py): the geography of Bretagne, an open campaign
(``ami-profil``), ``--answers`` answers (two actors and a référent each) and a user of
``--role``. With ``--seeded``, the configured database as it is, seeded beforehand by
``bench/_http_seed.py`` (10,000 answers, 300 projects: the figures of ``http.py``; or
``--regions 18 --answers-per-region 2000``), signed in as its user of ``--role``
(``banc-ars``, of Bretagne; ``National``: ``banc-national``) or ``--user`` (e.g.
``banc-ars-76``, Occitanie's ARS agent); nothing is written but sessions. Each path is
requested ``--repeat`` times after a warm-up; prints the median time, the number of queries
and the functions taking the most time (cumulative and own). ``--save DIR`` writes each
page's HTML there (to compare the markup before and after a change).
"""

import sys

# bench/http.py would shadow the standard library's ``http`` package: this folder goes last.
sys.path.append(sys.path.pop(0))

import argparse
import contextlib
import cProfile
import io
import pstats
import random
import re
import statistics
import time
from pathlib import Path

from _common import QueryCounter, setup_django, throwaway_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--answers", type=int, default=1_000)
    parser.add_argument("--role", default="ARS", help="ARS, URPS, Assurance Maladie, anonymous")
    parser.add_argument("--user", help="with --seeded: sign in as this username")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--seeded", action="store_true", help="use the database as it is")
    parser.add_argument("--save", type=Path, help="write each page's HTML in this folder")
    options = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from triage import create_answers

    from tests.factories import CampaignFactory, UserFactory

    User = get_user_model()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    database = contextlib.nullcontext() if options.seeded else throwaway_database("profile")
    with database:
        client = Client()
        if options.seeded:
            usernames = {
                "ARS": "banc-ars",
                "URPS": "banc-urps",
                "Assurance Maladie": "banc-am",
                "National": "banc-national",
            }
            username = options.user or usernames.get(options.role, "banc-coordinateur")
            anonymous = options.role == "anonymous" and not options.user
            user = None if anonymous else User.objects.get(username=username)
        else:
            call_command("load_geography", departements=["22", "29", "35", "56"], verbosity=0)
            campaign = CampaignFactory(slug="ami-profil")
            create_answers(options.answers, campaign, 0, random.Random(2026))
            user = None if options.role == "anonymous" else UserFactory(roles=[options.role])
        if user is not None:
            client.force_login(user)
        for path in options.paths:
            response = client.get(path)
            if response.status_code != 200:
                print(f"{path}: HTTP {response.status_code}")
                continue
            if options.save:
                options.save.mkdir(parents=True, exist_ok=True)
                name = re.sub(r"[^\w.-]+", "_", path.strip("/")) or "home"
                (options.save / f"{name}.html").write_bytes(response.content)
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                client.get(path)
            timings = []
            for _ in range(options.repeat):
                started = time.perf_counter()
                client.get(path)
                timings.append(time.perf_counter() - started)
            # The minimum too: on a shared machine it moves less than the median.
            print(
                f"\n=== {path}: {statistics.median(timings) * 1000:.1f} ms per request "
                f"(median of {options.repeat}, without the profiler; min "
                f"{min(timings) * 1000:.1f} ms), {queries.count} queries"
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
