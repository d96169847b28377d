"""No cache keeps a page with personal data: ``Cache-Control: private, no-store``.

Set on every response

- to a signed-in user (the staff workspace, the dashboard, exports, PDFs, the admin, and the
  header that names the user on any page);
- under ``/suivi/`` (a professional's private link: the answer, its PDF, its messages);
- of a view marked ``@personal_data`` (a page that shows an answer to an anonymous visitor,
  like the confirmation shown once after sending).

Other responses are left as their view made them (public pages stay cacheable). The
directives are merged with the view's own (``never_cache`` keeps its ``no-cache``...), and
``private`` replaces a ``public`` the view may have set.
"""

from collections.abc import Callable
from typing import TypeVar

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

View = TypeVar("View", bound=Callable[..., HttpResponse])

PRIVATE_LINK_PREFIX = "/suivi/"


def personal_data(view: View) -> View:
    """Mark a view whose responses carry personal data even to anonymous visitors."""
    view.personal_data = True  # type: ignore[attr-defined]
    return view


def signed_in(request: HttpRequest) -> bool:
    # Without a session cookie nobody is signed in: checked first so that public pages for
    # anonymous visitors never load the session (which would add "Vary: Cookie").
    session = getattr(request, "session", None)
    if session is None or session.is_empty():
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateNoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(request, "_personal_data", False)
            or request.path.startswith(PRIVATE_LINK_PREFIX)
            or signed_in(request)
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if getattr(view_func, "personal_data", False):
            request._personal_data = True
        return None
