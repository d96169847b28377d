"""Health of the portal and of the services it depends on, for probes and operators.

The database is essential (HTTP 503 without it); the cache and the broker are not: without
them answers are still stored and emails wait in the outbox, so the portal reports itself
"degraded" with HTTP 200.

The page is public (probes have no account) and then says only ``ok``, ``degraded`` or
``down``: which service fails and how long each takes would help whoever times an attack.
The details come with ``HEALTH_TOKEN`` (``Authorization: Bearer <token>``, or ``?token=``
for probes that cannot send headers) or to signed-in staff.
"""

import hmac
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from cpts_portal.celery import app as celery_app
from cpts_portal.roles import STAFF_ROLES, has_role


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    cache.set("health-check", "ok", 10)
    if cache.get("health-check") != "ok":
        raise RuntimeError("the cache did not return the value just stored")


def check_broker() -> None:
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)


def run_check(check: Callable[[], None]) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:  # a probe reports every failure rather than raising it
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def may_see_details(request: HttpRequest) -> bool:
    """Whether the caller holds ``HEALTH_TOKEN`` or is signed-in staff."""
    expected = settings.HEALTH_TOKEN
    if expected:
        header = request.headers.get("Authorization", "")
        sent = header[7:] if header[:7].lower() == "bearer " else request.GET.get("token", "")
        if sent and hmac.compare_digest(sent.strip().encode(), expected.encode()):
            return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and (user.is_staff or has_role(user, *STAFF_ROLES)))


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": run_check(check_database), "cache": run_check(check_cache)}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = {"ok": True, "mode": "in-process"}
    else:
        checks["broker"] = run_check(check_broker)
    if not checks["database"]["ok"]:
        status, code = "down", 503
    elif all(check["ok"] for check in checks.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    body = {"status": status, "checks": checks} if may_see_details(request) else {"status": status}
    return JsonResponse(body, status=code)
