"""The ACI contract in a real browser: the payment schedule, an annual report submitted by
a coordinator and validated by the ARS; axe-core checks each page state."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpts_portal.roles import Role
from projects.models import AnnualReport, FundingRate, FundingScale, Mission, MissionIndicator
from tests.browser.test_accessibility import AXE, BLOCKING_IMPACTS, describe
from tests.factories import (
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.helpers import sign_contract

pytestmark = pytest.mark.browser


def sign_in(page, live_server, user) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def assert_axe_clean(page) -> None:
    violations = AXE.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe, {page.url}: serious or critical violations\n{describe(blocking)}"


def aci_data(today) -> None:
    """The browser tests are transactional: the seeded scale may be gone; enter one."""
    scale = FundingScale.objects.in_force(today - timedelta(days=400))
    if scale is None:
        scale = FundingScale.objects.create(
            name="Barème de test", source="Texte de test", valid_from=today - timedelta(days=900)
        )
    FundingRate.objects.update_or_create(
        scale=scale, tier=1, item=FundingRate.FUNCTIONING, defaults={"fixed_amount": 50_000}
    )
    FundingRate.objects.update_or_create(
        scale=scale,
        tier=1,
        item=Mission.PREVENTION,
        defaults={"fixed_amount": 5_000, "variable_amount": 10_000},
    )
    MissionIndicator.objects.create(
        mission=Mission.PREVENTION,
        name="Actions de prévention",
        unit="actions",
        target=4,
        source="Saisie de l’ARS (test)",
    )


def test_coordinator_submits_the_annual_report_and_the_ars_validates_it(
    transactional_db, page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    aci_data(today)
    owner = CoordinatorFactory(username="alice", first_name="Alice", last_name="Le Goff")
    ars = UserFactory(username="ars", roles=[Role.ARS])
    urps = UserFactory(username="urps", roles=[Role.URPS])
    am = UserFactory(username="cpam", roles=[Role.ASSURANCE_MALADIE])
    territory = TerritoryFactory(communes=[CommuneFactory(name="Douarnenez", population=14_000)])
    project = CptsProjectFactory(
        name="CPTS du Pays de Douarnenez", coordinators=[owner], territory=territory, by=ars
    )
    signed_on = today - timedelta(days=360)  # year 1 is under way, its report can be written
    sign_contract(project, signed_on, coordinator=owner, ars=ars, urps=urps, am=am)
    contract_url = reverse("projects:contract", args=[project.pk])

    # The coordinator reads the contract: the payment schedule, then writes the report.
    sign_in(page, live_server, owner)
    page.goto(contract_url)
    schedule = page.locator("#echeancier")
    assert "Versement à la signature" in schedule.inner_text()
    assert "50 000,00" in schedule.inner_text().replace("\u202f", " ").replace("\xa0", " ")
    assert "après validation du rapport" in schedule.inner_text()
    assert_axe_clean(page)
    page.get_by_role("link", name="Saisir le rapport de l’année 1").click()
    page.wait_for_url("**/contrat/rapport/1/")
    assert_axe_clean(page)
    # Sending without the value: the error next to the field, the comment kept.
    page.get_by_label("Commentaire de la CPTS").fill("Trois soirées de prévention.")
    with page.expect_navigation():
        page.get_by_role("button", name="Transmettre à l’ARS et à l’Assurance Maladie").click()
    assert "Indiquez la valeur atteinte" in page.content()
    assert page.get_by_label("Commentaire de la CPTS").input_value() == (
        "Trois soirées de prévention."
    )
    assert_axe_clean(page)
    page.get_by_label("Développement des actions territoriales de prévention — Actions").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Transmettre à l’ARS et à l’Assurance Maladie").click()
    assert (
        page.locator("#etat-rapport").text_content() == "Transmis à l’ARS et à l’Assurance Maladie"
    )
    assert AnnualReport.objects.get().status == AnnualReport.Status.SUBMITTED

    # The ARS reviews it and validates it: the balance of year 1 is then computed.
    sign_in(page, live_server, ars)
    page.goto(reverse("projects:contract_report", args=[project.pk, 1]))
    assert "75 %" in page.locator("#indicateurs").inner_text()
    assert_axe_clean(page)
    page.locator("label[for=id_decision_0]").click()  # the DSFR radio: its label
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la décision").click()
    assert "Le rapport est validé." in page.content()
    assert AnnualReport.objects.get().status == AnnualReport.Status.VALIDATED
    schedule = page.locator("#echeancier").inner_text().replace("\u202f", " ").replace("\xa0", " ")
    # Balance: 55,000 of fixed parts + 10,000 × 75 % − 50,000 paid at the signature.
    assert "12 500,00" in schedule
    assert_axe_clean(page)
