"""Realistic data for ``bench/http.py``, written with ``bulk_create`` (a minute at most).

Run by ``bench/http.py`` as ``python -m bench._http_seed`` with the portal's environment
(the bench database, DEBUG=0), after ``migrate`` and ``load_geography``:

- two campaigns of the region (one open, one closed);
- one account per role (ARS, URPS, Assurance Maladie, Coordinateur) with the password of
  ``BENCH_PASSWORD``, plus 12 ARS agents answers are assigned to;
- ``BENCH_ANSWERS`` answers (default 10,000) at every status, each with 2–3 actors
  practising in a commune of the region and 1–2 référents; one in five with a territory of
  its own (10 communes), received over the last 300 days;
- ``BENCH_PROJECTS`` CPTS projects (default 300) created through
  ``projects.services.create_project`` (letter, health project, milestones, history), each
  with a territory of 20 communes, spread over every stage; the coordinator follows 5.

Prints one JSON line: the ids the benchmark requests (an answer, a project, a territory).
"""

import json
import os
import random
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpts_portal.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from ami.models import (  # noqa: E402
    Actor,
    Campaign,
    PracticeSetting,
    Profession,
    Referent,
    Submission,
)
from cpts_portal.roles import Role  # noqa: E402
from projects.models import CptsProject, Stage  # noqa: E402
from projects.services import create_project  # noqa: E402
from territories.models import Commune, Territory  # noqa: E402

BATCH = 2_000
FIRST_NAMES = ["Anne", "Bruno", "Claire", "David", "Émilie", "François", "Gaëlle", "Hervé"]
LAST_NAMES = ["Le Gall", "Martin", "Kerbrat", "Le Goff", "Morvan", "Guillou", "Tanguy", "Riou"]


def users(password: str) -> dict[str, object]:
    User = get_user_model()
    accounts = {}
    for role, username in [
        (Role.ARS, "banc-ars"),
        (Role.URPS, "banc-urps"),
        (Role.ASSURANCE_MALADIE, "banc-am"),
        (Role.COORDINATOR, "banc-coordinateur"),
    ]:
        user = User.objects.create_user(
            username,
            f"{username}@example.org",
            password,
            first_name=random.choice(FIRST_NAMES),
            last_name=random.choice(LAST_NAMES),
            is_staff=role != Role.COORDINATOR,
        )
        user.groups.add(Group.objects.get(name=role))
        accounts[role] = user
    ars = Group.objects.get(name=Role.ARS)
    agents = [accounts[Role.ARS]]
    for number in range(12):
        agent = User.objects.create_user(
            f"banc-agent-{number}",
            f"banc-agent-{number}@ars.sante.fr",
            password,
            first_name=FIRST_NAMES[number % 8],
            last_name=LAST_NAMES[(number * 3) % 8],
            is_staff=True,
        )
        agent.groups.add(ars)
        agents.append(agent)
    accounts["agents"] = agents
    return accounts


def territories_of(communes: list[int], size: int, count: int, label: str) -> list[Territory]:
    """``count`` territories of ``size`` consecutive communes each (wrapping around)."""
    territories = Territory.objects.bulk_create(
        Territory(name=f"{label} {number + 1}") for number in range(count)
    )
    through = Territory.communes.through
    rows = []
    for number, territory in enumerate(territories):
        start = (number * size) % max(1, len(communes) - size)
        rows.extend(
            through(territory_id=territory.pk, commune_id=commune)
            for commune in communes[start : start + size]
        )
    through.objects.bulk_create(rows, batch_size=BATCH)
    return territories


def answers(campaigns, count: int, communes: list[tuple[int, str]], agents, rng) -> None:
    statuses = [value for value, _label in Submission.Status.choices]
    professions = [value for value, _label in Profession.choices]
    settings_ = [value for value, _label in PracticeSetting.choices]
    with_territory = count // 5
    commune_ids = [pk for pk, _name in communes]
    own_territories = territories_of(commune_ids, 10, with_territory, "Territoire envisagé")
    now = timezone.now()
    for offset in range(0, count, BATCH):
        size = min(BATCH, count - offset)
        rows = []
        for number in range(offset, offset + size):
            status = statuses[number % len(statuses)]
            rows.append(
                Submission(
                    campaign=campaigns[0] if number % 4 else campaigns[1],
                    wants_information=rng.random() < 0.4,
                    has_reflection=rng.random() < 0.7,
                    has_initiative=rng.random() < 0.3,
                    context=f"Réponse {number}: exercice coordonné autour de la MSP, "
                    "besoin d’un accompagnement pour structurer le projet.",
                    territory_text=f"Pays de {communes[number % len(communes)][1]}",
                    territory=own_territories[number] if number < with_territory else None,
                    meeting_wish="En septembre, plutôt le soir",
                    status=status,
                    assignee=None if status == "received" else agents[number % len(agents)],
                    consent_at=now,
                )
            )
        created = Submission.objects.bulk_create(rows)
        actors, referents = [], []
        for submission in created:
            for index in range(2 + submission.pk % 2):
                pk, place = communes[rng.randrange(len(communes))]
                actors.append(
                    Actor(
                        submission=submission,
                        name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {index}",
                        profession=rng.choice(professions),
                        practice_place=place,
                        practice_commune_id=pk,
                        practice_setting=rng.choice(settings_),
                    )
                )
            for index in range(1 + submission.pk % 2):
                referents.append(
                    Referent(
                        submission=submission,
                        name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        function="Médecin généraliste" if index == 0 else "Infirmière",
                        email=f"referent{submission.pk}-{index}@example.org",
                    )
                )
        Actor.objects.bulk_create(actors, batch_size=BATCH)
        Referent.objects.bulk_create(referents, batch_size=BATCH)
    # Received over the last 300 days (auto_now_add set them all to now).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ami_submission SET submitted_at = now() - mod(id, 300) * interval '1 day',"
                " status_changed_at = least(now(),"
                " now() - mod(id, 300) * interval '1 day' + interval '3 day')"
            )


def projects(count: int, communes: list[int], ars, coordinator) -> list[CptsProject]:
    territories = territories_of(communes, 20, count, "Territoire de CPTS")
    stages = list(Stage)
    created = []
    for number, territory in enumerate(territories):
        project = create_project(
            f"CPTS {territory.name.removeprefix('Territoire de CPTS ')}",
            ars,
            territory=territory,
            coordinators=[coordinator] if number < 5 else (),
        )
        created.append(project)
    for number, project in enumerate(created):
        stage = stages[number % len(stages)]
        if stage != Stage.DRAFT:
            CptsProject.objects.filter(pk=project.pk).update(
                stage=stage, abandoned_from=Stage.LETTER_DEPOSITED if stage == "abandonne" else ""
            )
    return created


def main() -> None:
    rng = random.Random(2026)
    random.seed(2026)
    password = os.environ["BENCH_PASSWORD"]
    count = int(os.environ.get("BENCH_ANSWERS", "10000"))
    project_count = int(os.environ.get("BENCH_PROJECTS", "300"))
    today = timezone.localdate()
    with transaction.atomic():
        campaigns = [
            Campaign.objects.create(
                title="AMI Communauté professionnelle territoriale de santé (CPTS)",
                slug="ami-cpts-banc",
                edition="Banc 2026",
                region="Bretagne",
                opens_on=today - timedelta(days=300),
                closes_on=today + timedelta(days=60),
                summary="Identifier les acteurs intéressés par une CPTS.",
                intro="CONTEXTE\n\nCréées par la loi de 2016, les CPTS...",
                contact_email="ars-banc@ars.sante.fr",
            ),
            Campaign.objects.create(
                title="AMI CPTS (édition précédente)",
                slug="ami-cpts-banc-2025",
                edition="Banc 2025",
                region="Bretagne",
                opens_on=today - timedelta(days=700),
                closes_on=today - timedelta(days=400),
                summary="Édition précédente.",
                intro="CONTEXTE",
                contact_email="ars-banc@ars.sante.fr",
            ),
        ]
        accounts = users(password)
        region = list(
            Commune.objects.filter(is_current=True, departement__code__in=["22", "29", "35", "56"])
            .order_by("insee_code")
            .values_list("pk", "name")
        )
        if not region:
            raise SystemExit("No commune of Bretagne: run load_geography first.")
        answers(campaigns, count, region, accounts["agents"], rng)
        wider = list(
            Commune.objects.filter(is_current=True)
            .order_by("departement__region__code", "insee_code")
            .values_list("pk", flat=True)[: project_count * 20 + 20]
        )
        created = projects(project_count, wider, accounts[Role.ARS], accounts[Role.COORDINATOR])
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: without statistics PostgreSQL plans the
        # bulk-loaded tables as near-empty (seq scans inside per-row subqueries).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    submission = Submission.objects.filter(status="in_review").order_by("pk").first()
    print(
        json.dumps(
            {
                "answer": submission.pk,
                "project": created[1].pk,
                "territory": created[1].territory_id,
                "coordinator_project": created[0].pk,
                "answers": Submission.objects.count(),
                "projects": CptsProject.objects.count(),
            }
        )
    )


main()
