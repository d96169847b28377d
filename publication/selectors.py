"""Reads of the public pages, the open data and the API, with query budgets.

The public output covers the regions the portal serves (one ``RegionIdentity`` each) and
those ``PUBLIC_REGIONS`` (settings, INSEE codes) names, for a deployment whose regions
have no identity yet; none at all, every region. Each read takes ``region_codes`` so that
a region filter is a parameter, not a rewrite.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from ami.models import Campaign, open_campaigns
from projects.models import CptsProject, Stage
from territories.models import Commune, Region, RegionIdentity, Territory
from territories.rules import size_tier

from .rules import ACI_SIGNED_STAGES, coverage_bucket, coverage_share


def public_regions() -> tuple[str, ...]:
    """The codes of the regions of the public output, sorted (one query)."""
    served = RegionIdentity.objects.values_list("region__code", flat=True)
    return tuple(sorted({*settings.PUBLIC_REGIONS, *served}))


def open_campaigns_for(commune: Commune) -> list[Campaign]:
    """The AMI open now in the commune's region: where its professionals make themselves
    known when no CPTS covers them yet."""
    region_id = Commune.objects.filter(pk=commune.pk).values("departement__region_id")[:1]
    return list(open_campaigns().filter(region_id=region_id).order_by("-opens_on", "pk"))


def region_identity_for(commune: Commune) -> RegionIdentity | None:
    """The identity (ARS, AMI contact) of the commune's region, if the portal serves it."""
    return (
        RegionIdentity.objects.select_related("region")
        .filter(region__departements__communes=commune)
        .first()
    )


def published_projects() -> QuerySet[CptsProject]:
    """Projects with the coordinator's consent and the ARS's validation, still active."""
    return (
        CptsProject.objects.filter(
            publication__consented_at__isnull=False, publication__validated_at__isnull=False
        )
        .exclude(stage=Stage.ABANDONED)
        .select_related("publication", "territory")
    )


def with_territory_totals(projects: QuerySet[CptsProject]) -> QuerySet[CptsProject]:
    """Annotate ``commune_count`` and ``population`` of each project's territory."""
    return projects.annotate(
        commune_count=Count("territory__communes"),
        population=Coalesce(Sum("territory__communes__population"), 0),
    )


def projects_for_commune(commune: Commune) -> list[CptsProject]:
    """Published projects whose territory includes ``commune``, in one query."""
    territories = Territory.objects.filter(communes=commune).values("pk")
    projects = published_projects().filter(territory__in=territories).order_by("name", "pk")
    return list(with_territory_totals(projects))


# --- Coverage ----------------------------------------------------------------------------


@dataclass
class CoverageRow:
    """The population of an area, and how much of it a CPTS covers."""

    code: str
    name: str
    population: int = 0
    covered_any: int = 0  #: inhabitants of communes in the territory of any active project
    covered_aci: int = 0  #: ... of a project whose ACI contract is signed

    @property
    def share_any(self) -> float:
        return coverage_share(self.covered_any, self.population)

    @property
    def share_aci(self) -> float:
        return coverage_share(self.covered_aci, self.population)

    @property
    def bucket(self) -> int:
        """The map's colour: the share covered by any project."""
        return coverage_bucket(self.covered_any, self.population)


@dataclass
class RegionCoverage(CoverageRow):
    departements: list[CoverageRow] = field(default_factory=list)


def _commune_ids_of(projects: QuerySet[CptsProject]) -> QuerySet:
    links = Territory.communes.through.objects
    return links.filter(territory_id__in=projects.values("territory_id")).values("commune_id")


def coverage(region_codes: Sequence[str] | None = None) -> list[RegionCoverage]:
    """Population covered by a CPTS per département and region, in one query.

    Every active project counts (published or not: only totals leave the portal); a commune
    in several territories counts once. Populations are the communes' « population
    municipale » of the reference geography.
    """
    region_codes = public_regions() if region_codes is None else tuple(region_codes)
    active = CptsProject.objects.exclude(stage=Stage.ABANDONED).exclude(territory=None)
    communes = Commune.objects.filter(is_current=True)
    if region_codes:
        communes = communes.filter(departement__region__code__in=region_codes)
    rows = (
        communes.values(
            "departement__code",
            "departement__name",
            "departement__region__code",
            "departement__region__name",
        )
        .annotate(
            total=Coalesce(Sum("population"), 0),
            any_project=Coalesce(Sum("population", filter=Q(pk__in=_commune_ids_of(active))), 0),
            aci_signed=Coalesce(
                Sum(
                    "population",
                    filter=Q(pk__in=_commune_ids_of(active.filter(stage__in=ACI_SIGNED_STAGES))),
                ),
                0,
            ),
        )
        .order_by("departement__region__name", "departement__code")
    )
    regions: dict[str, RegionCoverage] = {}
    for row in rows:
        code = row["departement__region__code"]
        region = regions.setdefault(
            code, RegionCoverage(code=code, name=row["departement__region__name"])
        )
        departement = CoverageRow(
            code=row["departement__code"],
            name=row["departement__name"],
            population=row["total"],
            covered_any=row["any_project"],
            covered_aci=row["aci_signed"],
        )
        region.departements.append(departement)
        region.population += departement.population
        region.covered_any += departement.covered_any
        region.covered_aci += departement.covered_aci
    # A region served without population data loaded still has its line (and says so).
    missing = set(region_codes) - set(regions)
    for code, name in Region.objects.filter(code__in=missing).values_list("code", "name"):
        regions[code] = RegionCoverage(code=code, name=name)
    return sorted(regions.values(), key=lambda region: region.name)


# --- Open data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceRow:
    insee_code: str
    name: str
    population: int
    departement_code: str
    region_code: str
    region_name: str


@dataclass
class PublishedCpts:
    project: CptsProject
    communes: list[PlaceRow]

    @property
    def population(self) -> int:
        return sum(commune.population for commune in self.communes)

    @property
    def tier(self) -> int:
        return size_tier(self.population).number

    @property
    def regions(self) -> list[tuple[str, str]]:
        return sorted({(c.region_code, c.region_name) for c in self.communes})

    @property
    def departements(self) -> list[str]:
        return sorted({commune.departement_code for commune in self.communes})


def published_cpts(region_codes: Iterable[str] | None = None) -> list[PublishedCpts]:
    """Every published project with its communes, in two queries."""
    region_codes = public_regions() if region_codes is None else tuple(region_codes)
    # By id: the same order on every database (names sort by collation).
    projects = list(published_projects().order_by("pk"))
    links = (
        Territory.communes.through.objects.filter(
            territory_id__in=[p.territory_id for p in projects if p.territory_id]
        )
        .order_by("commune__insee_code")
        .values_list(
            "territory_id",
            "commune__insee_code",
            "commune__name",
            "commune__population",
            "commune__departement__code",
            "commune__departement__region__code",
            "commune__departement__region__name",
        )
    )
    by_territory: dict[int, list[PlaceRow]] = defaultdict(list)
    for territory_id, *values in links:
        values[2] = values[2] or 0
        by_territory[territory_id].append(PlaceRow(*values))
    result = [
        PublishedCpts(project, by_territory.get(project.territory_id, [])) for project in projects
    ]
    if region_codes:
        wanted = set(region_codes)
        result = [
            cpts
            for cpts in result
            if wanted & {code for code, _name in cpts.regions} or not cpts.communes
        ]
    return result
