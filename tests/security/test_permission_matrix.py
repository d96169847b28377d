"""Who gets what, for every URL of the portal: one table, checked against the URLconf.

The URL patterns are discovered from ``django.urls.get_resolver()`` (includes walked), so a
new view without a line in ``MATRIX`` makes the test fail, and so does a line whose view
was removed. Each URL is requested with GET, its path parameters filled from objects made
for the test, as eleven visitors:

``anonymous``
    no account, no link. For the private-link pages, a token of the right shape that is
    not any answer's (an outsider guessing);
``link``
    a professional with the private link of ``world.submission`` (the token, no account),
    who has just opened it;
``ars``, ``urps``, ``am``
    agents of the three partner institutions;
``coord``
    the coordinator of ``world.project``;
``other_coord``
    the coordinator of another project only;
``ars_other``, ``urps_other``, ``am_other``
    agents of the three institutions of another region (Occitanie): every object of the
    world is in Bretagne, so each is a 404 for them; the pages of no region answer them as
    their Bretagne colleagues, and their lists show none of the world's objects;
``national``
    the national level (``Role.NATIONAL``): reads every region, changes nothing.

Expected values: ``OK`` (200), ``LOGIN`` (302 to a sign-in page, with ``?next=``),
``REDIRECT`` (302 elsewhere), ``MOVED`` (301: an old address), ``UNAUTHORIZED`` (401: the
API asks for a token), ``FORBIDDEN`` (403),
``HIDDEN`` (404: the object's existence stays private), ``GONE`` (410), ``POST_ONLY`` (405:
POST-only views are checked for their GET behaviour only; their POST rules are in the tests
of each app).

Left out, on purpose:

- the admin's URLs (``admin:``): Django generates eight per registered model; they share
  ``admin.site``'s access rule (``is_staff`` + model permissions), so a few representative
  ones stand for all (``ADMIN_SAMPLES``);
- static and media files: not in the URLconf in production (whitenoise serves static files
  before any view; uploaded files are served only by permission-checked views, e.g.
  ``projects:document_download``, never under ``MEDIA_URL``).
"""

import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ami import export_jobs
from ami.attachments import add_referent_document
from ami.models import Campaign, PdfBatch, Submission
from cpts_portal.roles import Role
from projects.models import CptsProject, DocumentKind
from projects.services import add_document
from territories.models import Territory
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    RegionFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.helpers import pdf_file

pytestmark = pytest.mark.django_db

OK, MOVED, REDIRECT, FORBIDDEN, HIDDEN, GONE, POST_ONLY = 200, 301, 302, 403, 404, 410, 405
LOGIN = "302 to a sign-in page"
UNAUTHORIZED = 401

HOME_VISITORS = ("anonymous", "link", "ars", "urps", "am", "coord", "other_coord")
OTHER_REGION_VISITORS = ("ars_other", "urps_other", "am_other")
VISITORS = (*HOME_VISITORS, *OTHER_REGION_VISITORS, "national")


def everyone(expected: Any) -> tuple[Any, ...]:
    """The same answer for every visitor."""
    return (expected,) * len(VISITORS)


def region_less(*home: Any, national: Any) -> tuple[Any, ...]:
    """A page of no region (a list, a form, a search): an agent of another region gets what
    the agent of the same institution gets in the world's region (lists show only their own
    region: ``test_lists_show_other_regions_nothing``)."""
    assert len(home) == len(HOME_VISITORS)
    return (*home, *home[2:5], national)


def of_the_region(*home: Any, national: Any) -> tuple[Any, ...]:
    """A page of an object of the world's region (Bretagne): a 404 for the agents of another
    region, whatever their role (the object's existence stays private)."""
    assert len(home) == len(HOME_VISITORS)
    return (*home, HIDDEN, HIDDEN, HIDDEN, national)


# The national level reads every region and writes nothing: ``national=OK`` on the pages
# that read, ``FORBIDDEN`` on those that change (``HIDDEN`` where every reader gets a 404).
STAFF_PAGE = (LOGIN, LOGIN, OK, OK, OK, FORBIDDEN, FORBIDDEN)
ARS_PAGE = (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
LINK_PAGE = (HIDDEN, OK, OK, OK, OK, OK, OK)  # the token is the key: whoever holds it reads
SIGNED_IN_ELSEWHERE = (OK, OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
REQUESTER_ONLY = (LOGIN, LOGIN, OK, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN)
API = (UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, FORBIDDEN, FORBIDDEN)
# A project's page: staff and its coordinator read it, another project's coordinator gets 404.
PROJECT_READ = (LOGIN, LOGIN, OK, OK, OK, OK, HIDDEN)
PROJECT_ARS_WRITE = (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN)
PROJECT_ARS_COORD_WRITE = (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, HIDDEN)
PROJECT_NOTHING_YET = (LOGIN, LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
PROJECT_NOT_AT_STAGE = (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN)

PUBLIC = everyone(OK)
POST_ONLY_VIEW = everyone(POST_ONLY)

#  columns: anonymous, link, ars, urps, am, coord, other_coord (+ the region axis, see above)
MATRIX: dict[str, tuple[Any, ...]] = {
    # Public pages
    "ami:home": PUBLIC,
    "ami:answer": PUBLIC,
    # Not the browser that sent the answer: back to the form, nothing shown.
    "ami:confirmation": everyone(REDIRECT),
    "privacy": PUBLIC,
    "legal": PUBLIC,
    "accessibility": PUBLIC,
    "robots_txt": PUBLIC,
    "favicon": everyone(MOVED),
    "health": PUBLIC,
    "territories:commune_search": PUBLIC,
    "territories:epci_search": PUBLIC,
    # Sign-in (signed-in users are sent on) and sign-out (POST only since Django 5)
    "login": region_less(*SIGNED_IN_ELSEWHERE, national=REDIRECT),
    "logout": POST_ONLY_VIEW,
    "projects:login": everyone(MOVED),  # the projects' former sign-in page, now the portal's
    "projects:logout": POST_ONLY_VIEW,
    # Password reset and invitations: for everyone; a forged link shows « lien invalide ».
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_set": PUBLIC,
    "password_reset_complete": PUBLIC,
    "agent_home": region_less(LOGIN, LOGIN, *(REDIRECT,) * 5, national=REDIRECT),
    # The professional's private link: the key, whatever the region of who holds it.
    "ami:follow": region_less(*LINK_PAGE, national=OK),
    "ami:edit": region_less(*LINK_PAGE, national=OK),
    "ami:referent_pdf": region_less(*LINK_PAGE, national=OK),
    "ami:referent_message": POST_ONLY_VIEW,
    "ami:referent_document": POST_ONLY_VIEW,
    "ami:referent_resubmit": POST_ONLY_VIEW,
    "ami:referent_attachment": region_less(*LINK_PAGE, national=OK),
    # No decision on ``world.submission`` yet: no letter (tests/ami/staff/test_outcome.py).
    "ami:decision_letter": everyone(HIDDEN),
    # A draft's resume link: the tokens tried here are an answer's, never a draft's.
    "ami:draft_resume": everyone(HIDDEN),
    # The autosave of a draft (POST); its rules are in tests/ami/test_drafts.py.
    "ami:draft_save": POST_ONLY_VIEW,
    # Staff workspace of the AMI: the lists and statistics of the visitor's regions.
    "staff:dashboard": region_less(*STAFF_PAGE, national=OK),
    "staff:export": region_less(*STAFF_PAGE, national=OK),
    "staff:statistics": region_less(*STAFF_PAGE, national=OK),
    "staff:submission": of_the_region(*STAFF_PAGE, national=OK),
    "staff:submission_pdf": of_the_region(*STAFF_PAGE, national=OK),
    # A batch is its requester's (the ARS agent's): anyone else gets a 404.
    "staff:batch": of_the_region(*REQUESTER_ONLY, national=HIDDEN),
    "staff:batch_status": of_the_region(*REQUESTER_ONLY, national=HIDDEN),
    "staff:batch_download": of_the_region(*REQUESTER_ONLY, national=HIDDEN),
    "staff:batch_create": POST_ONLY_VIEW,
    "staff:dashboard_columns": POST_ONLY_VIEW,
    "staff:bulk_action": POST_ONLY_VIEW,
    # A large export's job is its requester's (the ARS agent's), as a batch.
    "staff:export_job": of_the_region(*REQUESTER_ONLY, national=HIDDEN),
    "staff:export_job_download": of_the_region(*REQUESTER_ONLY, national=HIDDEN),
    "staff:assign": POST_ONLY_VIEW,
    "staff:change_status": POST_ONLY_VIEW,
    "staff:plan_exchange": POST_ONLY_VIEW,
    "staff:orient": POST_ONLY_VIEW,
    "staff:close": POST_ONLY_VIEW,
    "staff:note": POST_ONLY_VIEW,
    "staff:opinion": POST_ONLY_VIEW,
    "staff:message": POST_ONLY_VIEW,
    "staff:resend_link": POST_ONLY_VIEW,
    "staff:request_correction": POST_ONLY_VIEW,
    "staff:attachment": of_the_region(*STAFF_PAGE, national=OK),
    "staff:decision_letter": of_the_region(
        LOGIN, LOGIN, HIDDEN, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, national=HIDDEN
    ),
    # The ARS answers the RGPD requests (search, export, erasure): not the national level.
    "staff:personal_data": region_less(*ARS_PAGE, national=FORBIDDEN),
    "staff:personal_data_file": POST_ONLY_VIEW,
    "staff:personal_data_erasure": POST_ONLY_VIEW,
    # Territories (staff build them in their region; the ARS changes them, partners read)
    "territories:territory_create": region_less(*STAFF_PAGE, national=FORBIDDEN),
    "territories:territory_edit": of_the_region(*STAFF_PAGE, national=FORBIDDEN),
    "territories:territory_list": region_less(*STAFF_PAGE, national=OK),
    "territories:territory_detail": of_the_region(*STAFF_PAGE, national=OK),
    # CPTS projects: staff see their region's, a coordinator their own, another is a 404
    "projects:list": region_less(LOGIN, LOGIN, OK, OK, OK, OK, OK, national=OK),
    "projects:create": region_less(*ARS_PAGE, national=FORBIDDEN),
    "projects:detail": of_the_region(*PROJECT_READ, national=OK),
    "projects:pdf": of_the_region(*PROJECT_READ, national=OK),
    "projects:edit": of_the_region(*PROJECT_ARS_WRITE, national=FORBIDDEN),
    "projects:name": of_the_region(*PROJECT_ARS_WRITE, national=FORBIDDEN),
    "projects:invite": of_the_region(*PROJECT_ARS_WRITE, national=FORBIDDEN),
    "projects:territory": of_the_region(*PROJECT_ARS_WRITE, national=FORBIDDEN),
    "projects:holder": of_the_region(*PROJECT_ARS_COORD_WRITE, national=FORBIDDEN),
    "projects:stage_change": of_the_region(*PROJECT_ARS_COORD_WRITE, national=FORBIDDEN),
    "projects:milestone": of_the_region(*PROJECT_ARS_COORD_WRITE, national=FORBIDDEN),
    "projects:letter": of_the_region(*PROJECT_READ, national=OK),
    "projects:letter_deposit": of_the_region(
        LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, HIDDEN, national=FORBIDDEN
    ),
    "projects:health_project": of_the_region(*PROJECT_READ, national=OK),
    "projects:contract": of_the_region(*PROJECT_READ, national=OK),
    # An annual report exists only once the contract is signed (not in this world): 404.
    # Its rules by role are in tests/projects/test_contract_life.py.
    "projects:contract_report": of_the_region(*PROJECT_NOTHING_YET, national=HIDDEN),
    "projects:document_download": of_the_region(*PROJECT_READ, national=OK),
    # The contract's life: no contract, report, evidence or deliverable in this world (404);
    # their rules by role are in tests/projects/test_contract_*.py.
    "projects:contract_of": of_the_region(*PROJECT_NOTHING_YET, national=HIDDEN),
    "projects:contract_report_of": of_the_region(*PROJECT_NOTHING_YET, national=HIDDEN),
    "projects:contract_report_pdf": of_the_region(*PROJECT_NOTHING_YET, national=HIDDEN),
    "projects:contract_report_pdf_of": of_the_region(*PROJECT_NOTHING_YET, national=HIDDEN),
    "projects:report_evidence_download": of_the_region(*PROJECT_NOTHING_YET, national=HIDDEN),
    "projects:deliverable_download": of_the_region(*PROJECT_NOTHING_YET, national=HIDDEN),
    # The board of the signed contracts: the ARS and the Assurance Maladie of the region,
    # the national level (reads and exports every region).
    "projects:contracts_board": region_less(
        LOGIN, LOGIN, OK, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, national=OK
    ),
    "projects:contracts_board_csv": region_less(
        LOGIN, LOGIN, OK, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, national=OK
    ),
    # Opinions are given at their stage only: a new project is at none of them.
    "projects:urps_opinion": of_the_region(*PROJECT_NOT_AT_STAGE, national=FORBIDDEN),
    "projects:am_opinion": of_the_region(*PROJECT_NOT_AT_STAGE, national=FORBIDDEN),
    # The world's region has no Guichet CPTS: nobody transmits a consolidated avis there.
    "projects:guichet_transmit": of_the_region(*PROJECT_NOT_AT_STAGE, national=FORBIDDEN),
    # No overlap between the two projects: nothing to override.
    "projects:overlap_override": of_the_region(
        LOGIN, LOGIN, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, national=FORBIDDEN
    ),
    # Login and project first (POST-only after): an outsider still learns nothing. The
    # national level reads the project, so it learns the method only (GET is no upload).
    "projects:document_upload": of_the_region(
        LOGIN, LOGIN, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, HIDDEN, national=POST_ONLY
    ),
    # Public output: « ma commune », coverage, open data (files and their schemas)
    "publication:find_commune": PUBLIC,
    "publication:coverage": PUBLIC,
    "publication:open_data": PUBLIC,
    "publication:open_data_file": PUBLIC,
    # A project's publication: its coordinator consents, the ARS validates, partners read.
    "publication:manage": of_the_region(*PROJECT_READ, national=OK),
    # The read API: a token (or a session) of a partner institution's agent; no sign-in page.
    "publication:api:schema": PUBLIC,
    "publication:api:docs": PUBLIC,
    "publication:api:project-list": region_less(*API, national=OK),
    "publication:api:project-detail": of_the_region(*API, national=OK),
    "publication:api:territory-list": region_less(*API, national=OK),
    "publication:api:territory-detail": of_the_region(*API, national=OK),
    "publication:api:submission-list": region_less(*API, national=OK),
    "publication:api:submission-detail": of_the_region(*API, national=OK),
    "publication:api:contract-list": region_less(*API, national=OK),
    # The matrix's project has no contract: a 404 for those who may read contracts.
    "publication:api:contract-detail": of_the_region(
        UNAUTHORIZED, UNAUTHORIZED, HIDDEN, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, national=HIDDEN
    ),
    # The reference geography (COG) is every region's.
    "publication:api:commune-list": region_less(*API, national=OK),
    "publication:api:commune-detail": region_less(*API, national=OK),
}

# The admin, by a few representative URLs (see the module's docstring). Coordinators are
# not admin staff; URPS and Assurance Maladie agents read answers but not the access log.
# An object out of the visitor's queryset is, in the admin, a redirection to its index.
ADMIN_SAMPLES: dict[str, tuple[Any, ...]] = {
    "admin:index": region_less(LOGIN, LOGIN, OK, OK, OK, LOGIN, LOGIN, national=OK),
    "admin:ami_submission_changelist": region_less(
        LOGIN, LOGIN, OK, OK, OK, LOGIN, LOGIN, national=OK
    ),
    "admin:ami_submission_change": (
        *(LOGIN, LOGIN, OK, OK, OK, LOGIN, LOGIN),
        *(REDIRECT,) * len(OTHER_REGION_VISITORS),
        OK,
    ),
    "admin:ami_accesslog_changelist": region_less(
        LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, LOGIN, LOGIN, national=FORBIDDEN
    ),
    "admin:auth_user_changelist": region_less(
        LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN, LOGIN, national=FORBIDDEN
    ),
}

# The pages that list the rows of the visitor's regions, and which world objects each
# shows: the agent of the world's region reads them there, an agent of another region
# reads none of the world's objects on any of them (``test_lists_show_other_regions_nothing``).
LIST_PAGES: dict[str, tuple[str, ...]] = {
    "staff:dashboard": ("submission",),
    "staff:export": ("submission",),
    "territories:territory_list": ("territory",),
    "projects:list": ("project",),
    "publication:api:project-list": ("project",),
    "publication:api:territory-list": ("territory",),
    "publication:api:submission-list": ("submission",),
    "admin:ami_submission_changelist": ("submission",),
}

SIGN_IN_PAGES = ("login", "admin:login")


# --- Discovery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    params: tuple[str, ...]


def walk(patterns: list, prefix: str = "", namespace: str = "") -> list[Route]:
    """The URL patterns under ``patterns``, includes walked, but the admin's."""
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # see ADMIN_SAMPLES
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            routes += walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            converters = getattr(entry.pattern, "converters", None)
            params = tuple(converters) if converters else tuple(entry.pattern.regex.groupindex)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            routes.append(Route(name, prefix + str(entry.pattern), params))
    return routes


def project_routes() -> list[Route]:
    """Every URL pattern of the project, but the admin's and static/media files."""
    return [
        route
        for route in walk(get_resolver().url_patterns)
        if not route.pattern.lstrip("^").startswith(("static/", "media/"))
    ]


def test_every_view_has_a_name_and_a_line_in_the_matrix():
    routes = project_routes()
    unnamed = [route.pattern for route in routes if not route.name]
    assert unnamed == [], f"URL patterns without a name: {unnamed}"
    discovered = {route.name for route in routes}
    missing = sorted(discovered - set(MATRIX))
    stale = sorted(set(MATRIX) - discovered)
    assert missing == [], f"New views: add them to MATRIX with their expected statuses: {missing}"
    assert stale == [], f"Views gone from the URLconf: remove them from MATRIX: {stale}"
    assert all(len(expected) == len(VISITORS) for expected in (MATRIX | ADMIN_SAMPLES).values())
    assert set(LIST_PAGES) <= set(MATRIX) | set(ADMIN_SAMPLES)


# --- The objects behind the URLs ------------------------------------------------------------


@dataclass
class World:
    campaign: Campaign
    submission: Submission
    batch: PdfBatch
    project: CptsProject
    other_project: CptsProject
    territory: Territory
    users: dict[str, Any]
    document_pk: int
    attachment_pk: int
    forged_token: str
    export_job_id: str


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATELIMIT_ENABLED = False
    ars = UserFactory(roles=[Role.ARS])
    coord, other_coord = CoordinatorFactory(), CoordinatorFactory()
    # Names found nowhere else on a page, for the lists' check.
    project = CptsProjectFactory(
        name="CPTS Matrice du Léon",
        coordinators=[coord],
        territory=TerritoryFactory(name="Territoire Matrice Léon", communes=[CommuneFactory()]),
        by=ars,
    )
    other_project = CptsProjectFactory(
        name="CPTS Matrice de Cornouaille",
        coordinators=[other_coord],
        territory=TerritoryFactory(
            name="Territoire Matrice Cornouaille", communes=[CommuneFactory()]
        ),
        by=ars,
    )
    document = add_document(project, DocumentKind.STATUTES, pdf_file("statuts.pdf"), coord)
    batch = PdfBatch.objects.create(
        requested_by=ars, total=1, done=1, status=PdfBatch.Status.DONE, submission_ids=[]
    )
    batch.file.save("reponses-ami.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    campaign = CampaignFactory()
    occitanie = RegionFactory(code="76", name="Occitanie")
    submission = SubmissionFactory(campaign=campaign)
    attachment = add_referent_document(submission, pdf_file("lettre.pdf"), "letter")
    job = export_jobs.new_job(ars.pk, "xlsx", "", 1)
    path = export_jobs.job_file_path("reponses.xlsx")
    path.write_bytes(b"PK")
    job.status, job.file, job.filename = "done", str(path), path.name
    job.save()
    return World(
        campaign=campaign,
        submission=submission,
        batch=batch,
        project=project,
        other_project=other_project,
        territory=TerritoryFactory(name="Territoire Matrice Trégor", communes=[CommuneFactory()]),
        users={
            "anonymous": None,
            "link": None,
            "ars": ars,
            "urps": UserFactory(roles=[Role.URPS]),
            "am": UserFactory(roles=[Role.ASSURANCE_MALADIE]),
            "coord": coord,
            "other_coord": other_coord,
            "ars_other": UserFactory(roles=[Role.ARS], region=occitanie),
            "urps_other": UserFactory(roles=[Role.URPS], region=occitanie),
            "am_other": UserFactory(roles=[Role.ASSURANCE_MALADIE], region=occitanie),
            "national": UserFactory(roles=[Role.NATIONAL]),
        },
        document_pk=document.pk,
        attachment_pk=attachment.pk,
        forged_token=secrets.token_urlsafe(32),
        export_job_id=job.id,
    )


def param_value(route_name: str, param: str, world: World, visitor: str) -> Any:
    """The value of one path parameter; a parameter unknown here fails the test."""
    if param == "token":
        return world.forged_token if visitor == "anonymous" else world.submission.access_token
    if param == "pk" and route_name == "ami:referent_attachment":
        return world.attachment_pk
    if param in {"pk", "object_id"}:
        if route_name.startswith("staff:batch"):
            return world.batch.pk
        if route_name.startswith("publication:api:territory"):
            return world.territory.pk
        if route_name.startswith("publication:api:submission"):
            return world.submission.pk
        if route_name.startswith("staff:export_job"):
            return world.export_job_id
        namespace = route_name.split(":")[0]
        owners = {
            "staff": world.submission.pk,
            "ami": world.submission.pk,
            "admin": world.submission.pk,
            "projects": world.project.pk,
            "territories": world.territory.pk,
            "publication": world.project.pk,
        }
        return owners[namespace]
    values = {
        "slug": world.campaign.slug,
        "extension": "csv",
        "target": "abandonne",
        "other_pk": world.other_project.pk,
        "milestone_pk": world.project.milestones.first().pk,
        "document_pk": world.document_pk,
        "attachment_pk": world.attachment_pk,
        "name": "cpts.csv",
        "insee_code": world.territory.communes.first().insee_code,
        "uidb64": "MQ",
        "year": 1,
        "contract_pk": 1,
        "file_pk": 1,
    }
    if param not in values:
        pytest.fail(f"{route_name}: no value for the path parameter {param!r}; add one")
    return values[param]


def client_for(visitor: str, world: World) -> Client:
    client = Client()
    user = world.users[visitor]
    if user is not None:
        client.force_login(user)
    if visitor == "link":
        assert client.get(world.submission.get_private_url()).status_code == OK
    return client


def outcome(response) -> Any:
    """The response as the matrix writes it."""
    if response.status_code == 302:
        target = response["Location"]
        if any(target.startswith(reverse(page) + "?next=") for page in SIGN_IN_PAGES):
            return LOGIN
    return response.status_code


def world_url(name: str, route: Route, world: World, visitor: str) -> str:
    kwargs = {param: param_value(name, param, world, visitor) for param in route.params}
    return reverse(name, kwargs=kwargs)


def every_route() -> dict[str, Route]:
    routes = {route.name: route for route in project_routes()}
    assert set(routes) == set(MATRIX), "see test_every_view_has_a_name_and_a_line_in_the_matrix"
    samples = {name: Route(name, "", params) for name, params in admin_params().items()}
    return routes | samples


def test_every_url_answers_each_visitor_as_the_matrix_says(world):
    """One world, one client per visitor; every wrong answer of every visitor is reported."""
    routes = every_route()
    wrong = []
    for column, visitor in enumerate(VISITORS):
        client = client_for(visitor, world)
        for name, expected in (MATRIX | ADMIN_SAMPLES).items():
            url = world_url(name, routes[name], world, visitor)
            got = outcome(client.get(url))
            if got != expected[column]:
                wrong.append(
                    f"as {visitor}: {name} ({url}): expected {expected[column]}, got {got}"
                )
    assert wrong == [], f"{len(wrong)} wrong answers:\n" + "\n".join(wrong)


def world_markers(world: World) -> dict[str, tuple[str, ...]]:
    """What of each world object a list shows: the answer's reference, the names."""
    return {
        "submission": (world.submission.reference,),
        "project": (world.project.name, world.other_project.name),
        "territory": (world.territory.name,),
    }


def test_lists_show_other_regions_nothing(world):
    """The agent of the world's region finds each list's objects on it (so the markers are
    the right ones); an agent of another region finds none of the world's objects on any."""
    routes = every_route()
    markers = world_markers(world)
    every_marker = [marker for values in markers.values() for marker in values]
    wrong = []
    for visitor in ("ars", *OTHER_REGION_VISITORS):
        client = client_for(visitor, world)
        for name, shown in LIST_PAGES.items():
            response = client.get(world_url(name, routes[name], world, visitor))
            if response.status_code != OK:
                continue  # its status is the matrix's business
            body = b"".join(response.streaming_content) if response.streaming else response.content
            content = body.decode()
            if visitor == "ars":
                expected = [marker for kind in shown for marker in markers[kind]]
                wrong += [f"as ars: {name} lacks {m!r}" for m in expected if m not in content]
            else:
                wrong += [f"as {visitor}: {name} shows {m!r}" for m in every_marker if m in content]
    assert wrong == [], "\n".join(wrong)


def admin_params() -> dict[str, tuple[str, ...]]:
    return {name: ("object_id",) if name.endswith("_change") else () for name in ADMIN_SAMPLES}
