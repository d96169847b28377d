"""Reads over territories: what a set of communes amounts to, and the areas the apps that
locate things on the map share."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from territories.models import Commune
from territories.rules import SizeTier, TerritoryWarning, size_tier, territory_warnings


@dataclass(frozen=True)
class Area:
    """Communes where something happens, and the EPCI they belong to."""

    commune_ids: frozenset[int]
    epci_ids: frozenset[int]

    def __bool__(self) -> bool:
        return bool(self.commune_ids)

    def lookup(self, commune_path: str) -> Q:
        """A filter matching rows whose ``commune_path`` is in the area or one of its EPCI."""
        return Q(**{f"{commune_path}__in": self.commune_ids}) | Q(
            **{f"{commune_path}__epci__in": self.epci_ids}
        )


def area_of(commune_ids: Iterable[int]) -> Area:
    ids = frozenset(commune_ids)
    epcis = (
        Commune.objects.filter(pk__in=ids, epci__isnull=False).values_list("epci_id", flat=True)
        if ids
        else []
    )
    return Area(ids, frozenset(epcis))


@dataclass(frozen=True)
class TerritorySummary:
    """What a set of communes amounts to, for the builder and the staff pages."""

    commune_count: int
    population: int
    tier: SizeTier
    departements: list[str]
    regions: list[str]
    warnings: list[TerritoryWarning]


def summarize_communes(communes: QuerySet) -> TerritorySummary:
    """Population, ACI size tier and warnings of a set of communes, in two queries."""
    totals = communes.aggregate(count=Count("pk"), population=Sum("population"))
    population = totals["population"] or 0
    places = (
        communes.order_by()
        .values_list("departement__code", "departement__name", "departement__region__name")
        .distinct()
    )
    departements = sorted({f"{name} ({code})" for code, name, _region in places})
    regions = sorted({region for _code, _name, region in places})
    return TerritorySummary(
        commune_count=totals["count"],
        population=population,
        tier=size_tier(population),
        departements=departements,
        regions=regions,
        warnings=territory_warnings(population, departements, regions) if totals["count"] else [],
    )
