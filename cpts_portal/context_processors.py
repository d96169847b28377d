from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """Portal identity for the header, footer and page titles."""
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_OPERATOR": settings.PORTAL_OPERATOR,
        "PORTAL_TAGLINE": settings.PORTAL_TAGLINE,
    }
