"""/sante/ against the real services: ok, degraded without Redis, down without PostgreSQL."""

import pytest
from django.db import connection
from django.urls import reverse

from cpts_portal.celery import app
from tests.conftest import forget_broker_connections

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def broker_at(settings):
    """Point the Celery app (and the setting /sante/ reads) at a broker URL for the test."""
    saved = app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def point(url: str) -> None:
        app.conf.broker_url = url
        forget_broker_connections(app)

    yield point
    app.conf.broker_url = saved
    forget_broker_connections(app)


@pytest.fixture(autouse=True)
def health_token(settings):
    settings.HEALTH_TOKEN = "sonde-0123456789"


def health(client) -> tuple[int, dict]:
    """Status and details (the token opens them; the public answer is only the status)."""
    response = client.get(reverse("health"), HTTP_AUTHORIZATION="Bearer sonde-0123456789")
    return response.status_code, response.json()


def test_health_is_ok_with_postgresql_and_redis_up(client, broker_at):
    broker_at(app.conf.broker_url)  # REDIS_URL, as configured

    code, body = health(client)

    assert code == 200
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "broker": True,
    }
    assert "ms" in body["checks"]["broker"]  # a real round trip, not the in-process mode


def test_health_is_degraded_not_down_when_the_broker_is_unreachable(client, broker_at, closed_port):
    broker_at(f"redis://127.0.0.1:{closed_port}/0")

    code, body = health(client)

    assert code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert body["checks"]["broker"] == {"ok": False, "error": "OperationalError"}


def test_health_is_degraded_when_redis_stops_and_ok_again_when_it_restarts(
    client, settings, broker_at, private_redis
):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url,
        },
    }
    broker_at(private_redis.url)
    code, body = health(client)
    assert (code, body["status"]) == (200, "ok")

    private_redis.stop()
    code, body = health(client)
    assert code == 200
    assert body["status"] == "degraded"
    assert not body["checks"]["cache"]["ok"] and not body["checks"]["broker"]["ok"]
    assert body["checks"]["database"]["ok"]

    private_redis.start()
    code, body = health(client)
    assert (code, body["status"]) == (200, "ok")


@pytest.mark.django_db(transaction=True)
def test_health_is_down_503_when_postgresql_is_unreachable(client, monkeypatch, closed_port):
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", str(closed_port))

    code, body = health(client)

    assert code == 503
    assert body["status"] == "down"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    connection.close()
