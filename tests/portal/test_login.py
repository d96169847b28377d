"""One sign-in page for agents and coordinators, and the header by role."""

import pytest
from django.urls import reverse

from cpts_portal.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "mot-de-passe-tres-long-2026"


def sign_in(client, user):
    user.set_password(PASSWORD)
    user.save()
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


@pytest.mark.parametrize(
    ("roles", "is_staff", "landing"),
    [
        ([Role.ARS], True, "staff:dashboard"),
        ([Role.URPS], False, "staff:dashboard"),  # partners need no admin access
        ([Role.COORDINATOR], False, "projects:list"),
    ],
)
def test_agents_land_on_their_workspace(client, roles, is_staff, landing):
    response = sign_in(client, UserFactory(roles=roles, is_staff=is_staff))
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse(landing)


def test_wrong_password_is_refused_in_french(client):
    user = UserFactory(roles=[Role.ARS])
    response = client.post(reverse("login"), {"username": user.username, "password": "faux"})
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()


def test_header_offers_the_workspaces_of_the_role(client):
    client.force_login(UserFactory(roles=[Role.COORDINATOR], is_staff=False))
    page = client.get(reverse("ami:home")).content.decode()
    assert reverse("projects:list") in page
    assert reverse("staff:dashboard") not in page
    client.force_login(UserFactory(roles=[Role.ARS]))
    page = client.get(reverse("ami:home")).content.decode()
    assert reverse("staff:dashboard") in page
    assert "Se déconnecter" in page


def test_anonymous_header_links_to_the_sign_in_page(client):
    page = client.get(reverse("ami:home")).content.decode()
    assert reverse("login") in page
    assert "Tableau de bord" not in page


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_an_over_long_username_is_refused_before_authentication(client, url_name):
    response = client.post(reverse(url_name), {"username": "a" * 300, "password": "x"})
    assert response.status_code == 200
    assert "Identifiant trop long" in response.content.decode()
