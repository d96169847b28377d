"""Issue 16, items 2 and 3 (territories): staff see their region's territories only (another
region's is a 404), the national role reads every region and changes nothing, the commune
search stays national, a territory of a region the user may not read is listed only as
« un projet existe dans la région voisine », the builder warns about communes outside the
territory's region, and the admin is scoped the same."""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from cpts_portal.roles import Role
from territories import selectors
from territories.models import Institution, RegionIdentity, StaffMembership, Territory
from territories.permissions import region_scope
from tests.factories import (
    CommuneFactory,
    CoordinatorFactory,
    DepartementFactory,
    RegionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("territories:territory_list")
NEIGHBOUR = "un projet existe dans la région voisine"


@pytest.fixture
def occitanie(db):
    return RegionFactory(code="76", name="Occitanie")


@pytest.fixture
def haute_garonne(occitanie):
    return DepartementFactory(code="31", name="Haute-Garonne", region=occitanie)


@pytest.fixture
def fougeres(db):
    """A Bretagne territory (the factories' default region)."""
    return TerritoryFactory(name="Pays de Fougères", communes=[CommuneFactory(name="Lécousse")])


@pytest.fixture
def toulouse(haute_garonne):
    return TerritoryFactory(
        name="Toulouse Nord",
        region=haute_garonne.region,
        communes=[CommuneFactory(name="Fenouillet", insee_code="31182", departement=haute_garonne)],
    )


@pytest.fixture
def ars(db):
    return UserFactory(username="ars-bretagne", roles=[Role.ARS])


@pytest.fixture
def ars_occitanie(occitanie):
    return UserFactory(username="ars-occitanie", roles=[Role.ARS], region=occitanie)


@pytest.fixture
def urps_occitanie(occitanie):
    return UserFactory(username="urps-occitanie", roles=[Role.URPS], region=occitanie)


@pytest.fixture
def national(db):
    return UserFactory(username="national", roles=[Role.NATIONAL])


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pages(territory: Territory) -> list[str]:
    return [
        reverse("territories:territory_detail", args=[territory.pk]),
        reverse("territories:territory_edit", args=[territory.pk]),
    ]


def test_another_regions_agent_gets_404(fougeres, ars_occitanie, urps_occitanie):
    for user in (ars_occitanie, urps_occitanie):
        client = client_of(user)
        for page in pages(fougeres):
            assert client.get(page).status_code == 404, page
        assert client.post(pages(fougeres)[1], {"name": "Pris"}).status_code == 404
    fougeres.refresh_from_db()
    assert fougeres.name == "Pays de Fougères"


def test_the_owner_region_reads_and_edits(fougeres, ars):
    client = client_of(ars)
    for page in pages(fougeres):
        assert client.get(page).status_code == 200, page


def test_the_list_shows_the_users_region_only(fougeres, toulouse, ars_occitanie, national):
    page = client_of(ars_occitanie).get(LIST).content.decode()
    assert "Toulouse Nord" in page and "Pays de Fougères" not in page
    page = client_of(national).get(LIST).content.decode()
    assert "Toulouse Nord" in page and "Pays de Fougères" in page
    # The département filter offers the user's territories' départements only.
    assert selectors.departements_with_territories(ars_occitanie) == [("31", "Haute-Garonne (31)")]


def test_the_national_role_reads_every_region_and_writes_nothing(fougeres, toulouse, national):
    client = client_of(national)
    for territory in (fougeres, toulouse):
        assert client.get(pages(territory)[0]).status_code == 200
    assert client.post(pages(fougeres)[1], {"name": "Pris"}).status_code == 403
    assert client.post(reverse("territories:territory_create"), {"name": "X"}).status_code == 403
    assert reverse("territories:territory_create") not in client.get(LIST).content.decode()


def test_a_coordinator_is_still_refused(fougeres):
    client = client_of(CoordinatorFactory())
    assert client.get(LIST).status_code == 403
    assert client.get(pages(fougeres)[0]).status_code == 403


def test_the_commune_search_stays_national(toulouse, ars):
    response = client_of(ars).get(reverse("territories:commune_search"), {"q": "Fenouillet"})
    assert [row["name"] for row in response.json()["results"]] == ["Fenouillet"]


# --- Across borders ------------------------------------------------------------------------


@pytest.fixture
def across(fougeres, haute_garonne):
    """An Occitanie territory sharing Lécousse with Pays de Fougères (a commune list is a
    commune list: it may cross a border)."""
    return TerritoryFactory(
        name="Frontière",
        region=haute_garonne.region,
        communes=[
            fougeres.communes.get(),
            CommuneFactory(name="Muret", insee_code="31395", departement=haute_garonne),
        ],
    )


def test_a_territory_of_another_region_is_masked_in_the_overlaps(
    fougeres, across, ars_occitanie, national
):
    client = client_of(ars_occitanie)
    detail = client.get(pages(across)[0]).content.decode()
    assert NEIGHBOUR in detail
    assert "Pays de Fougères" not in detail
    assert pages(fougeres)[0] not in detail
    listing = client.get(LIST).content.decode()
    assert NEIGHBOUR in listing and "Pays de Fougères" not in listing
    national_detail = client_of(national).get(pages(across)[0]).content.decode()
    assert "Pays de Fougères" in national_detail and NEIGHBOUR not in national_detail


def test_the_overview_masks_with_the_viewers_scope(fougeres, across, ars_occitanie, ars):
    masked = selectors.territory_overview(across, readable=region_scope(ars_occitanie))
    assert [(line.territory_id, line.name) for line in masked.overlaps] == [(None, NEIGHBOUR)]
    # Both ways: Bretagne's agent does not read Occitanie's territory either.
    masked = selectors.territory_overview(fougeres, readable=region_scope(ars))
    assert [(line.territory_id, line.name) for line in masked.overlaps] == [(None, NEIGHBOUR)]
    # Every region (the default, and the national level): named.
    named = selectors.territory_overview(fougeres)
    assert [(line.territory_id, line.name) for line in named.overlaps] == [(across.pk, "Frontière")]


def test_the_warning_names_the_communes_outside_the_territorys_region(across, ars_occitanie):
    summary = selectors.territory_overview(across, region=across.region)
    [warning] = [w for w in summary.warnings if w.code == "outside_region"]
    assert "Occitanie" in warning.message and "Lécousse" in warning.message
    assert "Muret" not in warning.message
    page = client_of(ars_occitanie).get(pages(across)[0]).content.decode()
    assert "Communes hors de la région Occitanie" in page


def test_the_builder_warns_about_communes_outside_the_region(fougeres, toulouse, ars):
    codes = f"{fougeres.communes.get().insee_code} {toulouse.communes.get().insee_code}"
    response = client_of(ars).post(
        reverse("territories:territory_create"),
        {"name": "Nouveau", "territory-commune_codes": codes, "territory_step": ""},
    )
    page = response.content.decode()
    assert "Communes hors de la région Bretagne : Fenouillet" in page


# --- Admin ---------------------------------------------------------------------------------


def admin_rows(model, user) -> set:
    request = RequestFactory().get("/")
    request.user = user
    return set(admin.site._registry[model].get_queryset(request))


def test_the_admin_is_scoped(fougeres, toulouse, ars_occitanie, national, ars):
    assert admin_rows(Territory, ars_occitanie) == {toulouse}
    assert admin_rows(Territory, national) == {fougeres, toulouse}
    assert {m.user for m in admin_rows(StaffMembership, ars_occitanie)} == {ars_occitanie}
    assert {i.region.code for i in admin_rows(Institution, ars_occitanie)} == {"76"}


def test_the_regions_ars_edits_its_own_identity_only(occitanie, ars_occitanie, ars):
    bretagne = RegionFactory()
    mine = RegionIdentity.objects.create(
        region=occitanie, ars_name="ARS Occitanie", ars_short_name="ARS Occitanie"
    )
    theirs, _created = RegionIdentity.objects.get_or_create(
        region=bretagne, defaults={"ars_name": "ARS Bretagne", "ars_short_name": "ARS Bretagne"}
    )
    model_admin = admin.site._registry[RegionIdentity]
    request = RequestFactory().get("/")
    request.user = ars_occitanie
    assert model_admin.has_change_permission(request, mine)
    assert not model_admin.has_change_permission(request, theirs)
    assert set(model_admin.get_queryset(request)) == {mine}
    assert not model_admin.has_add_permission(request)
    client = client_of(ars_occitanie)
    url = reverse("admin:territories_regionidentity_change", args=[theirs.pk])
    assert client.get(url).status_code == 302  # not in their queryset: back to the index
    assert (
        client.get(reverse("admin:territories_regionidentity_change", args=[mine.pk])).status_code
        == 200
    )


def test_the_user_admin_shows_the_membership_inline(db):
    from django.contrib.auth import get_user_model

    from territories.admin import StaffMembershipInline

    assert StaffMembershipInline in admin.site._registry[get_user_model()].inlines
