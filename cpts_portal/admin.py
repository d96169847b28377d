"""The portal's admin site (``admin.site``): Django's, without NUL bytes in query strings.

PostgreSQL refuses a NUL byte in a query parameter with an error: a NUL typed or forged in
a list filter, a search or an autocomplete of any admin, Django's and third parties'
included, would be a 500. Dropped here, for every admin view, no ModelAdmin can forget it;
the search or the filter then looks for the rest of the text.

INSTALLED_APPS names ``PortalAdminConfig`` in place of ``django.contrib.admin``: this module
is imported while the apps load, so it must not import models.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse, QueryDict

ENCODED_NUL = "%00"


def without_nul_bytes(query: QueryDict) -> QueryDict:
    """``query`` without the NUL bytes of its names and values."""
    encoded = query.urlencode()
    # Encoded by Django, "%00" can only be a NUL byte: a "%" of the text is "%25".
    if ENCODED_NUL not in encoded:
        return query
    return QueryDict(encoded.replace(ENCODED_NUL, ""), encoding=query.encoding)


class PortalAdminSite(admin.AdminSite):
    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        """Every admin URL, the models' own included, is wrapped here."""

        @wraps(view)
        def nul_free_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            request.GET = without_nul_bytes(request.GET)
            return view(request, *args, **kwargs)

        return super().admin_view(nul_free_view, cacheable)


class PortalAdminConfig(AdminConfig):
    default_site = "cpts_portal.admin.PortalAdminSite"


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent and never written from it: an answer's actors are the
    professionals' words, a history is what happened, a document is what was deposited."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
