"""The funding simulation: a versioned scale with its source, the version in force, the seed."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from projects.models import FundingRate, FundingScale, Mission, Stage
from projects.selectors import funding_simulation
from tests.factories import CommuneFactory, CptsProjectFactory, TerritoryFactory

from .helpers import advance_to

pytestmark = pytest.mark.django_db

FUNCTIONING = "Fonctionnement de la CPTS"


def seeded_scale() -> FundingScale:
    return FundingScale.objects.get(valid_from=date(2019, 8, 21))


def test_the_2019_functioning_part_is_seeded_with_its_source():
    scale = seeded_scale()
    assert scale.valid_until is None
    assert "Accord conventionnel interprofessionnel" in scale.source
    assert "2019" in scale.source
    assert "à vérifier sur le texte de l’ACI" in scale.source
    rates = {
        rate.tier: rate.fixed_amount for rate in scale.rates.filter(item=FundingRate.FUNCTIONING)
    }
    assert rates == {
        1: Decimal(50_000),
        2: Decimal(60_000),
        3: Decimal(75_000),
        4: Decimal(90_000),
    }
    # No mission amount is seeded: none can be cited.
    assert not scale.rates.exclude(item=FundingRate.FUNCTIONING).exists()
    assert FundingScale.objects.in_force(timezone.localdate()) == scale


@pytest.mark.parametrize(
    ("population", "amount"),
    [(39_999, 50_000), (40_000, 60_000), (175_000, 75_000), (175_001, 90_000)],
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
    assert simulation.total == Decimal(50_000)
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
        Decimal(50_010),
        Decimal(5),
        Decimal(50_015),
    )
    # A line without its own source takes the version's.
    assert simulation.sources == [scale.source]


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
    assert simulation.sources == ["Art. 1"]
    # The day before, the 2019 version was in force.
    yesterday = funding_simulation(project, [], on=today - timedelta(days=1))
    assert yesterday.scale == old
    assert [line.fixed for line in yesterday.lines] == [Decimal(50_000)]


def test_without_a_version_in_force_every_item_is_missing(project):
    seeded_scale().delete()
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
    assert "Barème en vigueur : ACI 2019 — rémunération du fonctionnement de la CPTS" in page
    assert re.search(r'<th scope="row">Fonctionnement de la CPTS</th><td>50\s000</td>', page)
    assert "à vérifier sur le texte de l’ACI" in page
    assert "Barème non saisi pour :" in page


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
