"""Territories in chromium: a misspelt commune's suggestions (with and without keeping the
text), the EPCI autocomplete, /territoires/ and a territory's page, the statistics page and
the favicon; axe-core on each new page state."""

from datetime import date, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from ami.models import Submission
from cpts_portal.roles import Role
from territories.models import Territory
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    CptsProjectFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
AXE = Axe()
BLOCKING_IMPACTS = ("serious", "critical")
OPTION_VALUES = "options => options.map(option => option.value)"


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def assert_axe_clean(page) -> None:
    violations = AXE.run(page).response["violations"]
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, f"axe, {page.url}:\n" + "\n".join(blocking)


@pytest.fixture
def ille_et_vilaine():
    call_command("load_geography", "--departements", "35", verbosity=0)


@pytest.fixture
def ars(page, live_server):
    sign_in(page, live_server, UserFactory(roles=[Role.ARS]))


def test_a_misspelt_commune_gets_a_suggestion_that_adds_it(ille_et_vilaine, ars, page):
    page.goto(reverse("territories:territory_create"))
    page.get_by_label("Nom du territoire").fill("Pays de Fougères")
    page.get_by_label("Ajouter des communes").fill("Fougèrs")
    page.get_by_role("button", name="Mettre à jour le territoire").click()
    expect(page.get_by_text("Vouliez-vous dire Fougères (35300)")).to_be_visible()
    assert_axe_clean(page)
    page.get_by_role("button", name="Ajouter Fougères (35300)").click()
    expect(page.locator("#territory-summary")).to_contain_text("1 commune")
    page.get_by_role("button", name="Enregistrer le territoire").click()
    territory = Territory.objects.get()
    assert list(territory.communes.values_list("insee_code", flat=True)) == ["35115"]
    assert territory.other_places == ""


def test_a_misspelt_commune_is_kept_as_typed_only_once_confirmed(ille_et_vilaine, ars, page):
    page.goto(reverse("territories:territory_create"))
    page.get_by_label("Nom du territoire").fill("Pays de Fougères")
    page.get_by_label("Ajouter des communes").fill("Fougèrs")
    # Sending without confirming keeps nothing and says why.
    page.get_by_role("button", name="Enregistrer le territoire").click()
    expect(page.get_by_text("Vouliez-vous dire Fougères (35300)")).to_be_visible()
    assert not Territory.objects.exists()
    page.locator("label", has_text="Garder « Fougèrs » tel quel").click()
    page.get_by_role("button", name="Mettre à jour le territoire").click()
    expect(page.get_by_text("lieux gardés tels que saisis : Fougèrs")).to_be_visible()
    page.get_by_role("button", name="Enregistrer le territoire").click()
    assert Territory.objects.get().other_place_list == ["Fougèrs"]
    page.goto(reverse("territories:territory_detail", args=[Territory.objects.get().pk]))
    expect(
        page.get_by_text("Lieux non reconnus, gardés tels que saisis : « Fougèrs »")
    ).to_be_visible()
    assert_axe_clean(page)


def test_suggestions_work_without_javascript(ille_et_vilaine, chromium, live_server):
    context = chromium.new_context(
        locale="fr-FR", base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        sign_in(page, live_server, UserFactory(roles=[Role.ARS]))
        page.goto(reverse("territories:territory_create"))
        page.get_by_label("Nom du territoire").fill("Pays de Fougères")
        page.get_by_label("Ajouter des communes").fill("Fougèrs")
        page.get_by_role("button", name="Mettre à jour le territoire").click()
        page.get_by_role("button", name="Ajouter Fougères (35300)").click()
        page.get_by_role("button", name="Enregistrer le territoire").click()
        assert Territory.objects.get().communes.get().name == "Fougères"
    finally:
        context.close()


def test_the_epci_field_offers_names_as_one_types(ille_et_vilaine, ars, page):
    page.goto(reverse("territories:territory_create"))
    epci = page.get_by_label("Ajouter toutes les communes d’une intercommunalité (EPCI)")
    epci.press_sequentially("fouger")
    options = page.locator(f"#{epci.get_attribute('id')}-list option")
    expect(options).to_have_count(1)
    assert options.evaluate_all(OPTION_VALUES) == ["CA Fougères Agglomération"]
    epci.fill("CA Fougères Agglomération")
    page.get_by_role("button", name="Mettre à jour le territoire").click()
    expect(page.locator("#territory-summary")).to_contain_text("28 communes")


def test_staff_find_every_territory_and_open_its_page(ars, page):
    shared = CommuneFactory(name="Lécousse", postal_codes="35133", population=3_000)
    answer_territory = TerritoryFactory(name="Territoire de la réponse", communes=[shared])
    submission = SubmissionFactory(territory=answer_territory)
    project = CptsProjectFactory(
        name="CPTS du Coglais",
        territory=TerritoryFactory(name="Territoire du Coglais", communes=[shared]),
    )
    for index in range(30):
        TerritoryFactory(name=f"Territoire {index:02d}", communes=[CommuneFactory()])
    page.goto(reverse("territories:territory_list"))
    expect(page.get_by_text("32 territoires")).to_be_visible()
    assert_axe_clean(page)
    page.get_by_label("Chevauchements").select_option("oui")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("2 territoires")).to_be_visible()
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Territoire de la réponse")
    )
    expect(row).to_contain_text(submission.reference)
    coglais = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Territoire du Coglais")
    )
    expect(coglais).to_contain_text(project.name)
    row.get_by_role("link", name="Territoire de la réponse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Territoire de la réponse")
    expect(page.get_by_text("Lécousse (35133)")).to_be_visible()
    expect(page.get_by_role("link", name="Territoire du Coglais")).to_be_visible()
    assert_axe_clean(page)


def test_statistics_page_is_short_with_charts_and_their_tables(page, live_server):
    sign_in(page, live_server, UserFactory(roles=[Role.ARS]))
    campaign = CampaignFactory(opens_on=date(2024, 1, 10), closes_on=date(2025, 12, 31))
    for month in range(1, 13):
        submission = SubmissionFactory(campaign=campaign, has_initiative=month % 2 == 0)
        moment = timezone.make_aware(datetime(2024, month, 3, 10))
        Submission.objects.filter(pk=submission.pk).update(submitted_at=moment)
    page.goto(reverse("staff:statistics"))
    expect(page.get_by_role("heading", name="Chiffres clés")).to_be_visible()
    charts = page.locator("svg.portal-svg-chart[role=img]")
    expect(charts).to_have_count(4)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, height  # was 8,573 px
    table = page.get_by_role("table", name="Réponses reçues par mois : données du graphique")
    expect(table).to_be_hidden()
    page.get_by_text("Voir les données du graphique").first.click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(25)  # header + 24 months
    assert_axe_clean(page)


def test_the_favicon_is_served(page, live_server):
    response = page.request.get(f"{live_server.url}/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    page.goto("/")
    href = page.locator("link[rel=icon]").first.get_attribute("href")
    assert page.request.get(f"{live_server.url}{href}").status == 200
