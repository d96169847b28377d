#!/usr/bin/env python
"""Time to the first byte of the staff's reports, in a fresh process as after a deployment:
one answer's PDF summary (first, then warm) and the first XLSX export (first, then warm).

    .venv/bin/python bench/reports.py                 # SQLite, 1,000 answers
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py

In a throwaway database (see _common.py): ``--answers`` answers (two actors and a référent
each). Goals (issue 14): one answer's PDF under 1 s, the first XLSX under 1 s, both from a
process that has rendered neither yet. The XLSX of the whole list is also timed.
"""

import sys

# bench/http.py would shadow the standard library's ``http`` package: this folder goes last.
sys.path.append(sys.path.pop(0))

import argparse
import random
import time

from _common import setup_django, throwaway_database

GOAL_SECONDS = 1.0


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--answers", type=int, default=1_000)
    options = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from triage import create_answers

    from cpts_portal.roles import Role
    from tests.factories import CampaignFactory, UserFactory

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    failures = []
    with throwaway_database("reports"):
        campaign = CampaignFactory()
        create_answers(options.answers, campaign, 0, random.Random(2026))
        client = Client()
        client.force_login(UserFactory(roles=[Role.ARS]))
        from ami.models import Submission

        pk = Submission.objects.order_by("pk").values_list("pk", flat=True).first()
        pdf = reverse("staff:submission_pdf", args=[pk])
        first, response = timed(lambda: client.get(pdf))
        assert response.status_code == 200, response.status_code
        warm, _ = timed(lambda: client.get(pdf))
        print(
            f"PDF of one answer: first {first:.2f} s, then {warm:.2f} s (goal < {GOAL_SECONDS:g} s)"
        )
        if first >= GOAL_SECONDS:
            failures.append("first PDF")

        small = reverse("staff:export", args=["xlsx"]) + "?q=AMI-00001"
        first, response = timed(lambda: client.get(small))
        assert response.status_code == 200, response.status_code
        warm, _ = timed(lambda: client.get(small))
        print(
            f"First XLSX (one answer): first {first:.2f} s, then {warm:.2f} s "
            f"(goal < {GOAL_SECONDS:g} s)"
        )
        if first >= GOAL_SECONDS:
            failures.append("first XLSX")
        whole, response = timed(lambda: client.get(reverse("staff:export", args=["xlsx"])))
        print(f"XLSX of {options.answers} answers: {whole:.2f} s (HTTP {response.status_code})")
    print("All goals met." if not failures else f"Goals missed: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
