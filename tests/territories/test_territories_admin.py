"""Admin of the reference geography: read-only, searchable, constant queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from territories.models import Commune, Departement, Epci, Region

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:territories_region_changelist",
    "admin:territories_departement_changelist",
    "admin:territories_epci_changelist",
    "admin:territories_commune_changelist",
]


def add_departement(code: str, communes: int) -> None:
    region = Region.objects.create(code=f"R{code}", name=f"Région {code}")
    departement = Departement.objects.create(code=code, name=f"Dép. {code}", region=region)
    epci = Epci.objects.create(code=f"2000000{code}", name=f"CC {code}", kind=Epci.Kind.CC)
    for number in range(communes):
        Commune.objects.create(
            insee_code=f"{code}{number:03d}",
            name=f"Commune {code}-{number}",
            postal_codes=f"{code}000",
            departement=departement,
            epci=epci,
        )


def queries_for(client: Client, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("url_name", CHANGELISTS)
def test_changelist_queries_do_not_grow_with_rows(admin_client: Client, url_name: str) -> None:
    add_departement("29", communes=2)
    url = reverse(url_name)
    few = queries_for(admin_client, url)

    for code in ("22", "35", "56"):
        add_departement(code, communes=10)

    assert queries_for(admin_client, url) == few


def test_commune_changelist_filters_by_region(admin_client: Client) -> None:
    add_departement("29", communes=2)
    add_departement("44", communes=3)

    response = admin_client.get(reverse("admin:territories_commune_changelist"), {"region": "R44"})

    assert [c.insee_code for c in response.context["cl"].result_list] == ["44000", "44001", "44002"]


def test_epci_region_filter_keeps_commune_counts(admin_client: Client) -> None:
    add_departement("29", communes=4)

    response = admin_client.get(reverse("admin:territories_epci_changelist"), {"region": "R29"})

    [epci] = response.context["cl"].result_list
    assert epci.commune_count == 4


@pytest.mark.parametrize("term", ["st malo", "SAINT-MALO", "35400", "35288"])
def test_commune_search_by_name_postal_code_or_insee(admin_client: Client, term: str) -> None:
    region = Region.objects.create(code="53", name="Bretagne")
    departement = Departement.objects.create(code="35", name="Ille-et-Vilaine", region=region)
    Commune.objects.create(
        insee_code="35288", name="Saint-Malo", postal_codes="35400", departement=departement
    )
    Commune.objects.create(
        insee_code="35238", name="Rennes", postal_codes="35000 35200", departement=departement
    )

    response = admin_client.get(reverse("admin:territories_commune_changelist"), {"q": term})

    assert [str(c) for c in response.context["cl"].result_list] == ["Saint-Malo (35288)"]


def test_geography_cannot_be_edited_in_the_admin(admin_client: Client) -> None:
    add_departement("29", communes=1)
    commune = Commune.objects.get()

    change_url = reverse("admin:territories_commune_change", args=[commune.pk])
    response = admin_client.post(change_url, {"name": "Renamed"})

    assert response.status_code == 403
    commune.refresh_from_db()
    assert commune.name == "Commune 29-0"
    assert admin_client.get(reverse("admin:territories_commune_add")).status_code == 403
    assert admin_client.get(change_url).status_code == 200  # viewing stays possible
