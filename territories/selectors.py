"""Reads over territories: what a set of communes amounts to, and the areas the apps that
locate things on the map share."""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from cpts_portal.fragments import versions
from territories.models import (
    GEOGRAPHY_VERSION,
    TERRITORIES_VERSION,
    Commune,
    Departement,
    Region,
    RegionIdentity,
    Territory,
)
from territories.permissions import EVERY_REGION, region_scope, scope_by_region
from territories.rules import (
    NEIGHBOUR_REGION_PROJECT,
    SIZE_TIERS,
    SizeTier,
    TerritoryWarning,
    normalize_commune_name,
    other_places_warning,
    outside_region_warning,
    overlap_warning,
    size_tier,
    territory_warnings,
)
from territories.uses import TerritoryUse, uses_of


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


def summarize_communes(communes: QuerySet, region: Region | None = None) -> TerritorySummary:
    """Population, ACI size tier and warnings of a set of communes, in two queries.

    ``region``: the region the territory belongs to (its campaign's, project's or own), to
    warn about communes outside it."""
    totals = communes.aggregate(count=Count("pk"), population=Sum("population"))
    population = totals["population"] or 0
    places = list(
        communes.order_by().values_list(
            "departement__code",
            "departement__name",
            "departement__region__name",
            "departement__region_id",
            "name",
        )
    )
    departements = sorted({f"{name} ({code})" for code, name, *_rest in places})
    regions = sorted({row[2] for row in places})
    warnings = territory_warnings(population, departements, regions) if totals["count"] else []
    if region is not None:
        outside = sorted({row[4] for row in places if row[3] != region.pk})
        if outside:
            warnings.append(outside_region_warning(region.name, outside))
    return TerritorySummary(
        commune_count=totals["count"],
        population=population,
        tier=size_tier(population),
        departements=departements,
        regions=regions,
        warnings=warnings,
    )


# --- The territory summary shown on every page that shows a territory ---------------------

#: Postal codes shown after a commune's name; Paris has twenty, the rest follow « … ».
SHOWN_POSTAL_CODES = 3


@dataclass(frozen=True)
class CommuneLine:
    name: str
    postal_codes: str  #: "35300", "35000, 35200, 35700", "75001, 75002, 75003…"
    insee_code: str
    departement: str
    epci: str
    population: int | None

    @property
    def label(self) -> str:
        """« Fougères (35300) »: the postal code, never the INSEE code, in brackets."""
        return f"{self.name} ({self.postal_codes})" if self.postal_codes else self.name


@dataclass(frozen=True)
class OverlapLine:
    territory_id: int | None  #: None: another region's, not to be named nor linked
    name: str
    shared: list[str]  #: names of the shared communes


@dataclass(frozen=True)
class TerritoryOverview:
    """Everything the shared summary template (``territories/_summary.html``) shows."""

    territory_id: int | None
    name: str
    communes: list[CommuneLine]
    epcis: list[str]
    population: int
    tier: SizeTier
    departements: list[str]
    regions: list[str]
    other_places: list[str]
    overlaps: list[OverlapLine]
    warnings: list[TerritoryWarning]

    @property
    def commune_count(self) -> int:
        return len(self.communes)

    @property
    def is_empty(self) -> bool:
        return not self.communes and not self.other_places


def postal_codes_text(codes: list[str]) -> str:
    shown = ", ".join(codes[:SHOWN_POSTAL_CODES])
    return f"{shown}…" if len(codes) > SHOWN_POSTAL_CODES else shown


def is_hidden(readable: frozenset[int] | None, own_region: int, other_region: int) -> bool:
    """Whether a territory of ``other_region`` sharing communes with one of ``own_region``
    is masked for a viewer who reads the regions ``readable`` (``region_scope``)."""
    return readable is not EVERY_REGION and other_region not in (own_region, *readable)


def _in_region(commune: Commune, region: Region | str) -> bool:
    if isinstance(region, Region):
        return commune.departement.region_id == region.pk
    # A region by its name (callers from before regions were rows).
    return normalize_commune_name(commune.departement.region.name) == normalize_commune_name(region)


def territory_overview(
    territory: Territory | None,
    *,
    region: Region | str | None = None,
    with_overlaps: bool = True,
    readable: frozenset[int] | None = EVERY_REGION,
) -> TerritoryOverview | None:
    """The summary of ``territory`` for the shared template, in at most two queries.

    ``region``: the region it belongs to (the campaign's, the project's, its own; a
    ``Region``, or its name), to warn about communes outside it. ``with_overlaps``: list
    the other territories sharing communes (staff pages only: the public pages must not
    reveal other answers); ``readable``: the viewer's ``region_scope``, a territory of
    another region outside it is listed only as « un projet existe dans la région
    voisine », without a link. ``None`` for no territory, or one not saved yet (an empty
    builder).
    """
    if territory is None or territory.pk is None:
        return None
    rows = list(
        territory.communes.select_related("departement__region", "epci").order_by(
            "search_name", "insee_code"
        )
    )
    communes = [
        CommuneLine(
            name=commune.name,
            postal_codes=postal_codes_text(commune.postal_code_list),
            insee_code=commune.insee_code,
            departement=f"{commune.departement.name} ({commune.departement.code})",
            epci=commune.epci.name if commune.epci else "",
            population=commune.population,
        )
        for commune in rows
    ]
    population = sum(commune.population or 0 for commune in rows)
    departements = sorted({line.departement for line in communes})
    regions = sorted({commune.departement.region.name for commune in rows})
    overlaps: list[OverlapLine] = []
    if with_overlaps and territory.pk and rows:
        links = Territory.communes.through.objects
        shared = (
            links.filter(commune_id__in=[commune.pk for commune in rows])
            .exclude(territory_id=territory.pk)
            .order_by("territory__name", "territory_id", "commune__search_name")
            .values_list("territory_id", "territory__name", "territory__region_id", "commune__name")
        )
        by_territory: dict[int, OverlapLine] = {}
        for other_id, other_name, other_region, commune_name in shared:
            line = by_territory.get(other_id)
            if line is None:
                hidden = is_hidden(readable, territory.region_id, other_region)
                line = by_territory[other_id] = (
                    OverlapLine(None, str(NEIGHBOUR_REGION_PROJECT), [])
                    if hidden
                    else OverlapLine(other_id, other_name, [])
                )
            line.shared.append(commune_name)
        overlaps = list(by_territory.values())
    warnings = territory_warnings(population, departements, regions) if rows else []
    outside = (
        sorted({commune.name for commune in rows if not _in_region(commune, region)})
        if region
        else []
    )
    if outside:
        warnings.append(outside_region_warning(getattr(region, "name", region), outside))
    if overlaps:
        warnings.append(overlap_warning([line.name for line in overlaps]))
    other_places = territory.other_place_list
    if other_places:
        warnings.append(other_places_warning(other_places))
    return TerritoryOverview(
        territory_id=territory.pk,
        name=territory.name,
        communes=communes,
        epcis=sorted({line.epci for line in communes if line.epci}),
        population=population,
        tier=size_tier(population),
        departements=departements,
        regions=regions,
        other_places=other_places,
        overlaps=overlaps,
        warnings=warnings,
    )


# --- The list of every territory (/territoires/) ------------------------------------------


@dataclass(frozen=True)
class TerritoryRow:
    territory: Territory
    commune_count: int
    population: int
    tier: SizeTier
    departements: list[str]  #: codes
    #: (pk, name) of the territories sharing communes; (None, « un projet existe dans la
    #: région voisine ») for those of another region the viewer may not read.
    overlaps: list[tuple[int | None, str]]
    uses: list[TerritoryUse]


def _links() -> QuerySet:
    return Territory.communes.through.objects


def visible_territories(user) -> QuerySet[Territory]:
    """The territories of the regions ``user`` reads (every region's for the national
    level and superusers): what the staff pages and the admin start from."""
    return scope_by_region(Territory.objects.all(), user)


def territory_list(
    user,
    *,
    search: str = "",
    departement: str = "",
    tier: int | None = None,
    overlaps: str = "",
) -> QuerySet[Territory]:
    """``user``'s territories, filtered, by name: rows to paginate, without their figures.

    Nothing is aggregated for display over every territory: ``territory_rows`` computes the
    figures of the page's rows only (a tier filter sums the populations of every territory
    in one grouped subquery). ``overlaps``: "oui" (sharing a commune with another
    territory, of any region), "non", or "" (all).
    """
    links = _links()
    territories = visible_territories(user).order_by("name", "pk")
    if search := search.strip():
        name = normalize_commune_name(search)
        territories = territories.filter(
            Q(name__icontains=search)
            | Exists(
                links.filter(
                    territory_id=OuterRef("pk"), commune__search_name__startswith=name or search
                )
            )
        )
    if departement:
        territories = territories.filter(
            Exists(
                links.filter(territory_id=OuterRef("pk"), commune__departement__code=departement)
            )
        )
    if tier is not None:
        bounds = next((t for t in SIZE_TIERS if t.number == tier), None)
        if bounds is not None:
            # The populations of every territory in one grouped pass over the links (a
            # subquery per territory cost 100 ms at 2,300 territories); a territory without
            # communes counts 0 inhabitants.
            totals = (
                links.order_by()
                .values("territory_id")
                .annotate(population=Coalesce(Sum("commune__population"), 0))
                .filter(population__gte=bounds.lowest)
            )
            if bounds.highest is not None:
                totals = totals.filter(population__lte=bounds.highest)
            in_tier = Q(pk__in=totals.values("territory_id"))
            if bounds.lowest <= 0:
                in_tier |= ~Exists(links.filter(territory_id=OuterRef("pk")))
            territories = territories.filter(in_tier)
    if overlaps in ("oui", "non"):
        # One of its links whose commune has a link to another territory: probes of the
        # links' indexes (an IN over every link of its communes took seconds a query).
        shares = Exists(
            links.filter(territory_id=OuterRef("pk")).filter(
                Exists(
                    links.filter(commune_id=OuterRef("commune_id")).exclude(
                        territory_id=OuterRef("territory_id")
                    )
                )
            )
        )
        territories = territories.filter(shares if overlaps == "oui" else ~shares)
    return territories


class TerritoryFigures(NamedTuple):
    """What the list shows of one territory besides its uses, from its communes."""

    commune_count: int
    population: int
    departements: tuple[str, ...]  #: codes, sorted
    #: (pk, name, region id) of the territories sharing a commune with it, by name
    others: tuple[tuple[int, str, int], ...]


def _compute_figures(ids: list[int]) -> dict[int, TerritoryFigures]:
    # Per territory and département: its communes and their population (a handful of rows
    # per territory, whatever its size).
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    populations: dict[int, int] = dict.fromkeys(ids, 0)
    departements: dict[int, set[str]] = {pk: set() for pk in ids}
    for pk, code, count, population in (
        _links()
        .filter(territory_id__in=ids)
        .order_by()
        .values("territory_id", "commune__departement__code")
        .annotate(count=Count("commune_id"), population=Sum("commune__population"))
        .values_list("territory_id", "commune__departement__code", "count", "population")
    ):
        counts[pk] += count
        populations[pk] += population or 0
        departements[pk].add(code)
    others: dict[int, list[tuple[int, str, int]]] = {pk: [] for pk in ids}
    for pk, other_pk, other_name, other_region in (
        _links()
        .filter(territory_id__in=ids)
        .order_by()
        .values_list(
            "territory_id",
            "commune__territories__pk",
            "commune__territories__name",
            "commune__territories__region_id",
        )
        .distinct()
    ):
        if other_pk != pk:
            others[pk].append((other_pk, other_name, other_region))
    return {
        pk: TerritoryFigures(
            commune_count=counts[pk],
            population=populations[pk],
            departements=tuple(sorted(departements[pk])),
            others=tuple(sorted(others[pk], key=lambda other: (other[1], other[0]))),
        )
        for pk in ids
    }


#: A safety net for writes that send no signal (``QuerySet.update``): figures at most this old.
FIGURES_TIMEOUT = 15 * 60  # seconds


def _kept(name: str, parts: Iterable[object], compute: Callable[[], Any]) -> Any:
    """``compute()``, kept in this process's memory (the ``fragments`` cache, never a remote
    one: a frozen Redis costs at most the versions' timeout) under ``name``, ``parts`` and the
    versions of the territories and the geography: any change of a territory, of its
    communes or of the reference geography computes it afresh (``territories/apps.py``)."""
    digest = hashlib.blake2b(repr(list(parts)).encode(), digest_size=16).hexdigest()
    key = f"{name}:{versions(TERRITORIES_VERSION, GEOGRAPHY_VERSION)}:{digest}"
    store = caches["fragments"]
    found = store.get(key)
    if found is None:
        found = compute()
        store.set(key, found, FIGURES_TIMEOUT)
    return found


def territory_figures(ids: list[int]) -> dict[int, TerritoryFigures]:
    """The figures of these territories: two queries whatever their number, none when this
    process computed them for the same ids since the territories last changed."""
    return _kept("territory-figures", ids, lambda: _compute_figures(ids))


def territory_rows(
    territories: Iterable[Territory], readable: frozenset[int] | None = EVERY_REGION
) -> list[TerritoryRow]:
    """Rows of a page of ``territory_list``, with their figures: four queries whatever the
    number of rows (communes, overlaps — none when kept, ``territory_figures`` — and one per
    app that uses territories). ``readable``: the viewer's ``region_scope``; an overlapping
    territory of another region outside it is listed as « un projet existe dans la région
    voisine », without its id."""
    page = list(territories)
    ids = [territory.pk for territory in page]
    if not ids:
        return []
    figures = territory_figures(ids)
    uses = uses_of(ids)
    rows = []
    for territory in page:
        kept = figures[territory.pk]
        overlaps: list[tuple[int | None, str]] = [
            (pk, name)
            for pk, name, region in kept.others
            if not is_hidden(readable, territory.region_id, region)
        ]
        if len(overlaps) < len(kept.others):
            overlaps.append((None, str(NEIGHBOUR_REGION_PROJECT)))
        rows.append(
            TerritoryRow(
                territory=territory,
                commune_count=kept.commune_count,
                population=kept.population,
                tier=size_tier(kept.population),
                departements=list(kept.departements),
                overlaps=overlaps,
                uses=uses.get(territory.pk, []),
            )
        )
    return rows


def departements_with_territories(user) -> list[tuple[str, str]]:
    """(code, « Finistère (29) ») of the départements where a territory ``user`` reads has a
    commune: one query, none when kept (the same for every user of the same regions)."""
    scope = region_scope(user)

    def compute() -> list[tuple[str, str]]:
        rows = (
            Departement.objects.filter(communes__territories__in=visible_territories(user))
            .order_by("code")
            .values_list("code", "name")
            .distinct()
        )
        return [(code, f"{name} ({code})") for code, name in rows]

    return _kept(
        "territory-departements", ["every"] if scope is EVERY_REGION else sorted(scope), compute
    )


# --- Who speaks for a region: its ARS on pages, emails, PDFs, invitations and contracts ---


def portal_identity(region: Region | None = None) -> RegionIdentity:
    """The identity made from the settings (``PORTAL_OPERATOR``, ``PRIVACY_CONTROLLER``,
    ``PRIVACY_DPO_CONTACT``), unsaved: pages of no region, and a region served before
    regions were data (a single-region deployment keeps its wording unchanged)."""
    operator = settings.PORTAL_OPERATOR
    identity = RegionIdentity(
        ars_name=operator,
        ars_short_name=operator.replace("Agence régionale de santé", "ARS"),
        legal_notice="",
        privacy_controller=settings.PRIVACY_CONTROLLER,
        privacy_contact=settings.PRIVACY_DPO_CONTACT,
        uses_guichet=False,
    )
    if region is not None:
        identity.region = region
    return identity


def region_identity(region_or_id: Region | int | None) -> RegionIdentity:
    """The saved identity of a region, else the one made from the settings.

    Given a ``Region`` loaded with ``select_related("…region__identity")`` this makes no
    query; otherwise one, remembered on the region object (a missing identity too)."""
    if region_or_id is None:
        return portal_identity()
    if isinstance(region_or_id, Region):
        try:
            return region_or_id.identity
        except RegionIdentity.DoesNotExist:
            return portal_identity(region_or_id)
    identity = RegionIdentity.objects.filter(region_id=region_or_id).first()
    if identity is None:
        identity = portal_identity()
        identity.region_id = region_or_id
    return identity


def served_identities() -> list[RegionIdentity]:
    """The identities of the regions served (legal notice, privacy page), or the portal's
    own when none is saved."""
    saved = list(RegionIdentity.objects.select_related("region"))
    return saved or [portal_identity()]
