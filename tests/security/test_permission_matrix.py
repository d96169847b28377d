"""Who gets what, for every URL of the portal: one table, checked against the URLconf.

The URL patterns are discovered from ``django.urls.get_resolver()`` (includes walked), so a
new view without a line in ``MATRIX`` makes the test fail, and so does a line whose view
was removed. Each URL is requested with GET, its path parameters filled from objects made
for the test, as seven visitors:

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
    the coordinator of another project only.

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
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.helpers import pdf_file

pytestmark = pytest.mark.django_db

OK, MOVED, REDIRECT, FORBIDDEN, HIDDEN, GONE, POST_ONLY = 200, 301, 302, 403, 404, 410, 405
LOGIN = "302 to a sign-in page"

VISITORS = ("anonymous", "link", "ars", "urps", "am", "coord", "other_coord")

PUBLIC = (OK,) * 7
STAFF_PAGE = (LOGIN, LOGIN, OK, OK, OK, FORBIDDEN, FORBIDDEN)
ARS_PAGE = (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
POST_ONLY_VIEW = (POST_ONLY,) * 7
LINK_PAGE = (HIDDEN, OK, OK, OK, OK, OK, OK)  # the token is the key: whoever holds it reads
SIGNED_IN_ELSEWHERE = (OK, OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
UNAUTHORIZED = 401
API = (UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, FORBIDDEN, FORBIDDEN)

#          anonymous  link      ars        urps       am         coord      other_coord
MATRIX: dict[str, tuple[Any, ...]] = {
    # Public pages
    "ami:home": PUBLIC,
    "ami:answer": PUBLIC,
    # Not the browser that sent the answer: back to the form, nothing shown.
    "ami:confirmation": (REDIRECT,) * 7,
    "privacy": PUBLIC,
    "legal": PUBLIC,
    "accessibility": PUBLIC,
    "robots_txt": PUBLIC,
    "favicon": (MOVED,) * 7,
    "health": PUBLIC,
    "territories:commune_search": PUBLIC,
    "territories:epci_search": PUBLIC,
    # Sign-in (signed-in users are sent on) and sign-out (POST only since Django 5)
    "login": SIGNED_IN_ELSEWHERE,
    "logout": POST_ONLY_VIEW,
    "projects:login": (MOVED,) * 7,  # the projects' former sign-in page, now the portal's
    "projects:logout": POST_ONLY_VIEW,
    # Password reset and invitations: for everyone; a forged link shows « lien invalide ».
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_set": PUBLIC,
    "password_reset_complete": PUBLIC,
    "agent_home": (LOGIN, LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # The professional's private link
    "ami:follow": LINK_PAGE,
    "ami:edit": LINK_PAGE,
    "ami:referent_pdf": LINK_PAGE,
    "ami:referent_message": POST_ONLY_VIEW,
    "ami:referent_document": POST_ONLY_VIEW,
    "ami:referent_resubmit": POST_ONLY_VIEW,
    "ami:referent_attachment": LINK_PAGE,
    # No decision on ``world.submission`` yet: no letter (tests/ami/staff/test_outcome.py).
    "ami:decision_letter": (HIDDEN,) * 7,
    # A draft's resume link: the tokens tried here are an answer's, never a draft's.
    "ami:draft_resume": (HIDDEN,) * 7,
    # The autosave of a draft (POST); its rules are in tests/ami/test_drafts.py.
    "ami:draft_save": POST_ONLY_VIEW,
    # Staff workspace of the AMI
    "staff:dashboard": STAFF_PAGE,
    "staff:export": STAFF_PAGE,
    "staff:statistics": STAFF_PAGE,
    "staff:submission": STAFF_PAGE,
    "staff:submission_pdf": STAFF_PAGE,
    # A batch is its requester's (the ARS agent's): anyone else gets a 404.
    "staff:batch": (LOGIN, LOGIN, OK, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN),
    "staff:batch_status": (LOGIN, LOGIN, OK, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN),
    "staff:batch_download": (LOGIN, LOGIN, OK, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN),
    "staff:batch_create": POST_ONLY_VIEW,
    "staff:dashboard_columns": POST_ONLY_VIEW,
    "staff:bulk_action": POST_ONLY_VIEW,
    # A large export's job is its requester's (the ARS agent's), as a batch.
    "staff:export_job": (LOGIN, LOGIN, OK, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN),
    "staff:export_job_download": (LOGIN, LOGIN, OK, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN),
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
    "staff:attachment": STAFF_PAGE,
    "staff:decision_letter": (LOGIN, LOGIN, HIDDEN, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN),
    "staff:personal_data": ARS_PAGE,
    "staff:personal_data_file": POST_ONLY_VIEW,
    "staff:personal_data_erasure": POST_ONLY_VIEW,
    # Territories (staff build them; the ARS changes them, partners read)
    "territories:territory_create": STAFF_PAGE,
    "territories:territory_edit": STAFF_PAGE,
    "territories:territory_list": STAFF_PAGE,
    "territories:territory_detail": STAFF_PAGE,
    # CPTS projects: staff see all, a coordinator their own, another project is a 404
    "projects:list": (LOGIN, LOGIN, OK, OK, OK, OK, OK),
    "projects:create": (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "projects:detail": (LOGIN, LOGIN, OK, OK, OK, OK, HIDDEN),
    "projects:pdf": (LOGIN, LOGIN, OK, OK, OK, OK, HIDDEN),
    "projects:edit": (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN),
    "projects:name": (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN),
    "projects:invite": (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN),
    "projects:territory": (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN),
    "projects:holder": (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, HIDDEN),
    "projects:stage_change": (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, HIDDEN),
    "projects:milestone": (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, HIDDEN),
    "projects:letter": (LOGIN, LOGIN, OK, OK, OK, OK, HIDDEN),
    "projects:letter_deposit": (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, HIDDEN),
    "projects:health_project": (LOGIN, LOGIN, OK, OK, OK, OK, HIDDEN),
    "projects:contract": (LOGIN, LOGIN, OK, OK, OK, OK, HIDDEN),
    # An annual report exists only once the contract is signed (not in this world): 404.
    # Its rules by role are in tests/projects/test_contract_life.py.
    "projects:contract_report": (LOGIN, LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "projects:document_download": (LOGIN, LOGIN, OK, OK, OK, OK, HIDDEN),
    # The contract's life: no contract, report, evidence or deliverable in this world (404);
    # their rules by role are in tests/projects/test_contract_*.py.
    "projects:contract_of": (LOGIN, LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "projects:contract_report_of": (LOGIN, LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "projects:contract_report_pdf": (LOGIN, LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "projects:contract_report_pdf_of": (LOGIN, LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "projects:report_evidence_download": (LOGIN, LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "projects:deliverable_download": (LOGIN, LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    # The board of the signed contracts: the ARS and the Assurance Maladie.
    "projects:contracts_board": (LOGIN, LOGIN, OK, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
    "projects:contracts_board_csv": (LOGIN, LOGIN, OK, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
    # Opinions are given at their stage only: a new project is at none of them.
    "projects:urps_opinion": (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN),
    "projects:am_opinion": (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN),
    # No overlap between the two projects: nothing to override.
    "projects:overlap_override": (LOGIN, LOGIN, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN),
    # Login and project first (POST-only after): an outsider still learns nothing.
    "projects:document_upload": (LOGIN, LOGIN, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, HIDDEN),
    # Public output: « ma commune », coverage, open data (files and their schemas)
    "publication:find_commune": PUBLIC,
    "publication:coverage": PUBLIC,
    "publication:open_data": PUBLIC,
    "publication:open_data_file": PUBLIC,
    # A project's publication: its coordinator consents, the ARS validates, partners read.
    "publication:manage": (LOGIN, LOGIN, OK, OK, OK, OK, HIDDEN),
    # The read API: a token (or a session) of a partner institution's agent; no sign-in page.
    "publication:api:schema": PUBLIC,
    "publication:api:docs": PUBLIC,
    "publication:api:project-list": API,
    "publication:api:project-detail": API,
    "publication:api:territory-list": API,
    "publication:api:territory-detail": API,
    "publication:api:submission-list": API,
    "publication:api:submission-detail": API,
    "publication:api:contract-list": API,
    # The matrix's project has no contract: a 404 for those who may read contracts.
    "publication:api:contract-detail": (
        UNAUTHORIZED,
        UNAUTHORIZED,
        HIDDEN,
        HIDDEN,
        HIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "publication:api:commune-list": API,
    "publication:api:commune-detail": API,
}

# The admin, by a few representative URLs (see the module's docstring). Coordinators are
# not admin staff; URPS and Assurance Maladie agents read answers but not the access log.
ADMIN_SAMPLES: dict[str, tuple[Any, ...]] = {
    "admin:index": (LOGIN, LOGIN, OK, OK, OK, LOGIN, LOGIN),
    "admin:ami_submission_changelist": (LOGIN, LOGIN, OK, OK, OK, LOGIN, LOGIN),
    "admin:ami_submission_change": (LOGIN, LOGIN, OK, OK, OK, LOGIN, LOGIN),
    "admin:ami_accesslog_changelist": (LOGIN, LOGIN, OK, FORBIDDEN, FORBIDDEN, LOGIN, LOGIN),
    "admin:auth_user_changelist": (LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN, LOGIN),
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
    project = CptsProjectFactory(
        coordinators=[coord], territory=TerritoryFactory(communes=[CommuneFactory()]), by=ars
    )
    other_project = CptsProjectFactory(
        coordinators=[other_coord],
        territory=TerritoryFactory(communes=[CommuneFactory()]),
        by=ars,
    )
    document = add_document(project, DocumentKind.STATUTES, pdf_file("statuts.pdf"), coord)
    batch = PdfBatch.objects.create(
        requested_by=ars, total=1, done=1, status=PdfBatch.Status.DONE, submission_ids=[]
    )
    batch.file.save("reponses-ami.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    campaign = CampaignFactory()
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
        territory=TerritoryFactory(communes=[CommuneFactory()]),
        users={
            "anonymous": None,
            "link": None,
            "ars": ars,
            "urps": UserFactory(roles=[Role.URPS]),
            "am": UserFactory(roles=[Role.ASSURANCE_MALADIE]),
            "coord": coord,
            "other_coord": other_coord,
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


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_url_answers_each_visitor_as_the_matrix_says(world, visitor):
    routes = {route.name: route for route in project_routes()}
    assert set(routes) == set(MATRIX), "see test_every_view_has_a_name_and_a_line_in_the_matrix"
    samples = {name: Route(name, "", params) for name, params in admin_params().items()}
    column = VISITORS.index(visitor)
    client = client_for(visitor, world)
    wrong = []
    for name, expected in (MATRIX | ADMIN_SAMPLES).items():
        route = routes.get(name) or samples[name]
        kwargs = {param: param_value(name, param, world, visitor) for param in route.params}
        url = reverse(name, kwargs=kwargs)
        got = outcome(client.get(url))
        if got != expected[column]:
            wrong.append(f"{name} ({url}): expected {expected[column]}, got {got}")
    assert wrong == [], f"As {visitor}:\n" + "\n".join(wrong)


def admin_params() -> dict[str, tuple[str, ...]]:
    return {name: ("object_id",) if name.endswith("_change") else () for name in ADMIN_SAMPLES}
