"""Whole public pages kept between requests for anonymous visitors.

The home page and the blank answer form are the same bytes for every anonymous visitor
with no message waiting, but for the CSRF token (and the form's ``form_token``), which
must be new for each of them. Such a page is rendered once with placeholders in their
place, kept in the ``fragments`` cache (each process's memory) under a key naming what
it depends on — the page, the path, the language, the day (campaigns open and close at
midnight) and *versions* bumped whenever a row it shows changes (``cpts_portal.fragments``)
— and each request gets a copy with its own values put in:

- the CSRF placeholder becomes ``get_token(request)``, as ``{% csrf_token %}`` would have
  written it (which also sets the CSRF cookie and ``Vary: Cookie``, as before); a page
  without a form (the home page) has no placeholder and sets no cookie, as before;
- each placeholder of ``fresh`` gets a value of its own (a new ``form_token``).

Signed-in users, visitors with a message waiting and every other method render as usual.
When the versions cannot be read (the default cache is down or frozen), the page is
rendered as usual and nothing is kept: never served from what cannot be checked.
"""

from collections.abc import Callable, Mapping

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import get_language

from cpts_portal.fragments import cache_paused, versions

# Per process and never sent: what ``{% csrf_token %}`` writes in a kept page (a real
# token has the same 64 letters and digits, so the markup around it is the same).
CSRF_PLACEHOLDER = get_random_string(64)
# The context that makes a page render its placeholders (the view's ``csrf_token`` comes
# before the context processor's).
PLACEHOLDER_CONTEXT = {"csrf_token": CSRF_PLACEHOLDER}
PAGE_SECONDS = 3600
# Bumped when a setting changes (tests; a deployment restarts its processes instead): the
# pages show some of them (the portal's name, its operator, the drafts' retention...).
_settings_generation = 0


@receiver(setting_changed)
def _forget_pages_on_setting_change(**kwargs: object) -> None:
    global _settings_generation
    _settings_generation += 1


def shared_page(request: HttpRequest) -> bool:
    """Whether this request's page is everyone's: an anonymous GET with no message
    waiting (counting the messages loads them without marking them as shown)."""
    if request.method != "GET":
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    return not len(get_messages(request))


def page_key(request: HttpRequest, name: str, *version_names: str) -> str | None:
    """The cache key of this request's page, or None when the page is the visitor's own."""
    if not shared_page(request):
        return None
    version = versions(*version_names)
    if cache_paused():  # a made-up version: render as usual, keep nothing
        return None
    return ":".join(
        (
            "public-page",
            name,
            get_language() or "",
            request.path,
            timezone.localdate().isoformat(),
            str(_settings_generation),
            version,
        )
    )


def kept_page(
    request: HttpRequest, key: str | None, fresh: Mapping[str, Callable[[], str]] | None = None
) -> HttpResponse | None:
    """The page kept under ``key``, filled in for this request; None when not kept."""
    if key is None:
        return None
    content = caches["fragments"].get(key)
    if content is None:
        return None
    return filled(request, content, fresh)


def keep_page(
    request: HttpRequest,
    key: str | None,
    response: HttpResponse,
    fresh: Mapping[str, Callable[[], str]] | None = None,
) -> HttpResponse:
    """Keep ``response`` (rendered with ``PLACEHOLDER_CONTEXT``) under ``key`` and return
    it filled in for this request."""
    content = response.content
    if key is not None and response.status_code == 200:
        caches["fragments"].set(key, content, PAGE_SECONDS)
    page = filled(request, content, fresh)
    page.status_code = response.status_code
    return page


def filled(
    request: HttpRequest, content: bytes, fresh: Mapping[str, Callable[[], str]] | None
) -> HttpResponse:
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in content:
        content = content.replace(placeholder, get_token(request).encode())
    for value, make in (fresh or {}).items():
        content = content.replace(value.encode(), make().encode())
    return HttpResponse(content)
