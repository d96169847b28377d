"""The référent's private link: a token in the URL, no account.

Every view under /suivi/<token>/ goes through ``private_link_view``: an unknown token is a
404 (a revoked link included: revoking draws a new token), an expired one the French page
``ami/link_expired.html`` with HTTP 410 (Gone), which says how to get a new link.
"""

import re
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers

from .models import Submission

View = Callable[..., HttpResponse]

# ``secrets.token_urlsafe(32)``: 43 characters of the URL-safe base64 alphabet; the field
# holds up to 64.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def link_submissions() -> QuerySet[Submission]:
    """What the follow and edit pages show, in a fixed number of queries."""
    return Submission.objects.select_related("campaign").prefetch_related("actors", "referents")


def link_expired(request: HttpRequest, submission: Submission) -> HttpResponse:
    """410: the link was real but has expired; the page tells whom to ask for a new one."""
    response = render(
        request,
        "ami/link_expired.html",
        {
            "reference": submission.reference,
            "campaign": submission.campaign,
            "expired_at": submission.access_expires_at,
            "link_days": settings.PRIVATE_LINK_DAYS,
        },
        status=410,
    )
    add_never_cache_headers(response)
    return response


def private_link_view(
    queryset: Callable[[], QuerySet[Submission]] = link_submissions,
    expired: Callable[[HttpRequest, Model], HttpResponse] = link_expired,
) -> Callable[[View], View]:
    """Decorate ``view(request, submission, ...)`` reached by ``/suivi/<token>/...``.

    The view runs only for a known token whose link has not expired; it receives the
    submission (from ``queryset()``) instead of the token. Nothing here extends the link.
    Another kind of private link (a draft's resume link) gives its own ``queryset`` of a
    model with ``access_token`` and ``private_link_has_expired()``, and its ``expired``
    page.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
            if not TOKEN_SHAPE.fullmatch(token):
                # Not one of ours: no query (a NUL byte would be a database error on
                # PostgreSQL, a megabyte a slow one).
                raise Http404
            submission = get_object_or_404(queryset(), access_token=token)
            if submission.private_link_has_expired():
                return expired(request, submission)
            response = view(request, submission, *args, **kwargs)
            # Personal data behind a bearer link: never kept by a shared cache or the
            # browser's back-forward history of a shared computer.
            add_never_cache_headers(response)
            return response

        return wrapper

    return decorator
