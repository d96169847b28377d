#!/usr/bin/env python
"""Staff triage: dashboard latency and queries by volume, PDF render time, CSV export memory.

    .venv/bin/python bench/triage.py            # 100, 1,000 and 10,000 answers; 100,000 for CSV
    .venv/bin/python bench/triage.py --quick    # 100 and 1,000; 10,000 for CSV
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpts .venv/bin/python bench/triage.py

In a throwaway database (see _common.py), answers (each with two actors and a référent)
are bulk-created, then an ARS user's dashboard is requested in-process through Django's test
client: its latency and its number of queries at each volume. A submission's PDF is rendered
ten times. The streamed CSV export of every answer is consumed while tracemalloc measures the
peak of Python allocations. Goals: at most 10 queries at any size, PDF < 0.5 s, export peak
< 150 MB.
"""

import sys

# bench/http.py would shadow the standard library's ``http`` package: this folder goes last.
sys.path.append(sys.path.pop(0))


import argparse
import random
import sys
import time
import tracemalloc

from _common import describe_ms, percentile, setup_django, throwaway_database

GOALS = {"queries": 10, "pdf_seconds": 0.5, "export_megabytes": 150}


def create_answers(count: int, campaign, start: int, rng: random.Random) -> None:
    from django.utils import timezone

    from ami.models import Actor, PracticeSetting, Profession, Referent, Submission

    batch = 2_000
    professions = [choice for choice, _label in Profession.choices]
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        submissions = Submission.objects.bulk_create(
            Submission(
                campaign=campaign,
                has_reflection=True,
                wants_information=rng.random() < 0.5,
                context=f"Contexte de la réponse {start + offset + number}",
                territory_text="Pays de Douarnenez",
                meeting_wish="En septembre",
                consent_at=timezone.now(),
            )
            for number in range(size)
        )
        Actor.objects.bulk_create(
            Actor(
                submission=submission,
                name=f"Acteur {submission.pk}-{index}",
                profession=rng.choice(professions),
                practice_place="Douarnenez",
                practice_setting=PracticeSetting.MSP,
            )
            for submission in submissions
            for index in range(2)
        )
        Referent.objects.bulk_create(
            Referent(
                submission=submission,
                name=f"Référent {submission.pk}",
                email=f"referent{submission.pk}@example.org",
            )
            for submission in submissions
        )


def measure_dashboard(client, url: str) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(10):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return timings, len(queries)


def measure_export(client, url: str) -> tuple[float, float, int]:
    """Time one streamed export, then measure the peak memory of another (tracemalloc slows
    Python down several times, so it stays out of the timed run)."""
    started = time.perf_counter()
    size = sum(len(chunk) for chunk in client.get(url).streaming_content)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    for _chunk in client.get(url).streaming_content:
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 1024 / 1024, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--quick", action="store_true", help="smaller volumes, for a smoke run")
    options = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from ami.models import Campaign, Submission
    from ami.pdf import submission_pdf
    from cpts_portal.roles import Role
    from tests.factories import CampaignFactory, UserFactory

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    volumes = [100, 1_000] if options.quick else [100, 1_000, 10_000]
    export_volume = 10_000 if options.quick else 100_000
    rng = random.Random(2026)
    failures = []
    with throwaway_database("triage"):
        campaign: Campaign = CampaignFactory()
        client = Client()
        client.force_login(UserFactory(roles=[Role.ARS]))
        dashboard = reverse("staff:dashboard")
        created = 0
        for volume in volumes:
            create_answers(volume - created, campaign, created, rng)
            created = volume
            timings, queries = measure_dashboard(client, dashboard)
            print(f"Dashboard, {volume:>6} answers: {describe_ms(timings)}   {queries} queries")
            if queries > GOALS["queries"]:
                failures.append(f"dashboard queries at {volume}")

        submission = Submission.objects.order_by("pk").first()
        submission_pdf(submission)  # fonts and templates loaded once
        timings = []
        for _ in range(10):
            started = time.perf_counter()
            submission_pdf(submission)
            timings.append(time.perf_counter() - started)
        print(f"PDF summary of one answer: {describe_ms(timings)}")
        if percentile(timings, 0.95) >= GOALS["pdf_seconds"]:
            failures.append("PDF render time")

        create_answers(export_volume - created, campaign, created, rng)
        elapsed, peak, size = measure_export(client, reverse("staff:export", args=["csv"]))
        print(
            f"CSV export of {export_volume} answers: {elapsed:.1f} s, {size / 1024 / 1024:.1f} MB "
            f"written, peak Python memory {peak:.1f} MB"
        )
        if peak >= GOALS["export_megabytes"]:
            failures.append("export memory")

    print("All goals met." if not failures else f"Goals missed: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
