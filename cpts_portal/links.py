"""Absolute links for emails, calendar invitations and exports, which leave the site."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse()`` or ``get_absolute_url()``) on the public ``SITE_URL``."""
    return f"{settings.SITE_URL}{path}"
