"""No page breaks the Content-Security-Policy in a real browser (Debian's chromium).

The policy (cpts_portal/settings.py) allows no inline script or style: any inline
``<script>``, ``style="..."`` attribute, ``on...=`` handler, ``javascript:`` URL, eval, or a
resource from another origin is refused by the browser, which fires a
``securitypolicyviolation`` event and logs a console error. Both are collected on every
page, after the interactions that run our JavaScript and the DSFR's.
"""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import CampaignFactory, SubmissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || location.pathname}:${event.lineNumber}`
  );
});
"""
PASSWORD = "Un mot de passe assez long 42"


class CspWatcher:
    """Collects the CSP violations of a Playwright page, page after page."""

    def __init__(self, page) -> None:
        self.page = page
        self.violations: list[str] = []
        page.add_init_script(LISTENER)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def collect(self, label: str) -> None:
        self.page.wait_for_load_state("networkidle")
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self.violations.append(f"{label}: {violation}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        header = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in header, (url, header)
        self.collect(url)


def log_in_the_browser(page, live_server, session_data: dict) -> None:
    """Give the browser a session holding ``session_data`` (e.g. the answers it sent)."""
    session = SessionStore()
    session.update(session_data)
    session.create()
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key}
    page.context.add_cookies([{**cookie, "url": live_server.url}])


def test_public_pages_break_no_content_security_policy(page, live_server):
    watcher = CspWatcher(page)
    campaign = CampaignFactory()
    submission = SubmissionFactory(campaign=campaign)

    watcher.visit(reverse("ami:home"))

    # The form, with the DSFR accordion, the rows added by JavaScript, the autocomplete...
    watcher.visit(reverse("ami:answer", kwargs={"slug": campaign.slug}))
    accordion = page.get_by_role("button", name=re.compile("Le texte de l’appel"))
    accordion.click()
    # expect() polls without eval: wait_for_function's string can fall foul of the CSP itself.
    expect(page.locator("#texte-appel")).to_be_visible()
    assert accordion.get_attribute("aria-expanded") == "true"  # the DSFR's JS runs
    page.get_by_role("button", name="Ajouter un acteur").click()
    page.get_by_role("button", name="Ajouter un référent").click()
    autocomplete = page.locator("input[data-commune-autocomplete]")
    if autocomplete.count():
        autocomplete.first.fill("Quimp")
    watcher.collect("answer form, after interactions")

    # ... then sent empty: the page with the errors and the focused summary.
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.wait_for_load_state()
    assert page.locator("#erreurs").is_visible()
    watcher.collect("answer form with errors")

    # The confirmation, shown to the browser that sent the answer.
    log_in_the_browser(page, live_server, {"ami_submitted": [submission.pk]})
    watcher.visit(reverse("ami:confirmation", kwargs={"slug": campaign.slug, "pk": submission.pk}))
    assert "a bien été reçue" in page.content()

    # The private pages.
    watcher.visit(submission.get_private_url())
    watcher.visit(reverse("ami:edit", kwargs={"token": submission.access_token}))
    page.get_by_role("button", name="Ajouter un acteur").click()
    watcher.collect("edit form, after adding a row")

    watcher.visit(reverse("privacy"))
    watcher.visit(reverse("legal"))

    assert watcher.violations == []


def test_admin_pages_break_no_content_security_policy(page, live_server, django_user_model):
    watcher = CspWatcher(page)
    submission = SubmissionFactory()
    chief = django_user_model.objects.create_superuser("chef", "chef@ars.sante.fr", PASSWORD)

    watcher.visit(reverse("admin:login"))
    page.get_by_label("Nom d’utilisateur").fill("chef")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/admin/")
    watcher.collect("admin index")

    watcher.visit(reverse("admin:ami_submission_changelist"))
    watcher.visit(reverse("admin:ami_submission_change", args=[submission.pk]))
    watcher.visit(reverse("admin:ami_campaign_add"))
    watcher.visit(reverse("admin:auth_user_changelist"))
    watcher.visit(reverse("admin:auth_user_change", args=[chief.pk]))

    assert watcher.violations == []
