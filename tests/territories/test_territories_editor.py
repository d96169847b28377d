"""Staff build and edit territories: ARS change them, URPS and Assurance Maladie read."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from cpts_portal.roles import Role
from territories.models import Territory
from tests.factories import TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db
CREATE = reverse("territories:territory_create")


@pytest.fixture(autouse=True)
def finistere():
    call_command("load_geography", "--departements", "29", verbosity=0)


def login(client, *roles, **fields):
    client.force_login(UserFactory(roles=roles, **fields))
    return client


def test_ars_user_builds_a_territory_step_by_step_and_saves_it(client):
    login(client, Role.ARS)
    step = client.post(
        CREATE,
        {
            "name": "CPTS du pays de Douarnenez",
            "territory-add_epci": "242900645",
            "territory_step": "1",
        },
    )
    page = step.content.decode()
    assert "5 communes" in page
    assert not Territory.objects.exists()
    codes = step.context["builder"].initial["commune_codes"]
    saved = client.post(
        CREATE,
        {
            "name": "CPTS du pays de Douarnenez",
            "territory-commune_codes": codes,
            "territory-add_communes": "Quimper",
            "territory-remove": ["29224"],
        },
    )
    territory = Territory.objects.get()
    assert saved["Location"] == reverse("territories:territory_edit", args=[territory.pk])
    assert territory.communes.count() == 5
    assert not territory.communes.filter(insee_code="29224").exists()
    assert territory.summary().tier.number == 3  # 81,476 inhabitants


def test_whole_departement_can_be_added_by_staff(client):
    login(client, Role.ARS)
    client.post(CREATE, {"name": "Finistère", "territory-add_departement": "29"})
    assert Territory.objects.get().communes.count() == 277


def test_overlapping_territories_are_shown_with_shared_communes(client):
    login(client, Role.ARS)
    client.post(CREATE, {"name": "A", "territory-add_communes": "Douarnenez, Quimper"})
    client.post(CREATE, {"name": "B", "territory-add_communes": "Douarnenez"})
    first = Territory.objects.get(name="A")
    page = client.get(reverse("territories:territory_edit", args=[first.pk])).content.decode()
    assert "partage des communes" in page
    assert "Douarnenez" in page.split("partage des communes")[1][:800]


@pytest.mark.parametrize("role", [Role.URPS, Role.ASSURANCE_MALADIE])
def test_partners_read_but_cannot_change(client, role):
    territory = TerritoryFactory(name="Lecture")
    url = reverse("territories:territory_edit", args=[territory.pk])
    login(client, role)
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Changé"}).status_code == 403
    territory.refresh_from_db()
    assert territory.name == "Lecture"


def test_outsiders_are_refused(client):
    assert client.get(CREATE).status_code == 302  # anonymous: to the login page
    login(client, Role.COORDINATOR)
    assert client.get(CREATE).status_code == 403
