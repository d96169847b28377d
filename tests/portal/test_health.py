"""The health endpoint: database essential, cache and broker reported."""

import pytest
from django.urls import reverse

from cpts_portal import health

pytestmark = pytest.mark.django_db


TOKEN = "sonde-0123456789"


@pytest.fixture(autouse=True)
def health_token(settings):
    """The details of the checks come with the token (tests/portal/test_health_details.py)."""
    settings.HEALTH_TOKEN = TOKEN


def get_health(client):
    return client.get(reverse("health"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def test_healthy_portal_reports_every_check(client):
    response = get_health(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_broker_down_is_degraded_not_down(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def refused() -> None:
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(health, "check_broker", refused)
    response = get_health(client)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"] == {"ok": False, "error": "ConnectionRefusedError"}


def test_database_down_is_503(client, monkeypatch):
    def database_down() -> None:
        raise OSError("connection to server at 127.0.0.1 failed")

    monkeypatch.setattr(health, "check_database", database_down)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] == "down"


def test_robots_txt_keeps_crawlers_off_private_links(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /suivi/" in response.content.decode()
