"""The funding simulation: a versioned scale with its source, the version in force, the seed."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from projects.models import FundingRate, FundingScale, Mission, SourceStatus, Stage
from projects.selectors import funding_simulation
from tests.factories import CommuneFactory, CptsProjectFactory, TerritoryFactory

from .helpers import advance_to

pytestmark = pytest.mark.django_db

FUNCTIONING = "Fonctionnement de la CPTS"


def scale_2019() -> FundingScale:
    return FundingScale.objects.get(valid_from=date(2019, 8, 25))


def seeded_scale() -> FundingScale:
    """The version in force today: avenant 2 (20 December 2021)."""
    return FundingScale.objects.get(valid_from=date(2021, 12, 20))


def amounts(scale: FundingScale, item: str) -> dict[int, Decimal]:
    return {rate.tier: rate.fixed_amount for rate in scale.rates.filter(item=item)}


def test_the_2019_scale_is_seeded_with_its_official_source_and_dates():
    scale = scale_2019()
    assert (scale.valid_from, scale.valid_until) == (date(2019, 8, 25), date(2021, 12, 19))
    assert scale.source_status == SourceStatus.OFFICIAL
    assert "arrêté du 21 août 2019" in scale.source
    assert "Journal officiel du 24 août 2019" in scale.source
    assert amounts(scale, FundingRate.FUNCTIONING) == {
        1: Decimal(50_000),
        2: Decimal(60_000),
        3: Decimal(75_000),
        4: Decimal(90_000),
    }
    functioning = scale.rates.filter(item=FundingRate.FUNCTIONING).first()
    assert "Sénat" in functioning.source
    assert functioning.source_reliability == SourceStatus.SECONDARY
    assert amounts(scale, FundingRate.ANNUAL_MAXIMUM) == {
        1: Decimal(220_000),
        2: Decimal(287_000),
        3: Decimal(370_000),
        4: Decimal(450_000),
    }
    maximum = scale.rates.filter(item=FundingRate.ANNUAL_MAXIMUM).first()
    assert maximum.source_reliability == SourceStatus.PRESS
    # No mission amount is seeded: none can be cited.
    assert not scale.rates.filter(item__in=Mission.values).exists()
    # No internal note of the product brief is left in any source.
    for text in FundingScale.objects.values_list("source", flat=True):
        assert "à vérifier" not in text and "issue" not in text
    for text in FundingRate.objects.values_list("source", flat=True):
        assert "à vérifier" not in text and "issue" not in text


def test_avenant_2_is_seeded_from_its_signature_with_press_figures_to_confirm():
    scale = seeded_scale()
    assert scale.valid_until is None
    assert "20 décembre 2021" in scale.source
    assert amounts(scale, FundingRate.FUNCTIONING) == {
        1: Decimal(87_500),
        2: Decimal(105_000),
        3: Decimal(131_250),
        4: Decimal(157_500),
    }
    assert {rate.source_reliability for rate in scale.rates.filter(item="fonctionnement")} == {
        SourceStatus.PRESS
    }
    # The lettre d'intention envelope: only the two ends of the range were found.
    assert amounts(scale, FundingRate.LETTER_ENVELOPE) == {1: Decimal(15_000), 4: Decimal(30_000)}
    assert FundingScale.objects.in_force(timezone.localdate()) == scale
    assert FundingScale.objects.in_force(date(2021, 12, 19)) == scale_2019()


@pytest.mark.parametrize(
    ("population", "amount"),
    [(39_999, 87_500), (40_000, 105_000), (175_000, 131_250), (175_001, 157_500)],
)
def test_simulation_takes_the_functioning_part_of_the_size_tier(ars, population, amount):
    territory = TerritoryFactory(communes=[CommuneFactory(population=population)])
    project = CptsProjectFactory(territory=territory, by=ars)
    simulation = funding_simulation(project, [])
    assert [(line.label, line.fixed) for line in simulation.lines] == [
        (FUNCTIONING, Decimal(amount))
    ]
    assert simulation.scale == seeded_scale()
    assert simulation.missing_items == []


def test_missions_without_a_rate_are_listed_not_counted_as_zero(project):
    simulation = funding_simulation(project, [Mission.PREVENTION])
    assert simulation.tier.number == 1
    assert simulation.population == 15_200
    assert simulation.total == Decimal(87_500)
    assert simulation.missing_items == ["Développement des actions territoriales de prévention"]


def test_simulation_sums_the_rates_of_the_tier_in_the_version_in_force(project):
    scale = seeded_scale()
    FundingRate.objects.create(
        scale=scale, tier=1, item=Mission.PREVENTION, fixed_amount=10, variable_amount=5
    )
    FundingRate.objects.create(scale=scale, tier=2, item=Mission.PREVENTION, fixed_amount=999)
    simulation = funding_simulation(project, [Mission.PREVENTION])
    assert simulation.missing_items == []
    assert (simulation.fixed_total, simulation.variable_total, simulation.total) == (
        Decimal(87_510),
        Decimal(5),
        Decimal(87_515),
    )
    # A line without its own source takes the version's, and its reliability.
    assert simulation.lines[1].source == scale.source
    assert simulation.lines[1].source_status == SourceStatus.SECONDARY


def test_a_newer_version_replaces_the_old_one_from_its_first_day(project):
    today = timezone.localdate()
    old = seeded_scale()
    old.valid_until = today - timedelta(days=1)
    old.save()
    new = FundingScale.objects.create(
        name="Avenant de test", source="Avenant n° X à l’ACI", valid_from=today
    )
    FundingRate.objects.create(
        scale=new, tier=1, item=FundingRate.FUNCTIONING, fixed_amount=55_000, source="Art. 1"
    )
    simulation = funding_simulation(project, [])
    assert simulation.scale == new
    assert [line.fixed for line in simulation.lines] == [Decimal(55_000)]
    assert simulation.sources == [("Art. 1", "")]
    # The day before, the previous version was in force.
    yesterday = funding_simulation(project, [], on=today - timedelta(days=1))
    assert yesterday.scale == old
    assert [line.fixed for line in yesterday.lines] == [Decimal(87_500)]


def test_without_a_version_in_force_every_item_is_missing(project):
    FundingScale.objects.all().delete()
    simulation = funding_simulation(project, [Mission.PREVENTION])
    assert simulation.scale is None
    assert simulation.lines == []
    assert simulation.missing_items == [
        FUNCTIONING,
        "Développement des actions territoriales de prévention",
    ]


def test_overlapping_versions_are_refused():
    overlapping = FundingScale(name="Doublon", source="x", valid_from=date(2024, 1, 1))
    with pytest.raises(ValidationError, match="recouvre"):
        overlapping.full_clean()
    backwards = FundingScale(
        name="À l’envers", source="x", valid_from=date(2018, 1, 2), valid_until=date(2018, 1, 1)
    )
    with pytest.raises(ValidationError):
        backwards.full_clean()
    before = FundingScale(
        name="Avant l’ACI", source="x", valid_from=date(2018, 1, 1), valid_until=date(2019, 8, 20)
    )
    before.full_clean()


def test_contract_page_shows_the_version_the_amounts_and_their_source(
    client, project, owner, ars, urps, am
):
    advance_to(
        project, Stage.HEALTH_PROJECT_VALIDATED, coordinator=owner, ars=ars, urps=urps, am=am
    )
    client.force_login(owner)
    page = client.get(reverse("projects:contract", kwargs={"pk": project.pk})).content.decode()
    assert "Barème en vigueur : Avenant 2 à l’ACI, depuis le 20 décembre 2021" in page
    assert re.search(r'<th scope="row">Fonctionnement de la CPTS</th><td>87\s500</td>', page)
    # The coordinators read the source in plain words, never an internal note (issue 14).
    assert "Source : Presse spécialisée et projet d’avenant d’un syndicat" in page
    assert "à vérifier" not in page and "cahier des charges" not in page
    assert "à confirmer" not in page
    assert "Montants non encore connus :" in page
    # Staff read how sure the figure is; the ARS can correct it in the administration.
    client.force_login(ars)
    page = client.get(reverse("projects:contract", kwargs={"pk": project.pk})).content.decode()
    assert "source : presse spécialisée, à confirmer" in page
    assert reverse("admin:projects_fundingscale_changelist") in page
    client.force_login(urps)
    page = client.get(reverse("projects:contract", kwargs={"pk": project.pk})).content.decode()
    assert "source : presse spécialisée, à confirmer" in page
    assert reverse("admin:projects_fundingscale_changelist") not in page


def test_ars_edits_the_scale_versions_in_the_admin(client, ars):
    client.force_login(ars)
    scale = seeded_scale()
    assert client.get(reverse("admin:projects_fundingscale_changelist")).status_code == 200
    change = reverse("admin:projects_fundingscale_change", args=[scale.pk])
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:projects_fundingscale_add")).status_code == 200
    assert ars.has_perm("projects.change_fundingrate")
    assert ars.has_perm("projects.delete_fundingscale")


def test_other_staff_only_read_the_scale(urps, am):
    for user in (urps, am):
        assert user.has_perm("projects.view_fundingscale")
        assert not user.has_perm("projects.change_fundingscale")
