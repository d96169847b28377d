"""Who may open the staff pages: the role table of ``ami.workflow`` decides."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from ..workflow import Action, can

View = Callable[..., HttpResponse]


def staff_required(*actions: Action) -> Callable[[View], View]:
    """Anonymous users go to the login page; signed-in users whose role allows none of
    ``actions`` (default: reading) get a 403."""
    actions = actions or (Action.VIEW,)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(can(request.user, action) for action in actions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
