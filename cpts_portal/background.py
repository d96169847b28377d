"""Long work off the request, in every setup.

With a broker (``REDIS_URL``) a task goes to the Celery workers. Without one, Celery runs
tasks eagerly, inside the request that queues them: a zip of 200 PDF summaries held the
click some 20 seconds with no feedback. ``run_in_background`` runs such a task in a daemon
thread of the current process instead (the development server, a single-process setup),
so the request answers at once with its progress page, which the task updates as it goes.

``BACKGROUND_TASKS_IN_THREADS`` (default: on when no broker is configured) turns this off;
the test suite runs tasks inline, in the test's transaction.
"""

import logging
import threading
from typing import Any

from celery import Task
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def run_in_background(task: Task, *args: Any) -> threading.Thread | None:
    """Queue ``task(*args)``: to Celery with a broker, else in a daemon thread (returned)."""
    if task.app.conf.task_always_eager and getattr(settings, "BACKGROUND_TASKS_IN_THREADS", False):
        thread = threading.Thread(
            target=_run, args=(task, args), name=f"background-{task.name}", daemon=True
        )
        thread.start()
        return thread
    task.delay(*args)
    return None


def _run(task: Task, args: tuple) -> None:
    try:
        task.apply(args=args, throw=True)
    except Exception:
        logger.exception("Background task %s%r failed", task.name, args)
    finally:
        connections.close_all()  # this thread's own connections
