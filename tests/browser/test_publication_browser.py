# The fixtures geography and people come from tests/publication/conftest.py (imported).
# ruff: noqa: F811
"""The public pages of the publication app in chromium: « Trouver la CPTS de ma commune »
(found, not found, with the autocomplete), the coverage page (map and table), the API's
documentation page; axe-core clean (no serious or critical violation) and no CSP violation.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_security_csp import CspWatcher
from tests.factories import CampaignFactory
from tests.publication.conftest import geography, make_project, people, publish  # noqa: F401

pytestmark = pytest.mark.browser
AXE = Axe()


def assert_axe_clean(page) -> None:
    violations = AXE.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not blocking, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
        for v in blocking
    )


@pytest.fixture
def published(geography, people):
    project = make_project(
        "CPTS du pays de Douarnenez",
        [geography.douarnenez, geography.pouldergat],
        coordinators=[people.owner],
    )
    publish(project, people.owner, people.ars)
    return project


def test_visitor_finds_the_cpts_of_their_commune(page, published):
    csp = CspWatcher(page)
    csp.visit("/cpts/ma-commune/")
    assert_axe_clean(page)
    field = page.get_by_label("Votre commune")
    field.press_sequentially("Poul")  # the autocomplete offers the commune's label
    expect(page.locator("#id_commune-communes option")).to_have_count(1)
    field.fill("Pouldergat")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    results = page.locator("#resultats")
    expect(results.get_by_role("heading", name="CPTS du pays de Douarnenez")).to_be_visible()
    expect(results).to_contain_text("contact@cpts-douarnenez.fr")
    expect(page).to_have_title(re.compile(r"^CPTS de Pouldergat — Trouver la CPTS"))
    csp.collect("résultat")
    assert_axe_clean(page)
    assert not csp.violations, csp.violations


def test_visitor_without_cpts_is_invited_to_the_open_ami(page, published, geography):
    campaign = CampaignFactory()
    csp = CspWatcher(page)
    csp.visit("/cpts/ma-commune/?commune=Quimper")
    callout = page.locator(".fr-callout")
    expect(callout).to_contain_text("Aucune CPTS publiée ne couvre encore votre commune")
    link = callout.get_by_role("link", name=re.compile("Répondre à l’appel"))
    expect(link).to_have_attribute("href", campaign.get_absolute_url())
    assert_axe_clean(page)
    assert not csp.violations, csp.violations


def test_unknown_commune_shows_the_error_next_to_the_field(page, geography):
    page.goto("/cpts/ma-commune/?commune=Zzzzville")
    expect(page).to_have_title(re.compile("^Erreur — "))
    expect(page.locator("#id_commune")).to_have_value("Zzzzville")
    assert_axe_clean(page)


def test_coverage_page_shows_the_map_and_the_table(page, published):
    csp = CspWatcher(page)
    csp.visit("/cpts/couverture/")
    svg = page.locator("svg.coverage-map__svg")
    expect(svg).to_be_visible()
    assert svg.locator("path.coverage-out").count() == 94
    # Finistère: 15 200 of 78 200 inhabitants (19.4 %), the first bucket; Côtes-d'Armor: none.
    fill = svg.locator("path.coverage-1").evaluate("p => getComputedStyle(p).fill")
    assert fill == "rgb(202, 202, 251)"
    table = page.get_by_role("table", name=re.compile("Bretagne"))
    row = table.get_by_role("row", name=re.compile("Finistère"))
    expect(row).to_contain_text("19,4 %")
    expect(table.get_by_role("row", name=re.compile("Côtes-d'Armor"))).to_contain_text("0,0 %")
    assert_axe_clean(page)
    assert not csp.violations, csp.violations


def test_api_documentation_runs_under_the_csp(page, db):
    csp = CspWatcher(page)
    csp.visit("/api/v1/docs/")
    expect(page.get_by_text("API du portail CPTS")).to_be_visible()
    expect(page.get_by_text("/api/v1/projets/").first).to_be_visible()
    csp.collect("docs")
    assert not csp.violations, csp.violations


def test_coordinator_consents_then_ars_validates_in_the_browser(
    page,
    live_server,
    geography,
    people,
):
    from django.conf import settings
    from django.test import Client

    project = make_project("CPTS du Cap", [geography.douarnenez], coordinators=[people.owner])

    def sign_in(user) -> None:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
        )

    csp = CspWatcher(page)
    sign_in(people.owner)
    csp.visit(f"/cpts/publication/{project.pk}/")
    page.get_by_role("button", name="Donner mon accord pour publier").click()
    page.wait_for_load_state()
    expect(page).to_have_title(re.compile("^Erreur — "))
    assert_axe_clean(page)
    page.get_by_label("Contact à publier : nom ou fonction").fill("Coordinatrice")
    page.get_by_label("Adresse électronique à publier").fill("contact@cpts-cap.fr")
    page.get_by_label(re.compile("J’accepte, pour la CPTS")).check(force=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Donner mon accord pour publier").click()
    expect(page.get_by_text("en attente de la validation de l’ARS")).to_be_visible()
    assert_axe_clean(page)

    sign_in(people.ars)
    csp.visit(f"/cpts/publication/{project.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Valider la publication").click()
    expect(page.locator(".fr-badge--success")).to_have_text("Publié")
    assert_axe_clean(page)
    csp.collect("validation")
    assert not csp.violations, csp.violations
