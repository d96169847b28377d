"""Admin for the reference geography: browse and search, no hand edits.

Rows come from ``manage.py load_geography`` and are overwritten by the next load, so
the admin shows them read-only; deleting is refused too, as other records point to them.
"""

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from territories.models import Commune, Departement, Epci, Region
from territories.rules import normalize_commune_name


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "departement_count"]
    search_fields = ["name", "code"]
    # Explicit: the model's Meta.ordering is dropped by the annotation's GROUP BY, and the
    # autocomplete paginates what it gets.
    ordering = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return super().get_queryset(request).annotate(departement_count=Count("departements"))

    @admin.display(description=_("départements"), ordering="departement_count")
    def departement_count(self, obj: Region) -> int:
        return obj.departement_count


@admin.register(Departement)
class DepartementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "code"]


class RegionFilter(admin.SimpleListFilter):
    """Région of the commune, through its département (the commune has no région FK)."""

    title = _("région")
    parameter_name = "region"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [(region.code, region.name) for region in Region.objects.order_by("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(departement__region__code=self.value())
        return queryset


class EpciRegionFilter(RegionFilter):
    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            # An EPCI may straddle régions: list it under each région of its communes.
            # Exists rather than a join, which would multiply the commune_count annotation.
            communes = Commune.objects.filter(
                epci=OuterRef("pk"), departement__region__code=self.value()
            )
            return queryset.filter(Exists(communes))
        return queryset


@admin.register(Epci)
class EpciAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "kind", "commune_count", "is_current"]
    list_filter = ["kind", "is_current", EpciRegionFilter]
    search_fields = ["name", "code"]
    ordering = ["name"]  # as RegionAdmin's

    def get_queryset(self, request: HttpRequest) -> QuerySet[Epci]:
        return super().get_queryset(request).annotate(commune_count=Count("communes"))

    @admin.display(description=_("communes"), ordering="commune_count")
    def commune_count(self, obj: Epci) -> int:
        return obj.commune_count


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "insee_code",
        "postal_codes",
        "population",
        "departement",
        "epci",
        "is_current",
    ]
    list_filter = ["is_current", RegionFilter, "departement"]
    list_select_related = ["departement", "epci"]
    # "=" for an exact, indexed match on the INSEE code; postal codes are a space-separated
    # list, hence "contains". get_search_results adds the accent-insensitive name match.
    search_fields = ["name", "=insee_code", "postal_codes"]
    show_full_result_count = False
    fields = [
        "insee_code",
        "name",
        "search_name",
        "postal_codes",
        "population",
        "departement",
        "epci",
        "is_current",
    ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Commune], search_term: str
    ) -> tuple[QuerySet[Commune], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        normalized = normalize_commune_name(search_term)
        if normalized:
            # "st malo" or "ETEL" find Saint-Malo and Étel.
            results |= queryset.filter(search_name__contains=normalized)
        return results, may_have_duplicates
