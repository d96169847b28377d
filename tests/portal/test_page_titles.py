"""Page titles (RGAA 8.6): unique, naming the page then the portal, « Erreur — » on errors.

Every page of the portal is fetched in the states that matter, as the user who sees it:
each ``<title>`` reads « <page> — Portail CPTS », no two states share a title, and a form
sent back with errors starts with « Erreur — » (the first words a screen reader says
after the page reloads).
"""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ami.models import PdfBatch, Submission
from ami.staff import services as staff_services
from cpts_portal.roles import Role
from projects.models import Stage
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.helpers import advance_to

pytestmark = pytest.mark.django_db

PORTAL = "Portail CPTS"
ERROR_PREFIX = "Erreur — "
# A DSFR error style (alert, field group, message): the page does show an error.
ERROR_MARK = re.compile(r"\bfr-[a-z-]+--error\b")


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.DOTALL)
    assert match, "no <title>"
    return " ".join(html.unescape(match.group(1)).split())


class Pages:
    """Fetches pages with one test client, as one user or another; records their titles."""

    def __init__(self, client) -> None:
        self.client = client
        self.titles: dict[str, str] = {}
        self.errors: set[str] = set()

    def as_user(self, user) -> "Pages":
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self

    def get(self, state: str, url: str, status: int = 200) -> None:
        self._record(state, self.client.get(url), status)

    def post(self, state: str, url: str, data: dict) -> None:
        """A form sent back with errors: 200, or 422 (Unprocessable Content) for some.

        ``data`` must not be empty: views read an empty POST as no submission at all.
        """
        response = self.client.post(url, data)
        self._record(state, response, 200, 422)
        assert ERROR_MARK.search(response.content.decode()), (state, "no error shown")
        self.errors.add(state)

    def _record(self, state: str, response, *statuses: int) -> None:
        assert response.status_code in statuses, (state, response.status_code)
        self.titles[state] = title_of(response)


@pytest.fixture
def pages(client, settings, tmp_path) -> Pages:
    """Every page of the portal, in each state that matters (forms: blank, then invalid)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    pages = Pages(client)
    ars = UserFactory(roles=[Role.ARS])
    urps = UserFactory(roles=[Role.URPS])
    am = UserFactory(roles=[Role.ASSURANCE_MALADIE])
    coordinator = CoordinatorFactory()

    # Public and professional pages.
    campaign = CampaignFactory()
    submission = SubmissionFactory(campaign=campaign)
    closed = CampaignFactory(closes_on=timezone.localdate() - timedelta(days=1))
    answer, edit = campaign.get_absolute_url(), reverse("ami:edit", args=[submission.access_token])
    pages.as_user(None)
    pages.get("home", reverse("ami:home"))
    pages.get("ami-form", answer)
    pages.post("ami-form-errors", answer, {"context": "Un contexte"})
    pages.get("ami-closed-call", closed.get_absolute_url())
    session = client.session
    session["ami_submitted"] = [submission.pk]
    session.save()
    pages.get("ami-confirmation", reverse("ami:confirmation", args=[campaign.slug, submission.pk]))
    pages.get("follow", submission.get_private_url())
    pages.get("follow-edit", edit)
    pages.post("follow-edit-errors", edit, {"context": ""})
    pages.get("privacy", reverse("privacy"))
    pages.get("legal", reverse("legal"))
    pages.get("accessibility", reverse("accessibility"))
    pages.get("login", reverse("login"))
    pages.post("login-errors", reverse("login"), {"username": "personne", "password": "non"})
    pages.get("error-404", "/nulle-part/", status=404)
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_RULES = {"ami:follow": ("GET", 0, 3600)}
    pages.get("error-429", submission.get_private_url(), status=429)
    settings.RATELIMIT_RULES = {}
    pages.as_user(coordinator).get("error-403", reverse("staff:dashboard"), status=403)

    # Staff: the AMI's answers and the territories.
    staff_services.change_status(submission, Submission.Status.IN_REVIEW, by=ars)
    batch = PdfBatch.objects.create(requested_by=ars, submission_ids=[submission.pk], total=1)
    detail = reverse("staff:submission", args=[submission.pk])
    communes = [CommuneFactory(name="Douarnenez", population=14_000)]
    territory = TerritoryFactory(name="Pays de Douarnenez", communes=communes)
    new_territory = reverse("territories:territory_create")
    pages.as_user(ars)
    pages.get("staff-dashboard", reverse("staff:dashboard"))
    pages.get("staff-submission", detail)
    pages.post("staff-submission-errors", reverse("staff:plan_exchange", args=[submission.pk]), {})
    pages.get("staff-statistics", reverse("staff:statistics"))
    pages.get("staff-batch", reverse("staff:batch", args=[batch.pk]))
    pages.get("territory-new", new_territory)
    pages.post("territory-new-errors", new_territory, {"name": ""})
    pages.get("territory-page", reverse("territories:territory_edit", args=[territory.pk]))

    # CPTS projects: coordinators and partners.
    people = {"coordinator": coordinator, "ars": ars, "urps": urps, "am": am}

    def project_at(name: str, stage: Stage):
        own_territory = TerritoryFactory(communes=[CommuneFactory(population=20_000)])
        project = CptsProjectFactory(
            name=name, coordinators=[coordinator], territory=own_territory, by=ars
        )
        return advance_to(project, stage, **people)

    draft = project_at("CPTS de l’Aulne", Stage.DRAFT)
    deposited = project_at("CPTS du Cap", Stage.LETTER_DEPOSITED)
    health = project_at("CPTS du Léon", Stage.HEALTH_PROJECT_DEPOSITED)
    validated = project_at("CPTS de Crozon", Stage.LETTER_VALIDATED)
    signed = project_at("CPTS du Pays de Douarnenez", Stage.CONTRACT_SIGNED)
    pages.as_user(ars)
    pages.get("projects-list", reverse("projects:list"))
    pages.get("project-new", reverse("projects:create"))
    pages.post("project-new-errors", reverse("projects:create"), {"name": ""})
    territory_page = reverse("projects:territory", args=[draft.pk])
    pages.get("project-territory", territory_page)
    no_commune = {"territory-commune_codes": "", "save": ""}
    pages.post("project-territory-errors", territory_page, no_commune)
    contract = reverse("projects:contract", args=[signed.pk])
    pages.get("project-contract", contract)
    pages.post("project-contract-errors", contract, {"dialogue_submit": ""})
    pages.as_user(coordinator)
    pages.get("project-page", draft.get_absolute_url())
    letter = reverse("projects:letter", args=[draft.pk])
    pages.get("project-letter", letter)
    pages.post("project-letter-errors", letter, {"deposer": ""})
    pages.get("project-health-project", reverse("projects:health_project", args=[signed.pk]))
    drafting = reverse("projects:health_project", args=[validated.pk])
    pages.get("project-health-project-draft", drafting)
    half_filled_sheet = {
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-title": "Accès au médecin traitant",
    }
    pages.post("project-health-project-draft-errors", drafting, half_filled_sheet)
    opinion = reverse("projects:urps_opinion", args=[deposited.pk])
    pages.as_user(urps).get("project-urps-opinion", opinion)
    pages.post("project-urps-opinion-errors", opinion, {"objectives_comment": ""})
    pages.as_user(am).get("project-am-opinion", reverse("projects:am_opinion", args=[health.pk]))
    return pages


def test_titles_name_the_page_then_the_portal_are_unique_and_flag_errors(pages):
    problems = []
    for state, title in sorted(pages.titles.items()):
        if not title.endswith(f" — {PORTAL}") or title.startswith(PORTAL):
            problems.append(f"{state}: « {title} » is not « <page> — {PORTAL} »")
        if state in pages.errors and not title.startswith(ERROR_PREFIX):
            problems.append(f"{state}: « {title} » sent back with errors, no « {ERROR_PREFIX}»")
        if state not in pages.errors and "Erreur" in title:
            problems.append(f"{state}: « {title} » says « Erreur » on a page without errors")
    states_by_title: dict[str, list[str]] = {}
    for state, title in pages.titles.items():
        states_by_title.setdefault(title, []).append(state)
    for title, states in states_by_title.items():
        if len(states) > 1:
            problems.append(f"{', '.join(states)}: share the title « {title} »")
    assert not problems, "page titles:\n" + "\n".join(problems)
