"""Per-client rate limits on chosen URLs, counted in Django's cache.

``settings.RATELIMIT_RULES`` maps a URL name to ``(methods, limit, period)``::

    {"ami:answer": ("POST", 20, 3600), "ami:follow": ("GET", 60, 3600)}

``methods`` is a comma-separated list of HTTP methods (``"*"``: any; ``GET`` also covers
``HEAD``); ``limit`` requests per ``period`` seconds are served to one client, the next get
the French page ``templates/429.html`` with status 429 and a ``Retry-After`` header, until
the period ends. Views are not touched: the middleware finds the URL name after URL
resolution (``process_view``). A fourth item names a counter that several URLs share
(the two sign-in pages: ``("POST", 30, 3600, "login")``); by default each URL has its own.

The client is its IP address (``cpts_portal.client_ip``, which trusts ``X-Forwarded-For``
only from ``TRUSTED_PROXY_COUNT`` proxies), an IPv6 client its /64 network. Counters are
fixed windows of ``period`` seconds, one cache key per URL name, client and window, created
with ``cache.add`` and increased with ``cache.incr`` (atomic on Redis and on LocMem, per
process), expiring with their window. The key holds a keyed hash of the address, not the
address. When the cache cannot be reached the request is served: an outage of Redis must
not close the form.

``RATELIMIT_ENABLED`` (default: on when DEBUG is off) switches it all; the setting is read
on every request, so ``override_settings`` works in tests.
"""

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

from .client_ip import client_ip, client_network

logger = logging.getLogger(__name__)

TEMPLATE = "429.html"


@dataclass(frozen=True)
class Rule:
    methods: frozenset[str]
    limit: int
    period: int
    counter: str | None = None  # a counter shared with other URLs; None: the URL's own

    @classmethod
    def parse(cls, value: Sequence) -> "Rule":
        methods, limit, period, *counter = value
        names = {name.strip().upper() for name in str(methods).split(",") if name.strip()}
        if "GET" in names:
            names.add("HEAD")
        return cls(frozenset(names), int(limit), max(int(period), 1), *counter[:1])

    def applies_to(self, method: str) -> bool:
        return "*" in self.methods or method.upper() in self.methods


@dataclass(frozen=True)
class Hit:
    count: int  # requests counted in the current window, this one included
    retry_after: int  # seconds until the window ends


def count_hit(key: str, rule: Rule, now: float | None = None) -> Hit:
    """Count one request under ``key`` in the current window of ``rule``."""
    now = time.time() if now is None else now
    window = int(now // rule.period)
    retry_after = max(math.ceil((window + 1) * rule.period - now), 1)
    cache = caches[settings.RATELIMIT_CACHE]
    window_key = f"{key}:{window}"
    if cache.add(window_key, 1, timeout=retry_after + 1):
        return Hit(1, retry_after)
    try:
        return Hit(cache.incr(window_key), retry_after)
    except ValueError:  # expired between add() and incr(): a new window starts
        cache.add(window_key, 1, timeout=retry_after + 1)
        return Hit(1, retry_after)


def client_key(request: HttpRequest, url_name: str) -> str:
    network = client_network(client_ip(request))
    digest = salted_hmac("cpts_portal.ratelimit", network).hexdigest()[:32]
    return f"ratelimit:{url_name}:{digest}"


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(
        request,
        TEMPLATE,
        {"retry_after": retry_after, "retry_after_minutes": math.ceil(retry_after / 60)},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class RateLimitMiddleware:
    """Answer 429 to a client over the limit of the URL it asks for (see the module doc)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.RATELIMIT_ENABLED:
            return None
        match = request.resolver_match
        value = settings.RATELIMIT_RULES.get(match.view_name) if match else None
        if value is None:
            return None
        rule = Rule.parse(value)
        if not rule.applies_to(request.method or ""):
            return None
        key = client_key(request, rule.counter or match.view_name)
        try:
            hit = count_hit(key, rule)
        except Exception:  # the cache is down: serve rather than refuse everyone
            logger.warning("Rate limit not applied to %s: cache unavailable", match.view_name)
            return None
        if hit.count <= rule.limit:
            return None
        logger.warning(
            "Rate limit of %s reached (%s per %ss) by client %s",
            match.view_name,
            rule.limit,
            rule.period,
            key.rsplit(":", 1)[-1][:8],
        )
        return too_many_requests(request, hit.retry_after)
