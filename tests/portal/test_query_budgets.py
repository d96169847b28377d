"""Every list and detail page makes the same number of queries with 1 row as with 50
(pretalx-style ``django_assert_num_queries``), and stays within its budget.

Each case names a page, who opens it, and how its rows grow: more answers for the lists,
more actors, référents and history for an answer's page, more coordinators, documents and
history for a project's pages, more communes for a territory. The page is requested once
before counting (caches of markup that is the same for everyone, such as the filter form,
are warm on a running server), then counted with 1 row and with 50.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from cpts_portal.history import record_event
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from tests.factories import (
    ActorFactory,
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    ReferentFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROWS = (1, 50)


class World:
    """The objects every case starts from; ``grow`` adds rows to them."""

    def __init__(self) -> None:
        self.ars = UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Agent")
        self.admin = UserFactory(is_superuser=True, username="budget-admin")
        self.coordinator = CoordinatorFactory()
        self.submission = SubmissionFactory(assignee=self.ars)
        self.campaign = self.submission.campaign
        communes = [CommuneFactory() for _ in range(3)]
        self.territory = TerritoryFactory(communes=communes)
        self.project = CptsProjectFactory(
            territory=TerritoryFactory(communes=communes[:2]),
            coordinators=[self.coordinator],
            submissions=[self.submission],
            by=self.ars,
        )
        OutgoingEmail.objects.create(
            recipient="a@example.org", template="t", subject="s", body_text="b"
        )


def more_answers(world: World, count: int) -> None:
    for number in range(count):
        submission = SubmissionFactory(campaign=world.campaign, assignee=world.ars)
        ActorFactory(submission=submission)
        record_event(submission, "note", by=world.ars, comment=f"Note {number}")


def more_answer_rows(world: World, count: int) -> None:
    for number in range(count):
        ActorFactory(submission=world.submission)
        ReferentFactory(submission=world.submission)
        record_event(world.submission, "note", by=world.ars, comment=f"Note {number}")


def more_projects(world: World, count: int) -> None:
    for _ in range(count):
        CptsProjectFactory(
            territory=TerritoryFactory(communes=[CommuneFactory()]),
            coordinators=[world.coordinator, CoordinatorFactory()],
            by=world.ars,
        )


def more_project_rows(world: World, count: int) -> None:
    for number in range(count):
        world.project.coordinators.add(CoordinatorFactory())
        record_event(world.project, "edited", by=world.ars, comment=f"Modification {number}")
        world.project.territory.communes.add(CommuneFactory())


def more_communes(world: World, count: int) -> None:
    world.territory.communes.add(*[CommuneFactory() for _ in range(count)])


def more_emails(world: World, count: int) -> None:
    OutgoingEmail.objects.bulk_create(
        OutgoingEmail(recipient=f"r{n}@example.org", template="t", subject="s", body_text="b")
        for n in range(count)
    )


@dataclass(frozen=True)
class Case:
    name: str
    url: Callable[[World], str]
    user: Callable[[World], object]
    grow: Callable[[World, int], None]
    budget: int  # at most this many queries

    def __str__(self) -> str:
        return self.name


def project_page(name: str) -> Callable[[World], str]:
    return lambda world: reverse(f"projects:{name}", args=[world.project.pk])


CASES = [
    Case("dashboard", lambda w: reverse("staff:dashboard"), lambda w: w.ars, more_answers, 12),
    Case(
        "dashboard, filtered",
        lambda w: reverse("staff:dashboard") + f"?status=received&campaign={w.campaign.pk}&q=a",
        lambda w: w.ars,
        more_answers,
        14,
    ),
    Case(
        "answer page",
        lambda w: reverse("staff:submission", args=[w.submission.pk]),
        lambda w: w.ars,
        more_answer_rows,
        25,
    ),
    Case(
        "statistics",
        lambda w: reverse("staff:statistics"),
        lambda w: w.ars,
        more_answers,
        5,  # the figures are kept per selection and version (stats.statistics_of)
    ),
    *[
        Case(
            f"export {extension}",
            lambda w, e=extension: reverse("staff:export", args=[e]),
            lambda w: w.ars,
            more_answers,
            14,
        )
        for extension in ("csv", "xlsx", "ods")
    ],
    Case(
        "projects list and board (ARS)",
        lambda w: reverse("projects:list"),
        lambda w: w.ars,
        more_projects,
        # The filter form's choices are read when its cached markup is stale only, the
        # board's projects when a project changed; the page's rows carry their count.
        6,
    ),
    Case(
        "projects list (coordinator)",
        lambda w: reverse("projects:list"),
        lambda w: w.coordinator,
        more_projects,
        5,
    ),
    Case("project page (ARS)", project_page("detail"), lambda w: w.ars, more_project_rows, 22),
    *[
        Case(
            f"coordinator page {name}",
            project_page(name),
            lambda w: w.coordinator,
            more_project_rows,
            30,
        )
        for name in ("detail", "letter", "health_project", "contract")
    ],
    Case(
        "territory page",
        lambda w: reverse("territories:territory_edit", args=[w.territory.pk]),
        lambda w: w.ars,
        more_communes,
        15,
    ),
    Case(
        "admin answers",
        lambda w: reverse("admin:ami_submission_changelist"),
        lambda w: w.admin,
        more_answers,
        12,
    ),
    Case(
        "admin projects",
        lambda w: reverse("admin:projects_cptsproject_changelist"),
        lambda w: w.admin,
        more_projects,
        12,
    ),
    Case(
        "admin outgoing emails",
        lambda w: reverse("admin:notifications_outgoingemail_changelist"),
        lambda w: w.admin,
        more_emails,
        10,
    ),
]


def territories_list_url(world: World) -> str:
    try:
        return reverse("territories:territory_list")
    except NoReverseMatch:
        pytest.skip("No /territoires/ list on this branch (added by the staff workspace work)")


CASES.append(Case("territories list", territories_list_url, lambda w: w.ars, more_communes, 15))


class QueryCounter:
    """Counts the queries run through the connection (``execute_wrapper``)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def get(client: Client, url: str):
    response = client.get(url)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # exports query as they stream
    assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
    return response


@pytest.mark.parametrize("case", CASES, ids=str)
def test_page_makes_the_same_queries_with_1_and_50_rows(case: Case, django_assert_num_queries):
    world = World()  # one row of each kind
    client = Client()
    client.force_login(case.user(world))
    url = case.url(world)
    get(client, url)  # warm: caches of markup identical for everyone
    one_row = QueryCounter()
    with connection.execute_wrapper(one_row):
        get(client, url)
    assert one_row.count <= case.budget, f"{case}: {one_row.count} queries > {case.budget}"

    case.grow(world, ROWS[-1] - ROWS[0])
    get(client, url)
    with django_assert_num_queries(one_row.count):
        get(client, url)
