"""Public JSON endpoint of the commune search, for the autocomplete of CommuneField."""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from territories.models import Commune
from territories.search import commune_label, search_communes

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
    communes = search_communes(query, limit=MAX_RESULTS) if len(query) >= MIN_QUERY_LENGTH else []
    return JsonResponse({"results": [commune_payload(commune) for commune in communes]})
