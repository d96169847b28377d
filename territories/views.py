"""The commune and EPCI search endpoints (public, for the autocompletes), and the staff
territory pages: the list, one territory's page, the editor."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from cpts_portal.forms import PortalModelForm, inline_helper
from cpts_portal.roles import READER_ROLES, STAFF_ROLES, Role, has_role
from territories import selectors, services
from territories.builder import TerritoryBuilderForm, communes_queryset
from territories.forms import TerritoryFilterForm
from territories.models import Commune, Epci, Territory
from territories.permissions import home_region, region_scope
from territories.rules import NEIGHBOUR_REGION_PROJECT
from territories.search import cached_search, commune_label, search_epcis
from territories.selectors import departements_with_territories, territory_overview, territory_rows
from territories.uses import uses_of

MAX_RESULTS = 20
MIN_QUERY_LENGTH = 2


def commune_payload(commune: Commune) -> dict[str, Any]:
    """One result of ``commune_search``; reads no relation that was not fetched with it."""
    return {
        "insee": commune.insee_code,
        "name": commune.name,
        "postal_codes": commune.postal_code_list,
        "departement": commune.departement.code,
        "departement_name": commune.departement.name,
        "epci": commune.epci.code if commune.epci else None,
        "epci_name": commune.epci.name if commune.epci else None,
        "population": commune.population,
        "label": commune_label(commune),
    }


@require_GET
# Reference data, the same for everyone and reloaded once a year: shared caches may keep
# the answer. The view reads no session nor cookie, so no "Vary: Cookie" is added.
@cache_control(public=True, max_age=3600)
def commune_search(request: HttpRequest) -> JsonResponse:
    """``GET ?q=...``: ``{"results": [...]}``, at most 20 communes, best first."""
    query = request.GET.get("q", "").strip()
    limit = MAX_RESULTS if len(query) >= MIN_QUERY_LENGTH else 0

    def render(communes: list[Commune]) -> bytes:
        return JsonResponse({"results": [commune_payload(commune) for commune in communes]}).content

    return HttpResponse(cached_search(query, limit, render), content_type="application/json")


def epci_payload(epci: Epci) -> dict[str, Any]:
    return {"siren": epci.code, "name": epci.name, "label": epci.name}


@require_GET
@cache_control(public=True, max_age=3600)
def epci_search(request: HttpRequest) -> JsonResponse:
    """``GET ?q=...``: ``{"results": [...]}``, at most 20 current EPCI, for the autocomplete."""
    query = request.GET.get("q", "").strip()
    epcis = search_epcis(query, limit=MAX_RESULTS) if len(query) >= MIN_QUERY_LENGTH else []
    return JsonResponse({"results": [epci_payload(epci) for epci in epcis]})


PAGE_SIZE = 25


def require_staff(request: HttpRequest) -> None:
    """Partner staff and the national level read the territory pages (403 otherwise)."""
    if not has_role(request.user, *READER_ROLES):
        raise PermissionDenied


def staff_territory(request: HttpRequest, pk: int) -> Territory:
    """A territory of the regions the user reads; 404 for another region's."""
    return get_object_or_404(
        selectors.visible_territories(request.user).select_related("region"), pk=pk
    )


def can_change_territories(request: HttpRequest) -> bool:
    """The ARS draws territories (of its region: the others are 404 already)."""
    return has_role(request.user, Role.ARS)


@login_required
@require_GET
def territory_list(request: HttpRequest) -> HttpResponse:
    """Every saved territory, for staff: search, département, tier, overlaps, uses."""
    require_staff(request)
    form = TerritoryFilterForm(
        request.GET or None, departements=departements_with_territories(request.user)
    )
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    territories = selectors.territory_list(
        request.user,
        search=filters.get("q") or "",
        departement=filters.get("departement") or "",
        tier=filters.get("tier"),
        overlaps=filters.get("overlaps") or "",
    )
    page = Paginator(territories, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "territories/territory_list.html",
        {
            "form": form,
            "page": page,
            "rows": territory_rows(page.object_list, region_scope(request.user)),
            "can_create": can_change_territories(request),
        },
    )


@login_required
@require_GET
def territory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One territory: its communes, population, tier, overlaps and uses."""
    require_staff(request)
    territory = staff_territory(request, pk)
    uses = uses_of([territory.pk])[territory.pk]
    return render(
        request,
        "territories/territory_detail.html",
        {
            "territory": territory,
            "territory_summary": territory_overview(
                territory, region=territory.region, readable=region_scope(request.user)
            ),
            "uses": uses,
            # A territory with a use is owned by it: no need to walk its relations again.
            "can_edit": can_change_territories(request)
            and not uses
            and not territory.is_used_by_other_than(),
        },
    )


class TerritoryNameForm(PortalModelForm):
    class Meta:
        model = Territory
        fields = ["name"]
        labels = {"name": _("Nom du territoire")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = inline_helper()


@login_required
@require_http_methods(["GET", "POST"])
def territory_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Staff build or edit a territory; ARS users change it, URPS and Assurance Maladie read."""
    # The builder is the partners' (read-only for URPS and Assurance Maladie); the national
    # level reads a territory on its page.
    if not has_role(request.user, *STAFF_ROLES):
        raise PermissionDenied
    territory = staff_territory(request, pk) if pk else Territory()
    # A row a project or an AMI answer owns changes on its owner's page only (the project's
    # history and overlap rule, what the professionals wrote): read-only here.
    owned = territory.pk is not None and territory.is_used_by_other_than()
    can_edit = can_change_territories(request) and not owned
    if owned and request.method == "GET":
        messages.info(
            request,
            _(
                "Ce territoire est celui d’un projet ou d’une réponse à l’AMI : modifiez-le "
                "depuis sa page."
            ),
        )
    codes = list(territory.communes.values_list("insee_code", flat=True)) if pk else []
    data = request.POST if request.method == "POST" else None
    if data is not None and not can_edit:
        raise PermissionDenied
    name_form = TerritoryNameForm(data, instance=territory)
    builder = TerritoryBuilderForm(
        data,
        prefix="territory",
        allow_departement=True,
        initial_codes=codes,
        initial_other_places=territory.other_place_list,
        # Where the territory belongs (a new one: the agent's region, ``save_territory``).
        region=territory.region if territory.pk else home_region(request.user),
    )
    if data is not None:
        if "territory_step" in data:
            if builder.is_valid():
                builder = builder.next_step()
        elif name_form.is_valid() and builder.is_valid():
            territory = services.save_territory(
                territory,
                request.user,
                name=name_form.cleaned_data["name"],
                communes=communes_queryset(builder.codes()),
                other_places=builder.other_places(),
            )
            messages.success(request, _("Le territoire a été enregistré."))
            return redirect("territories:territory_edit", pk=territory.pk)
    overlaps = territory.overlapping().prefetch_related("communes") if territory.pk else []
    readable = region_scope(request.user)
    return render(
        request,
        "territories/territory_form.html",
        {
            "territory": territory,
            "name_form": name_form,
            "builder": builder,
            "can_edit": can_edit,
            # Read-only: the shared summary (overlaps are listed above it already).
            "territory_summary": None
            if can_edit
            else territory_overview(
                territory,
                region=territory.region if territory.pk else None,
                with_overlaps=False,
            ),
            "overlaps": [
                (
                    other,
                    territory.shared_communes(other),
                    selectors.is_hidden(readable, territory.region_id, other.region_id),
                )
                for other in overlaps
            ],
            "neighbour": NEIGHBOUR_REGION_PROJECT,
        },
    )
