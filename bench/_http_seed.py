"""Realistic data for ``bench/http.py``, written with ``bulk_create`` (a minute at most).

Run by ``bench/http.py`` as ``python -m bench._http_seed [--regions N]
[--answers-per-region M]`` with the portal's environment (the bench database, DEBUG=0), after
``migrate`` and ``load_geography``:

- ``--regions`` served regions (default 1, Bretagne; at most 18: Bretagne, the twelve other
  metropolitan regions, then Guadeloupe, Martinique, Guyane, La Réunion, Mayotte), each with
  its identity (``RegionIdentity``), its three institutions (ARS, URPS, Assurance Maladie)
  and two campaigns (one open, one closed; Bretagne's are ``ami-cpts-banc`` and
  ``ami-cpts-banc-2025``, the others' ``ami-cpts-banc-<code>``...);
- one account per role (ARS, URPS, Assurance Maladie, Coordinateur) with the password of
  ``BENCH_PASSWORD``, the partners attached to Bretagne's institutions, plus 12 ARS agents of
  Bretagne answers are assigned to; in every other region one ARS agent
  ``banc-ars-<code>``; and ``banc-national`` (the national role: every region, read-only);
- ``--answers-per-region`` answers in each region (default ``BENCH_ANSWERS``, 10,000,
  divided by the number of regions) at every status, each with 2–3 actors practising in a
  commune of its region and 1–2 référents; one in five with a territory of its own (10
  communes), received over the last 300 days;
- ``BENCH_PROJECTS`` CPTS projects (default 300), spread over the regions in turn, created
  through ``projects.services.create_project`` (letter, health project, milestones,
  history), each with a territory of 20 communes of its region, spread over every stage;
  the coordinator follows 5.

Prints one JSON line: the ids the benchmark requests (an answer, a project, a territory).
"""

import argparse
import json
import os
import random
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpts_portal.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
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
from territories.models import (  # noqa: E402
    Commune,
    Institution,
    InstitutionKind,
    Region,
    RegionIdentity,
    StaffMembership,
    Territory,
)

BATCH = 2_000
FIRST_NAMES = ["Anne", "Bruno", "Claire", "David", "Émilie", "François", "Gaëlle", "Hervé"]
LAST_NAMES = ["Le Gall", "Martin", "Kerbrat", "Le Goff", "Morvan", "Guillou", "Tanguy", "Riou"]
# The 18 regions an ARS serves (COG codes), Bretagne first: one region is today's bench.
REGIONS = [
    "53", "11", "24", "27", "28", "32", "44", "52", "75", "76", "84", "93", "94",
    "01", "02", "03", "04", "06",
]  # fmt: skip


@transaction.atomic
def serve(region: Region) -> dict[str, Institution]:
    """``region``'s identity and its three institutions (kept when the migration of a
    single-region database made them already)."""
    RegionIdentity.objects.get_or_create(
        region=region,
        defaults={
            "ars_name": f"Agence régionale de santé {region.name}",
            "ars_short_name": f"ARS {region.name}"[:60],
            "ami_contact_email": f"ars-banc-{region.code}@ars.sante.fr",
        },
    )
    institutions = {}
    for kind, name, profession in [
        (InstitutionKind.ARS, f"Agence régionale de santé {region.name}", ""),
        (InstitutionKind.URPS, f"URPS Médecins {region.name}", "medecins"),
        (InstitutionKind.ASSURANCE_MALADIE, f"Assurance Maladie {region.name}", ""),
    ]:
        institutions[kind], _created = Institution.objects.get_or_create(
            region=region, name=name, defaults={"kind": kind, "profession": profession}
        )
    return institutions


def campaigns_of(region: Region, today) -> list[Campaign]:
    """An open campaign and a closed one; Bretagne's keep the slugs ``http.py`` requests."""
    suffix = "" if region.code == REGIONS[0] else f"-{region.code}"
    return [
        Campaign.objects.create(
            title="AMI Communauté professionnelle territoriale de santé (CPTS)",
            slug=f"ami-cpts-banc{suffix}",
            edition="Banc 2026",
            region=region,
            opens_on=today - timedelta(days=300),
            closes_on=today + timedelta(days=60),
            summary="Identifier les acteurs intéressés par une CPTS.",
            intro="CONTEXTE\n\nCréées par la loi de 2016, les CPTS...",
            contact_email=f"ars-banc{suffix}@ars.sante.fr",
        ),
        Campaign.objects.create(
            title="AMI CPTS (édition précédente)",
            slug=f"ami-cpts-banc{suffix}-2025",
            edition="Banc 2025",
            region=region,
            opens_on=today - timedelta(days=700),
            closes_on=today - timedelta(days=400),
            summary="Édition précédente.",
            intro="CONTEXTE",
            contact_email=f"ars-banc{suffix}@ars.sante.fr",
        ),
    ]


def account(username: str, password: str, role: str, number: int, is_staff: bool = True):
    user = get_user_model().objects.create(
        username=username,
        email=f"{username}@example.org",
        password=password,  # hashed once by the caller: hashing is slow on purpose
        first_name=FIRST_NAMES[number % 8],
        last_name=LAST_NAMES[(number * 3) % 8],
        is_staff=is_staff,
    )
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def users(password: str, institutions: dict[str, dict]) -> dict[str, object]:
    """The role accounts (partners attached to Bretagne), Bretagne's 12 extra agents, one ARS
    agent per other region (``agents_<code>``) and the national account."""
    hashed = make_password(password)
    home = institutions[REGIONS[0]]
    accounts = {}
    for number, (role, username) in enumerate(
        [
            (Role.ARS, "banc-ars"),
            (Role.URPS, "banc-urps"),
            (Role.ASSURANCE_MALADIE, "banc-am"),
            (Role.COORDINATOR, "banc-coordinateur"),
            (Role.NATIONAL, "banc-national"),
        ]
    ):
        user = account(username, hashed, role, number, is_staff=role != Role.COORDINATOR)
        if role in home:
            StaffMembership.objects.create(user=user, institution=home[role])
        accounts[role] = user
    agents = [accounts[Role.ARS]]
    for number in range(12):
        agent = account(f"banc-agent-{number}", hashed, Role.ARS, number)
        StaffMembership.objects.create(user=agent, institution=home[Role.ARS])
        agents.append(agent)
    accounts[f"agents_{REGIONS[0]}"] = agents
    for number, (code, own) in enumerate(institutions.items()):
        if code != REGIONS[0]:
            agent = account(f"banc-ars-{code}", hashed, Role.ARS, number)
            StaffMembership.objects.create(user=agent, institution=own[Role.ARS])
            accounts[f"agents_{code}"] = [agent]
    return accounts


def territories_of(
    communes: list[int], size: int, count: int, label: str, region: Region
) -> list[Territory]:
    """``count`` territories of ``size`` consecutive communes each (wrapping around)."""
    territories = Territory.objects.bulk_create(
        Territory(name=f"{label} {number + 1}", region=region) for number in range(count)
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


def answers(
    campaigns, count: int, communes: list[tuple[int, str]], agents, rng, region: Region
) -> None:
    statuses = [value for value, _label in Submission.Status.choices]
    professions = [value for value, _label in Profession.choices]
    settings_ = [value for value, _label in PracticeSetting.choices]
    with_territory = count // 5
    commune_ids = [pk for pk, _name in communes]
    own_territories = territories_of(
        commune_ids, 10, with_territory, f"Territoire envisagé {region.code}", region
    )
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


def received_over_300_days() -> None:
    # Received over the last 300 days (auto_now_add set them all to now).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ami_submission SET submitted_at = now() - mod(id, 300) * interval '1 day',"
                " status_changed_at = least(now(),"
                " now() - mod(id, 300) * interval '1 day' + interval '3 day')"
            )


def projects(
    count: int, communes: dict[str, list[int]], regions: list[Region], ars, coordinator
) -> list[CptsProject]:
    """``count`` projects, region after region in turn, each on 20 communes of its region."""
    per_region = {
        region.code: len(range(index, count, len(regions))) for index, region in enumerate(regions)
    }
    territories = {
        region.code: iter(
            territories_of(
                communes[region.code], 20, per_region[region.code], "Territoire de CPTS", region
            )
        )
        for region in regions
    }
    stages = list(Stage)
    created = []
    for number in range(count):
        region = regions[number % len(regions)]
        territory = next(territories[region.code])
        created.append(
            create_project(
                f"CPTS {region.code}-{territory.name.removeprefix('Territoire de CPTS ')}",
                ars,
                territory=territory,
                coordinators=[coordinator] if number < 5 else (),
                region=region,
            )
        )
    for number, project in enumerate(created):
        stage = stages[number % len(stages)]
        if stage != Stage.DRAFT:
            CptsProject.objects.filter(pk=project.pk).update(
                stage=stage, abandoned_from=Stage.LETTER_DEPOSITED if stage == "abandonne" else ""
            )
    return created


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Seed the bench database.")
    parser.add_argument(
        "--regions",
        type=int,
        default=int(os.environ.get("BENCH_REGIONS", "1")),
        help=f"served regions, 1 to {len(REGIONS)} (default 1: Bretagne)",
    )
    parser.add_argument(
        "--answers-per-region",
        type=int,
        default=os.environ.get("BENCH_ANSWERS_PER_REGION") or None,
        help="answers in each region (default: BENCH_ANSWERS, 10,000, / regions)",
    )
    args = parser.parse_args()
    if not 1 <= args.regions <= len(REGIONS):
        parser.error(f"--regions: 1 to {len(REGIONS)}")
    if args.answers_per_region is None:
        args.answers_per_region = int(os.environ.get("BENCH_ANSWERS", "10000")) // args.regions
    return args


def main() -> None:
    args = options()
    rng = random.Random(2026)
    random.seed(2026)
    password = os.environ["BENCH_PASSWORD"]
    project_count = int(os.environ.get("BENCH_PROJECTS", "300"))
    today = timezone.localdate()
    regions = list(Region.objects.filter(code__in=REGIONS[: args.regions]))
    regions.sort(key=lambda region: REGIONS.index(region.code))
    if len(regions) < args.regions:
        raise SystemExit("Regions missing: run load_geography first.")
    communes = {
        region.code: list(
            Commune.objects.filter(is_current=True, departement__region=region)
            .order_by("insee_code")
            .values_list("pk", "name")
        )
        for region in regions
    }
    empty = [region.name for region in regions if not communes[region.code]]
    if empty:
        raise SystemExit(f"No commune in {', '.join(empty)}: run load_geography first.")
    with transaction.atomic():
        institutions = {region.code: serve(region) for region in regions}
        accounts = users(password, institutions)
        for region in regions:
            answers(
                campaigns_of(region, today),
                args.answers_per_region,
                communes[region.code],
                accounts[f"agents_{region.code}"],
                rng,
                region,
            )
        received_over_300_days()
        created = projects(
            project_count,
            {code: [pk for pk, _name in rows] for code, rows in communes.items()},
            regions,
            accounts[Role.ARS],
            accounts[Role.COORDINATOR],
        )
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: without statistics PostgreSQL plans the
        # bulk-loaded tables as near-empty (seq scans inside per-row subqueries).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    home = regions[0]
    submission = (
        Submission.objects.filter(status="in_review", campaign__region=home).order_by("pk").first()
    )
    project = CptsProject.objects.filter(region=home).order_by("pk")[1]
    print(
        json.dumps(
            {
                "answer": submission.pk,
                "project": project.pk,
                "territory": project.territory_id,
                "coordinator_project": created[0].pk,
                "answers": Submission.objects.count(),
                "projects": CptsProject.objects.count(),
                "regions": len(regions),
            }
        )
    )


main()
