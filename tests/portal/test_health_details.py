"""/sante/ is public but says only its status; details need HEALTH_TOKEN or staff (#12, 10)."""

import pytest
from django.urls import reverse

from cpts_portal import health
from cpts_portal.roles import Role
from tests.factories import CoordinatorFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "sonde-0123456789-abcdefghijklmnop"


@pytest.fixture(autouse=True)
def health_token(settings):
    settings.HEALTH_TOKEN = TOKEN


def test_public_health_says_only_its_status(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    body = response.content.decode()
    assert "ms" not in body and "database" not in body and "cache" not in body


def test_public_health_is_still_503_without_the_database(client, monkeypatch):
    def database_down() -> None:
        raise OSError("connection to server at 127.0.0.1 failed")

    monkeypatch.setattr(health, "check_database", database_down)
    response = client.get(reverse("health"))
    assert (response.status_code, response.json()) == (503, {"status": "down"})


def test_public_health_is_degraded_without_saying_which_service(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def refused() -> None:
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(health, "check_broker", refused)
    response = client.get(reverse("health"))
    assert (response.status_code, response.json()) == (200, {"status": "degraded"})


@pytest.mark.parametrize(
    "how", ["bearer", "query"], ids=["Authorization: Bearer", "?token="]
)
def test_with_the_token_the_details_are_there(client, how):
    if how == "bearer":
        response = client.get(reverse("health"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    else:
        response = client.get(reverse("health"), {"token": TOKEN})
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert "ms" in body["checks"]["database"]


@pytest.mark.parametrize(
    "authorization", [f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", "Bearer sonde"]
)
def test_a_wrong_token_gets_the_public_answer(client, authorization):
    response = client.get(reverse("health"), HTTP_AUTHORIZATION=authorization)
    assert response.json() == {"status": "ok"}


def test_without_a_configured_token_no_token_opens_the_details(client, settings):
    settings.HEALTH_TOKEN = ""
    for sent in ("", "Bearer ", "Bearer None"):
        response = client.get(reverse("health"), {"token": ""}, HTTP_AUTHORIZATION=sent)
        assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("role", [Role.ARS, Role.URPS, Role.ASSURANCE_MALADIE])
def test_signed_in_staff_see_the_details(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert "checks" in client.get(reverse("health")).json()


def test_a_coordinator_sees_only_the_status(client):
    client.force_login(CoordinatorFactory())
    assert client.get(reverse("health")).json() == {"status": "ok"}
