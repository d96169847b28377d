"""The ``celery_worker_process`` fixture starts a real worker on PostgreSQL and Redis."""

import pytest

from cpts_portal.celery import app

pytestmark = pytest.mark.integration


def test_worker_answers_a_ping(celery_worker_process):
    replies = app.control.ping(destination=[celery_worker_process.name], timeout=5)

    assert replies == [{celery_worker_process.name: {"ok": "pong"}}]


def test_worker_runs_tasks_sent_to_the_default_queue(celery_worker_process):
    # celery.accumulate is one of Celery's built-in tasks: it returns its arguments.
    result = app.send_task("celery.accumulate", args=(1, 2))

    assert result.id
    celery_worker_process.wait_for(
        lambda: f"Task celery.accumulate[{result.id}] succeeded" in celery_worker_process.log(),
        what="the worker to run celery.accumulate",
    )
