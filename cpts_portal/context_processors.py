from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cpts_portal.identity import operator_of
from cpts_portal.roles import STAFF_ROLES, Role, has_role, institution_of


def portal(request: HttpRequest) -> dict:
    """Portal identity for the header, footer and page titles: a partner agent's pages name
    their region's ARS (read only when rendered), everyone else's the portal's operator."""
    user = getattr(request, "user", None)
    operator = (
        SimpleLazyObject(lambda: operator_of(user) or settings.PORTAL_OPERATOR)
        if user is not None and user.is_authenticated
        else settings.PORTAL_OPERATOR
    )
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_OPERATOR": operator,
        "PORTAL_TAGLINE": settings.PORTAL_TAGLINE,
    }


def navigation(request: HttpRequest) -> dict:
    """Which workspaces the header offers; evaluated (one query) only when rendered."""
    user = request.user

    def workspaces() -> dict[str, bool]:
        return {
            "staff": has_role(user, *STAFF_ROLES),
            "projects": has_role(user, *STAFF_ROLES, Role.COORDINATOR),
        }

    def identity() -> dict[str, str]:
        """Who is signed in, for which institution (the header says it on every page)."""
        if not user.is_authenticated:
            return {}
        return {
            "name": user.get_full_name() or user.get_username(),
            "institution": institution_of(user),
        }

    return {
        "workspaces": SimpleLazyObject(workspaces),
        "identity": SimpleLazyObject(identity),
    }
