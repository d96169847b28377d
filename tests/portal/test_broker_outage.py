"""A broker or cache outage costs a request little (#12, finding 11).

The end-to-end bound, with a real Redis stopped and frozen, a real worker and the emails
sent afterwards, is in tests/integration/test_failures_redis.py; these check its parts.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery.app.task import Task
from kombu.exceptions import OperationalError

from cpts_portal.celery import BrokerUnavailable, app
from cpts_portal.request_id import request_id
from notifications.tasks import send_email

ROOT = Path(__file__).resolve().parents[2]

DUMP = """
import json
from cpts_portal import settings as s
print(json.dumps({
    "cache": s.CACHES["default"].get("OPTIONS", {}),
    "transport": s.CELERY_BROKER_TRANSPORT_OPTIONS,
    "connection_timeout": s.CELERY_BROKER_CONNECTION_TIMEOUT,
    "publish_retry": s.CELERY_TASK_PUBLISH_RETRY,
}))
"""


def settings_with(**env: str) -> dict:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cpts_portal.settings", **env}
    result = subprocess.run(
        [sys.executable, "-c", DUMP], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_redis_socket_has_a_timeout_and_publishing_does_not_retry():
    values = settings_with(REDIS_URL="redis://127.0.0.1:6379/0")
    # redis-py's own default is 5 s, and kombu slept 2 s before giving up a publish.
    assert values["cache"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    assert values["transport"]["socket_timeout"] == 0.5
    assert values["transport"]["socket_connect_timeout"] == 0.5
    assert values["transport"]["max_retries"] == 0
    assert values["connection_timeout"] == 0.5
    assert values["publish_retry"] is False


def test_the_redis_timeout_is_a_setting():
    values = settings_with(REDIS_URL="redis://127.0.0.1:6379/0", REDIS_SOCKET_TIMEOUT="1.5")
    assert values["cache"]["socket_timeout"] == 1.5 == values["transport"]["socket_timeout"]


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1e9"])
def test_a_wrong_redis_timeout_stops_the_start(value):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpts_portal.settings",
        "REDIS_SOCKET_TIMEOUT": value,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import cpts_portal.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "REDIS_SOCKET_TIMEOUT" in result.stderr


@pytest.fixture
def failing_broker(monkeypatch):
    """Celery publishing for real (not eagerly) to a broker that fails; counts the attempts."""
    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(self.name)
        raise OperationalError("Timeout reading from socket")

    monkeypatch.setattr(Task, "apply_async", refuse)
    app.conf.task_always_eager = False  # set back by tests/conftest.py
    return attempts


def test_after_a_failed_publish_the_request_tries_no_other(failing_broker):
    token = request_id.set(uuid.uuid4().hex)
    try:
        with pytest.raises(OperationalError):
            send_email.delay(1)
        with pytest.raises(BrokerUnavailable):
            send_email.delay(2)
    finally:
        request_id.reset(token)
    assert failing_broker == ["notifications.tasks.send_email"]


def test_the_next_request_tries_again(failing_broker):
    for _request in range(2):
        token = request_id.set(uuid.uuid4().hex)
        try:
            with pytest.raises(OperationalError):
                send_email.delay(1)
        finally:
            request_id.reset(token)
    assert len(failing_broker) == 2


def test_outside_a_request_every_publish_is_tried(failing_broker):
    # The periodic sweep runs in a worker: it has no request to give up for.
    token = request_id.set("-")  # a thread keeps its last request's id: set it as a worker's
    try:
        for email_id in (1, 2):
            with pytest.raises(OperationalError):
                send_email.delay(email_id)
    finally:
        request_id.reset(token)
    assert len(failing_broker) == 2
