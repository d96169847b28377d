"""axe-core on every page of the portal, in the states that matter, as the right user.

Each case below puts a new page in one state (an empty form, a form sent with errors, a
confirmation...) as the user who sees it, then axe-core (``axe-playwright-python``, the
axe build it bundles) checks the whole document. A case fails on any violation of impact
« serious » or « critical »; the « moderate » and « minor » ones are printed, for
information (``pytest -s`` or ``-rP`` shows them).

The data of a case is made with the factories when the case runs: the browser tests are
transactional, the database is emptied after each one. The live server is pytest-django's,
one per xdist worker; so is the browser context (``warm_page``): its cookies are cleared
before each case, its HTTP cache is kept, so the DSFR's CSS, JavaScript, fonts and icons are
downloaded once per worker instead of once per case.

A case whose markup belongs to work in progress elsewhere may be registered with
``@case("name", pytest.mark.xfail(strict=True, reason="<rule>: <element>, <template>"))``:
it then fails the suite as soon as it passes, so that the mark goes with the fix.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami.models import PdfBatch, Submission
from ami.staff import services as staff_services
from cpts_portal.roles import Role
from projects.models import Stage
from tests.conftest import keep_failing_page
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    DepartementFactory,
    ExchangeFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.helpers import advance_to

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = ("serious", "critical")
AXE = Axe()


@dataclass
class Visit:
    """The page of one case, and what a case needs to put it in its state."""

    page: object
    live_server: object
    settings: object

    def sign_in(self, user) -> None:
        """Reuse a Django session in the browser: the login form has cases of its own."""
        client = Client()
        client.force_login(user)
        self._session_cookie(client.cookies[django_settings.SESSION_COOKIE_NAME].value)

    def anonymous_session(self, data: dict) -> None:
        session = SessionStore()
        session.update(data)
        session.create()
        self._session_cookie(session.session_key)

    def _session_cookie(self, value: str) -> None:
        cookie = {"name": django_settings.SESSION_COOKIE_NAME, "value": value}
        self.page.context.add_cookies([{**cookie, "url": self.live_server.url}])

    def open(self, url: str, status: int = 200) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == status, (
            f"GET {url}: {response and response.status}, expected {status}"
        )

    def press(self, button: str) -> None:
        """Send a form with the button of this name, wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button, exact=True).click()


Case = Callable[[Visit], None]
CASES: list = []


def case(name: str, *marks) -> Callable[[Case], Case]:
    def register(function: Case) -> Case:
        CASES.append(pytest.param(function, id=name, marks=marks))
        return function

    return register


def staff(role: str = Role.ARS, **kwargs):
    return UserFactory(roles=[role], first_name="Anne", last_name="Kervella", **kwargs)


# --- Public pages ----------------------------------------------------------------------


@case("home")
def _(visit: Visit) -> None:
    CampaignFactory()
    visit.open("/")


@case("home-mobile-menu")
def _(visit: Visit) -> None:
    """On a phone, with the header's menu opened (the DSFR's modal)."""
    visit.page.set_viewport_size({"width": 375, "height": 800})
    visit.sign_in(staff())
    visit.open("/")
    visit.page.get_by_role("button", name="Menu").click()
    visit.page.locator("#menu-principal").wait_for(state="visible")
    visit.page.locator("#menu-principal .fr-nav__link").first.wait_for(state="visible")


@case("ami-form-empty")
def _(visit: Visit) -> None:
    visit.open(CampaignFactory().get_absolute_url())


@case("ami-form-errors")
def _(visit: Visit) -> None:
    """Errors everywhere, a référent row added by JavaScript, homonym communes to pick."""
    CommuneFactory(name="Saint-Martin", insee_code="29901")
    CommuneFactory(
        name="Saint-Martin", insee_code="22901", departement=DepartementFactory(code="22")
    )
    visit.open(CampaignFactory().get_absolute_url())
    page = visit.page
    page.locator("#id_actors-0-practice_place").fill("Saint-Martin")
    page.get_by_role("button", name="Ajouter un référent").click()
    page.locator("#id_referents-1-phone").fill("12")
    page.locator("#id_meeting_wished_by").fill("2000-01-01")
    visit.press("Envoyer ma réponse")
    assert page.locator("#erreurs").is_visible()
    assert page.locator("#id_actors-0-practice_place-candidates").is_visible()
    assert page.locator("#id_referents-1-phone").is_visible()


@case("ami-form-territory-chosen")
def _(visit: Visit) -> None:
    """After the builder's button: the territory's summary, the communes to remove."""
    CommuneFactory(name="Douarnenez", population=14_000)
    CommuneFactory(name="Pouldergat", population=1_200)
    visit.open(CampaignFactory().get_absolute_url())
    visit.page.locator("#id_territory-add_communes").fill("Douarnenez, Pouldergat")
    # With JavaScript the builder alone is replaced, without reloading the page
    # (static/js/answer-form.js); it takes the focus, and its summary describes it.
    visit.page.get_by_role("button", name="Mettre à jour le territoire").click()
    visit.page.locator("#territory-summary").wait_for()
    assert visit.page.evaluate("document.activeElement.id") == "territory-builder"
    assert "2 communes" in visit.page.locator("#territory-summary").inner_text()


@case("ami-form-closed-call")
def _(visit: Visit) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    visit.open(CampaignFactory(closes_on=yesterday).get_absolute_url())


@case("ami-confirmation")
def _(visit: Visit) -> None:
    submission = SubmissionFactory()
    visit.anonymous_session({"ami_submitted": [submission.pk]})
    visit.open(
        reverse("ami:confirmation", kwargs={"slug": submission.campaign.slug, "pk": submission.pk})
    )
    assert "a bien été reçue" in visit.page.content()


@case("follow")
def _(visit: Visit) -> None:
    agent = staff()
    submission = SubmissionFactory()
    staff_services.change_status(submission, Submission.Status.IN_REVIEW, by=agent)
    staff_services.send_message(submission, agent, "Bonjour, quelles sont vos disponibilités ?")
    ExchangeFactory(submission=submission, video_url="https://visio.example.org/cpts")
    visit.open(submission.get_private_url())


@case("follow-link-expired")
def _(visit: Visit) -> None:
    submission = SubmissionFactory()
    Submission.objects.filter(pk=submission.pk).update(
        access_expires_at=timezone.now() - timedelta(days=1)
    )
    visit.open(submission.get_private_url(), status=410)


@case("follow-edit-form")
def _(visit: Visit) -> None:
    visit.open(reverse("ami:edit", kwargs={"token": SubmissionFactory().access_token}))


@case("follow-edit-errors")
def _(visit: Visit) -> None:
    visit.open(reverse("ami:edit", kwargs={"token": SubmissionFactory().access_token}))
    visit.page.locator("#id_context").fill("")
    visit.press("Enregistrer les modifications")
    assert visit.page.locator("#erreurs").is_visible()


@case("privacy")
def _(visit: Visit) -> None:
    visit.open(reverse("privacy"))


@case("legal")
def _(visit: Visit) -> None:
    visit.open(reverse("legal"))


@case("accessibility-statement")
def _(visit: Visit) -> None:
    visit.open(reverse("accessibility"))


@case("login-form")
def _(visit: Visit) -> None:
    visit.open(reverse("login"))


@case("login-errors")
def _(visit: Visit) -> None:
    visit.open(reverse("login"))
    visit.page.get_by_label("Nom d’utilisateur").fill("personne")
    visit.page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    visit.press("Se connecter")
    assert "Identifiant ou mot de passe incorrect" in visit.page.content()


@case("login-locked")
def _(visit: Visit) -> None:
    """django-axes' lockout page (429), after too many failures for one username."""
    agent = staff()
    client = Client()  # from 127.0.0.1, like the browser
    for _attempt in range(visit.settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": agent.username, "password": "non"})
    visit.open(reverse("login"))
    visit.page.get_by_label("Nom d’utilisateur").fill(agent.username)
    visit.page.get_by_label("Mot de passe").fill("toujours pas")
    visit.press("Se connecter")
    assert "Connexion temporairement bloquée" in visit.page.title()


@case("error-csrf")
def _(visit: Visit) -> None:
    """The French page of a form sent without its CSRF cookie (403)."""
    visit.open(reverse("login"))
    visit.page.context.clear_cookies()
    visit.press("Se connecter")
    assert "Formulaire expiré" in visit.page.title()


@case("error-404")
def _(visit: Visit) -> None:
    visit.open("/nulle-part/", status=404)


@case("error-429")
def _(visit: Visit) -> None:
    visit.settings.RATELIMIT_ENABLED = True
    visit.settings.RATELIMIT_RULES = {"ami:follow": ("GET", 0, 3600)}
    visit.open(SubmissionFactory().get_private_url(), status=429)


@case("error-403")
def _(visit: Visit) -> None:
    visit.sign_in(CoordinatorFactory())
    visit.open(reverse("staff:dashboard"), status=403)


# --- Staff: AMI triage -------------------------------------------------------------------


def triaged_submission(agent) -> Submission:
    submission = SubmissionFactory()
    SubmissionFactory(campaign=submission.campaign)
    staff_services.change_status(submission, Submission.Status.IN_REVIEW, by=agent)
    staff_services.send_message(submission, agent, "Bonjour, quelles sont vos disponibilités ?")
    return submission


@case("staff-dashboard")
def _(visit: Visit) -> None:
    agent = staff()
    triaged_submission(agent)
    visit.sign_in(agent)
    visit.open(reverse("staff:dashboard"))


@case("staff-submission")
def _(visit: Visit) -> None:
    agent = staff()
    submission = triaged_submission(agent)
    visit.sign_in(agent)
    visit.open(reverse("staff:submission", args=[submission.pk]))


@case("staff-submission-errors")
def _(visit: Visit) -> None:
    agent = staff()
    submission = triaged_submission(agent)
    visit.sign_in(agent)
    visit.open(reverse("staff:submission", args=[submission.pk]))
    visit.page.locator("summary", has_text="Planifier l’échange").click()  # opens on demand
    visit.press("Planifier et inviter")


@case("staff-statistics")
def _(visit: Visit) -> None:
    agent = staff()
    triaged_submission(agent)
    visit.sign_in(agent)
    visit.open(reverse("staff:statistics"))


@case("staff-batch")
def _(visit: Visit) -> None:
    agent = staff()
    submission = triaged_submission(agent)
    batch = PdfBatch.objects.create(
        requested_by=agent, submission_ids=[submission.pk], total=2, done=1,
        status=PdfBatch.Status.RUNNING,
    )  # fmt: skip
    visit.sign_in(agent)
    visit.open(reverse("staff:batch", args=[batch.pk]))


# --- Staff: territories --------------------------------------------------------------------


@case("territory-new")
def _(visit: Visit) -> None:
    visit.sign_in(staff())
    visit.open(reverse("territories:territory_create"))


@case("territory-new-errors")
def _(visit: Visit) -> None:
    visit.sign_in(staff())
    visit.open(reverse("territories:territory_create"))
    visit.press("Enregistrer le territoire")


@case("territory-page")
def _(visit: Visit) -> None:
    communes = [CommuneFactory(name="Douarnenez"), CommuneFactory(name="Poullan-sur-Mer")]
    territory = TerritoryFactory(name="Pays de Douarnenez", communes=communes)
    TerritoryFactory(name="Cap Sizun", communes=communes[1:])
    visit.sign_in(staff())
    visit.open(reverse("territories:territory_edit", args=[territory.pk]))


@case("territory-page-read-only")
def _(visit: Visit) -> None:
    territory = TerritoryFactory(communes=[CommuneFactory(name="Douarnenez")])
    visit.sign_in(staff(Role.URPS))
    visit.open(reverse("territories:territory_edit", args=[territory.pk]))


# --- Coordinators and staff: CPTS projects ---------------------------------------------------


@dataclass
class People:
    coordinator: object
    ars: object
    urps: object
    am: object


def project_at(stage: Stage):
    people = People(
        coordinator=CoordinatorFactory(first_name="Alice", last_name="Le Goff"),
        ars=staff(Role.ARS),
        urps=UserFactory(roles=[Role.URPS]),
        am=UserFactory(roles=[Role.ASSURANCE_MALADIE]),
    )
    territory = TerritoryFactory(communes=[CommuneFactory(name="Douarnenez", population=14_000)])
    project = CptsProjectFactory(
        name="CPTS du Pays de Douarnenez",
        coordinators=[people.coordinator],
        territory=territory,
        by=people.ars,
    )
    advance_to(project, stage, **vars(people))
    return project, people


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@case("projects-list-coordinator")
def _(visit: Visit) -> None:
    _project, people = project_at(Stage.DRAFT)
    visit.sign_in(people.coordinator)
    visit.open(reverse("projects:list"))


@case("projects-list-staff")
def _(visit: Visit) -> None:
    _project, people = project_at(Stage.LETTER_DEPOSITED)
    visit.sign_in(people.ars)
    visit.open(reverse("projects:list"))


@case("projects-list-paginated")
def _(visit: Visit) -> None:
    """More projects than a page (projects.views.projects.PAGE_SIZE): the DSFR pagination."""
    _project, people = project_at(Stage.LETTER_DEPOSITED)
    CptsProjectFactory.create_batch(50, by=people.ars)
    visit.sign_in(people.ars)
    visit.open(reverse("projects:list") + "?page=2")


@case("project-new-errors")
def _(visit: Visit) -> None:
    visit.sign_in(staff(Role.ARS))
    visit.open(reverse("projects:create"))
    visit.press("Enregistrer")


@case("project-page-coordinator")
def _(visit: Visit) -> None:
    project, people = project_at(Stage.DRAFT)
    visit.sign_in(people.coordinator)
    visit.open(project.get_absolute_url())


@case("project-page-staff")
def _(visit: Visit) -> None:
    project, people = project_at(Stage.HEALTH_PROJECT_DRAFTING)
    visit.sign_in(people.ars)
    visit.open(project.get_absolute_url())


@case("project-letter-form")
def _(visit: Visit) -> None:
    project, people = project_at(Stage.DRAFT)
    visit.sign_in(people.coordinator)
    visit.open(reverse("projects:letter", args=[project.pk]))


@case("project-letter-errors")
def _(visit: Visit) -> None:
    project, people = project_at(Stage.DRAFT)
    visit.sign_in(people.coordinator)
    visit.open(reverse("projects:letter", args=[project.pk]))
    visit.press("Enregistrer et déposer la lettre d’intention")


@case("project-urps-opinion-form")
def _(visit: Visit) -> None:
    project, people = project_at(Stage.LETTER_DEPOSITED)
    visit.sign_in(people.urps)
    visit.open(reverse("projects:urps_opinion", args=[project.pk]))


@case("project-urps-opinion-errors")
def _(visit: Visit) -> None:
    project, people = project_at(Stage.LETTER_DEPOSITED)
    visit.sign_in(people.urps)
    visit.open(reverse("projects:urps_opinion", args=[project.pk]))
    visit.press("Enregistrer l’avis")


@case("project-am-opinion-form")
def _(visit: Visit) -> None:
    project, people = project_at(Stage.HEALTH_PROJECT_DEPOSITED)
    visit.sign_in(people.am)
    visit.open(reverse("projects:am_opinion", args=[project.pk]))


@case("project-health-project-form")
def _(visit: Visit) -> None:
    project, people = project_at(Stage.HEALTH_PROJECT_DRAFTING)
    visit.sign_in(people.coordinator)
    visit.open(reverse("projects:health_project", args=[project.pk]))


@case("project-contract")
def _(visit: Visit) -> None:
    project, people = project_at(Stage.CONTRACT_SIGNED)
    visit.sign_in(people.ars)
    visit.open(reverse("projects:contract", args=[project.pk]))


# --- The test --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def warm_context(chromium, live_server):
    """One browser context per xdist worker, like the ``page`` fixture's, kept warm."""
    context = chromium.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    yield context
    context.close()


@pytest.fixture
def warm_page(warm_context, live_server, request):
    """A new page in the shared context, without cookies; screenshot on failure.

    Asking for ``live_server`` makes the test transactional, as the ``page`` fixture does.
    """
    warm_context.clear_cookies()
    page = warm_context.new_page()
    try:
        yield page
    finally:
        keep_failing_page(page, request.node)
        page.close()


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}")
    return "\n".join(lines)


@pytest.mark.usefixtures("media_root")
@pytest.mark.parametrize("put_page_in_state", CASES)
def test_no_serious_or_critical_axe_violation(put_page_in_state, warm_page, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # login cases
    visit = Visit(warm_page, live_server, settings)
    put_page_in_state(visit)

    violations = AXE.run(warm_page).response["violations"]

    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    others = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    if others:
        print(f"axe, {warm_page.url}, not blocking:\n{describe(others)}")
    assert not blocking, (
        f"axe, {warm_page.url}: serious or critical violations\n{describe(blocking)}"
    )
