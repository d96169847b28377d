"""Celery application: configured from Django settings (``CELERY_*``).

Publishing never holds a request for long when the broker is down: settings.py bounds each
attempt (socket timeouts, no publish retry), and ``PortalTask`` makes one failed publish the
last one of its request. An answer queues two emails, each published on its own: with a
hung Redis each would wait for the socket timeout. The callers (``dispatch_emails``,
``dispatch_batch``) catch the error and leave their rows pending for the periodic sweep.
"""

import contextvars
import os

from celery import Celery, Task
from kombu.exceptions import OperationalError

from cpts_portal.request_id import request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpts_portal.settings")

# The request (by its id) in which a publish failed; "-" is outside any request.
_failed_in_request: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "broker_failed_in_request", default=None
)


class BrokerUnavailable(OperationalError):
    """A publish not even tried: another one failed earlier in the same request."""


class PortalTask(Task):
    """A task whose publishing gives up for the rest of a request once the broker failed."""

    def apply_async(self, *args, **kwargs):
        current = request_id.get()
        if current != "-" and _failed_in_request.get() == current:
            raise BrokerUnavailable("The broker failed earlier in this request; not tried again.")
        try:
            return super().apply_async(*args, **kwargs)
        except OperationalError:
            _failed_in_request.set(current)
            raise


app = Celery("cpts_portal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
