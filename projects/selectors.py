"""Reads of the projects app: lists, overlaps, completeness, funding simulation."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cpts_portal.roles import Role, has_role
from territories.models import Commune
from territories.rules import SizeTier, size_tier
from territories.selectors import Area

from . import permissions
from .models import (
    AciContract,
    ActionSheet,
    CptsProject,
    Document,
    DocumentKind,
    FundingRate,
    FundingScale,
    Mission,
    MissionDeadline,
    Stage,
    TerritoryOverlapOverride,
    add_months,
)
from .models.choices import ACTIVE_STAGES, CORE_MISSIONS, PIPELINE

User = AbstractBaseUser | AnonymousUser


def visible_projects(user: User) -> QuerySet[CptsProject]:
    """Every project for partner staff; a coordinator's own projects; nothing otherwise."""
    if permissions.is_partner_staff(user):
        return CptsProject.objects.all()
    if has_role(user, Role.COORDINATOR):
        return CptsProject.objects.filter(coordinators=user)
    return CptsProject.objects.none()


def project_list(user: User) -> QuerySet[CptsProject]:
    """The list page's rows, in a constant number of queries whatever their count.

    Annotated with the territory's population and the number of overdue milestones;
    coordinators prefetched (one query for all rows). ``projects.filters.ProjectFilter``
    filters on these annotations.
    """
    today = timezone.localdate()
    population = (
        Commune.objects.filter(territories=OuterRef("territory"))
        .order_by()
        .values("territories")
        .annotate(total=Sum("population"))
        .values("total")
    )
    return (
        visible_projects(user)
        .select_related("territory", "legal_holder")
        .prefetch_related(Prefetch("coordinators", queryset=coordinator_queryset()))
        .annotate(
            population=Coalesce(Subquery(population, output_field=IntegerField()), 0),
            overdue_count=Count(
                "milestones",
                filter=Q(
                    milestones__done_on__isnull=True,
                    milestones__due_on__lt=today,
                ),
            ),
        )
        .order_by("name", "pk")
    )


# The board's columns: the main line, each « à compléter » stage after the stage it
# sends back to, and abandonment last.
BOARD_STAGES: tuple[Stage, ...] = (
    Stage.DRAFT,
    Stage.LETTER_DEPOSITED,
    Stage.LETTER_TO_COMPLETE,
    Stage.URPS_OPINION,
    Stage.LETTER_VALIDATED,
    Stage.HEALTH_PROJECT_DRAFTING,
    Stage.HEALTH_PROJECT_DEPOSITED,
    Stage.HEALTH_PROJECT_TO_COMPLETE,
    Stage.HEALTH_PROJECT_VALIDATED,
    Stage.CONTRACT_SIGNED,
    Stage.RUNNING,
    Stage.ABANDONED,
)
assert set(BOARD_STAGES) == set(Stage) and set(PIPELINE) <= set(BOARD_STAGES)


@dataclass
class BoardColumn:
    stage: Stage
    projects: list[dict] = field(default_factory=list)  # {"pk", "name"}

    @property
    def count(self) -> int:
        return len(self.projects)


def pipeline_board(user: User) -> list[BoardColumn]:
    """Every project this user sees, by stage: one column per stage, in one query."""
    columns = {stage: BoardColumn(stage) for stage in BOARD_STAGES}
    for row in visible_projects(user).order_by("name", "pk").values("pk", "name", "stage"):
        columns[Stage(row["stage"])].projects.append(row)
    return list(columns.values())


def coordinator_queryset() -> QuerySet:
    return get_user_model().objects.order_by("last_name", "first_name", "username")


def tier_of(population: int | None) -> SizeTier:
    return size_tier(population or 0)


# --- Overlaps --------------------------------------------------------------------------


@dataclass
class Overlap:
    """Another active project whose territory shares communes with this one's."""

    other: CptsProject
    communes: list[Commune]
    override: TerritoryOverlapOverride | None
    blocking: bool  # the other came first and the ARS has not decided the pair may coexist


def overlapping_projects(commune_ids, exclude: CptsProject | None = None) -> QuerySet[CptsProject]:
    """Active projects whose territory contains one of these communes."""
    projects = CptsProject.objects.filter(
        stage__in=ACTIVE_STAGES, territory__communes__in=commune_ids
    )
    if exclude is not None and exclude.pk:
        projects = projects.exclude(pk=exclude.pk)
    return projects.select_related("territory").distinct().order_by("pk")


def projects_in_area(area: Area) -> QuerySet[CptsProject]:
    """Projects whose territory shares a commune or an EPCI with the area (any stage)."""
    if not area:
        return CptsProject.objects.none()
    return (
        CptsProject.objects.filter(area.lookup("territory__communes"))
        .distinct()
        .order_by("name", "pk")
    )


def overlaps_of(project: CptsProject) -> list[Overlap]:
    """The overlaps of a project, with the shared communes and the ARS decisions.

    The rule: « Deux CPTS ne peuvent coexister sur un même territoire ». The project
    created first keeps its place; a later one is blocked by it until the ARS records a
    ``TerritoryOverlapOverride`` for the pair (either way round).
    """
    if not project.territory_id or not project.is_active:
        return []
    commune_ids = project.territory.communes.values("pk")
    others = list(overlapping_projects(commune_ids, exclude=project))
    if not others:
        return []
    other_ids = [other.pk for other in others]
    overrides = {}
    for override in TerritoryOverlapOverride.objects.filter(
        Q(project=project, other_project__in=other_ids)
        | Q(other_project=project, project__in=other_ids)
    ).select_related("by"):
        other_id = (
            override.other_project_id if override.project_id == project.pk else override.project_id
        )
        overrides[other_id] = override
    result = []
    for other in others:
        shared = list(
            Commune.objects.filter(territories=project.territory_id)
            .filter(territories=other.territory_id)
            .order_by("search_name")
        )
        override = overrides.get(other.pk)
        result.append(
            Overlap(other, shared, override, blocking=other.pk < project.pk and override is None)
        )
    return result


def blocking_overlaps(project: CptsProject) -> list[Overlap]:
    return [overlap for overlap in overlaps_of(project) if overlap.blocking]


def blocking_projects(project: CptsProject, commune_ids) -> list[CptsProject]:
    """The active projects that would block ``project`` if its territory had these communes.

    Those created before it (all of them for a project not yet saved) sharing a commune,
    unless the ARS has already decided the pair may coexist.
    """
    overridden: set[int] = set()
    if project.pk:
        pairs = TerritoryOverlapOverride.objects.filter(
            Q(project=project) | Q(other_project=project)
        ).values_list("project_id", "other_project_id")
        overridden = {b if a == project.pk else a for a, b in pairs}
    return [
        other
        for other in overlapping_projects(commune_ids, exclude=project)
        if (project.pk is None or other.pk < project.pk) and other.pk not in overridden
    ]


# --- Completeness of the documents ------------------------------------------------------


def latest_documents(project: CptsProject) -> dict[str, Document]:
    """The most recent document of each kind."""
    latest: dict[str, Document] = {}
    for document in project.documents.order_by("-uploaded_at", "-pk"):
        latest.setdefault(document.kind, document)
    return latest


def letter_missing_items(project: CptsProject) -> list[str]:
    """What the lettre d'intention still lacks before it can be deposited, in French."""
    letter = project.letter
    missing = [
        str(letter._meta.get_field(name).verbose_name).capitalize()
        for name in (
            "action_territory",
            "identified_needs",
            "mobilisation",
            "project_description",
            "objectives",
            "planned_actions",
            "means",
        )
        if not getattr(letter, name).strip()
    ]
    if not letter.commits_to_core_missions:
        missing.append(_("L’engagement à initier un travail sur les missions socles de l’ACI"))
    kinds = set(project.documents.values_list("kind", flat=True))
    for kind in (DocumentKind.LETTER, DocumentKind.CERFA):
        if kind not in kinds:
            missing.append(_("Document : %(kind)s") % {"kind": kind.label})
    return missing


def health_project_missing_items(project: CptsProject) -> list[str]:
    """What the projet de santé still lacks before it can be deposited, in French."""
    health_project = project.health_project
    missing = []
    if not health_project.diagnostic.strip():
        missing.append(_("Le diagnostic territorial"))
    for mission in CORE_MISSIONS:
        if mission not in health_project.missions:
            missing.append(_("La mission socle « %(mission)s »") % {"mission": mission.label})
    if not ActionSheet.objects.filter(health_project=health_project).exists():
        missing.append(_("Au moins une fiche-action"))
    if not health_project.governance.strip():
        missing.append(_("La gouvernance"))
    if not project.documents.filter(kind=DocumentKind.HEALTH_PROJECT).exists():
        missing.append(_("Document : %(kind)s") % {"kind": DocumentKind.HEALTH_PROJECT.label})
    return missing


# --- Funding simulation ---------------------------------------------------------------


@dataclass
class FundingLine:
    label: str
    fixed: Decimal
    variable: Decimal
    source: str


@dataclass
class FundingSimulation:
    population: int
    tier: SizeTier
    scale: FundingScale | None = None
    lines: list[FundingLine] = field(default_factory=list)
    missing_items: list[str] = field(default_factory=list)

    @property
    def fixed_total(self) -> Decimal:
        return sum((line.fixed for line in self.lines), Decimal(0))

    @property
    def variable_total(self) -> Decimal:
        return sum((line.variable for line in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.fixed_total + self.variable_total

    @property
    def sources(self) -> list[str]:
        """The distinct sources of the amounts, in the order of the lines."""
        return list(dict.fromkeys(line.source for line in self.lines))


def funding_simulation(
    project: CptsProject, missions: list[str], on: date | None = None
) -> FundingSimulation:
    """Annual ACI funding of the project's size tier for these missions.

    The amounts come from the version of the scale in force on ``on`` (today by default,
    ``FundingScale.objects.in_force``), never from the code; items without a rate in that
    version are listed in ``missing_items`` rather than counted as zero silently.
    """
    population = project.territory.summary().population if project.territory_id else 0
    tier = size_tier(population)
    scale = FundingScale.objects.in_force(on or timezone.localdate())
    items = [FundingRate.FUNCTIONING, *[code for code in Mission.values if code in missions]]
    rates = {}
    if scale is not None:
        rates = {
            rate.item: rate
            for rate in scale.rates.filter(tier=tier.number, item__in=items).select_related("scale")
        }
    labels = dict(FundingRate.ITEM_CHOICES)
    simulation = FundingSimulation(population, tier, scale)
    for item in items:
        rate = rates.get(item)
        if rate is None:
            simulation.missing_items.append(str(labels[item]))
        else:
            simulation.lines.append(
                FundingLine(
                    str(labels[item]), rate.fixed_amount, rate.variable_amount, rate.source_text
                )
            )
    return simulation


# --- ACI contract: mission deadlines -----------------------------------------------------


@dataclass
class MissionSchedule:
    """When a contracted mission must start and be fully deployed (``None``: no deadline)."""

    mission: Mission
    start_by: date | None
    deployed_by: date | None
    source: str
    known: bool  # whether the ARS has entered the mission's delays (``MissionDeadline``)

    @property
    def label(self) -> str:
        return str(self.mission.label)

    @property
    def free(self) -> bool:
        return self.known and self.start_by is None and self.deployed_by is None


def schedule_sources(schedule: list[MissionSchedule]) -> list[str]:
    return list(dict.fromkeys(row.source for row in schedule if row.source))


def mission_deadlines() -> dict[str, MissionDeadline]:
    return {deadline.mission: deadline for deadline in MissionDeadline.objects.all()}


def mission_schedule(
    contract: AciContract, deadlines: dict[str, MissionDeadline] | None = None
) -> list[MissionSchedule]:
    """The deadlines of the contract's missions, counted in months from the signature.

    Computed from the ``MissionDeadline`` table as it stands (pass ``deadlines`` to share
    one read between contracts); month ends and leap years follow ``add_months``.
    """
    if deadlines is None:
        deadlines = mission_deadlines()
    schedule = []
    for code in Mission.values:
        if code not in contract.missions:
            continue
        deadline = deadlines.get(code)
        start = deadline.start_within_months if deadline else None
        deployed = deadline.deployed_within_months if deadline else None
        schedule.append(
            MissionSchedule(
                mission=Mission(code),
                start_by=add_months(contract.signed_on, start) if start is not None else None,
                deployed_by=(
                    add_months(contract.signed_on, deployed) if deployed is not None else None
                ),
                source=deadline.source if deadline else "",
                known=deadline is not None,
            )
        )
    return schedule


def stage_label(stage: str) -> str:
    return Stage(stage).label


def project_recipients(
    project: CptsProject,
    roles: tuple[str, ...],
    *,
    coordinators: bool = True,
    leaving_out: User | None = None,
) -> list[str]:
    """Emails of the project's coordinators (unless ``coordinators`` is false) and of the
    active staff of ``roles``, each once; ``leaving_out`` (the author of a change: they
    know) is left out."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if leaving_out is not None:
        users = users.exclude(pk=leaving_out.pk)
    emails: list[str] = []
    if coordinators:
        emails += users.filter(cpts_projects=project, groups__name=Role.COORDINATOR).values_list(
            "email", flat=True
        )
    if roles:
        emails += users.filter(groups__name__in=roles).values_list("email", flat=True)
    return list(dict.fromkeys(emails))
