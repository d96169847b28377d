"""After a failed submit the error summary has the focus, and its links lead to the fields
(RGAA 11.10, 11.11), on the staff answer page and on the ACI contract page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from ami.models import Submission
from ami.staff import services as staff_services
from cpts_portal.roles import Role
from projects.models import Stage
from tests.factories import (
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.helpers import advance_to

pytestmark = pytest.mark.browser


def sign_in(page, live_server, user) -> None:
    """Reuse a Django session in the browser: the login form is tested elsewhere."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_closing_without_a_reason_puts_the_focus_on_the_summary(page, live_server):
    agent = UserFactory(roles=[Role.ARS])
    submission = SubmissionFactory(assignee=agent)
    staff_services.change_status(submission, Submission.Status.IN_REVIEW, by=agent)
    sign_in(page, live_server, agent)
    page.goto(reverse("staff:submission", args=[submission.pk]))

    page.locator("summary", has_text="Clore").click()  # the form opens on demand
    close = page.locator("form[action$='/cloture/']")
    close.get_by_label("Message aux référents").fill("Doublon probable")
    with page.expect_navigation():
        close.get_by_role("button", name="Clore la réponse").click()

    assert page.title().startswith("Erreur — ")
    assert focused_id(page) == "erreurs"
    summary = page.locator("#erreurs")
    assert "Le formulaire contient 1 erreur" in summary.inner_text()
    # The summary's link leads to the field, which keeps what was typed around it.
    link = summary.get_by_role("link", name="Motif de la clôture : Ce champ est obligatoire.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_cloture-reason"
    link.press("Enter")
    assert focused_id(page) == "id_cloture-reason"
    assert page.locator("#id_cloture-message").input_value() == "Doublon probable"
    submission.refresh_from_db()
    assert submission.status == Submission.Status.IN_REVIEW


def test_contract_parties_with_errors_come_back_open_with_the_focus_on_the_summary(
    page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    people = {
        "coordinator": CoordinatorFactory(),
        "ars": UserFactory(roles=[Role.ARS]),
        "urps": UserFactory(roles=[Role.URPS]),
        "am": UserFactory(roles=[Role.ASSURANCE_MALADIE]),
    }
    territory = TerritoryFactory(communes=[CommuneFactory(name="Douarnenez", population=14_000)])
    project = CptsProjectFactory(
        name="CPTS du Pays de Douarnenez",
        coordinators=[people["coordinator"]],
        territory=territory,
        by=people["ars"],
    )
    advance_to(project, Stage.CONTRACT_SIGNED, **people)
    sign_in(page, live_server, people["ars"])
    page.goto(reverse("projects:contract", args=[project.pk]))

    page.get_by_text("Modifier les parties au contrat").click()
    field = page.locator("#id_cpam_name")
    field.fill("C" * 200)
    # One character more than the field allows: maxlength is left aside, as a paste could.
    field.evaluate("element => { element.removeAttribute('maxlength'); element.value += 'C'; }")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les parties").click()

    assert focused_id(page) == "erreurs"
    assert page.locator("details:has(#id_cpam_name)").get_attribute("open") is not None
    page.locator("#erreurs").get_by_role("link").click()
    assert focused_id(page) == "id_cpam_name"

    violations = Axe().run(page).response["violations"]
    blocking = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert not blocking, blocking
