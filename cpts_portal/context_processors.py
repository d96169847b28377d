from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cpts_portal.roles import STAFF_ROLES, Role, has_role


def portal(request: HttpRequest) -> dict:
    """Portal identity for the header, footer and page titles."""
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_OPERATOR": settings.PORTAL_OPERATOR,
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

    return {"workspaces": SimpleLazyObject(workspaces)}
