"""Admin for the reference geography: browse and search, no hand edits; and for the
regions served (identity, institutions, agents) and the territories, each scoped to the
user's region.

Geography rows come from ``manage.py load_geography`` and are overwritten by the next load,
so the admin shows them read-only; deleting is refused too, as other records point to them.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cpts_portal.roles import Role, has_role
from territories.models import (
    Commune,
    Departement,
    Epci,
    Institution,
    Region,
    RegionIdentity,
    StaffMembership,
    Territory,
)
from territories.permissions import in_region_scope, scope_by_region
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


# --- Served regions, their institutions and agents; territories --------------------------


class RegionScopedAdmin(admin.ModelAdmin):
    """An admin whose rows belong to a region (``region_field``: the lookup path to it): a
    non-superuser sees their region's rows only (``scope_by_region``; the national level
    every region's), and a region field offers only those regions."""

    region_field = "region"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_by_region(super().get_queryset(request), request.user, self.region_field)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = scope_by_region(Region.objects.all(), request.user, "pk")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Territory)
class TerritoryAdmin(RegionScopedAdmin):
    """Browse the territories of one's region; they are drawn on /territoires/ (the builder
    and ``services.save_territory``), so the admin only moves one to another region."""

    list_display = ["name", "region", "updated_at"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name"]
    fields = ["name", "region", "other_places"]
    readonly_fields = ["name", "other_places"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


def is_ars_of(user, region_id: int | None) -> bool:
    """An ARS agent of this region (who edits its identity), or a superuser."""
    return user.is_superuser or (has_role(user, Role.ARS) and in_region_scope(user, region_id))


@admin.register(RegionIdentity)
class RegionIdentityAdmin(RegionScopedAdmin):
    """What names the region's ARS on pages, emails and contracts: superusers, and the
    region's ARS for its own identity (without the group permission: checked here)."""

    list_display = ["ars_name", "region", "uses_guichet"]
    list_select_related = ["region"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or has_role(request.user, Role.ARS)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return is_ars_of(request.user, obj.region_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # The ARS edits its identity, not which region it is.
        return [] if request.user.is_superuser else ["region"]


@admin.register(Institution)
class InstitutionAdmin(RegionScopedAdmin):
    list_display = ["name", "kind", "profession", "region", "email"]
    list_filter = ["region", "kind"]
    list_select_related = ["region"]
    search_fields = ["name", "email"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(RegionScopedAdmin):
    region_field = "institution__region"
    list_display = ["user", "institution"]
    list_filter = ["institution__region", "institution__kind"]
    list_select_related = ["user", "institution"]
    search_fields = ["user__username", "user__email", "institution__name"]
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "institution":
            kwargs["queryset"] = scope_by_region(
                Institution.objects.select_related("region"), request.user
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StaffMembershipInline(admin.StackedInline):
    """The institution (hence the region) of an agent, on the user's admin page."""

    model = StaffMembership
    extra = 0
    max_num = 1
    can_delete = True


def add_membership_inline(site: admin.AdminSite) -> None:
    """Add ``StaffMembershipInline`` to the user admin registered by django.contrib.auth
    (an app listed before this one), keeping everything else of it."""
    user_model = get_user_model()
    registered = site._registry.get(user_model)
    if registered is None or StaffMembershipInline in registered.inlines:
        return
    admin_class = type(
        registered.__class__.__name__,
        (registered.__class__,),
        {"inlines": [*registered.inlines, StaffMembershipInline]},
    )
    site.unregister(user_model)
    site.register(user_model, admin_class)


add_membership_inline(admin.site)
