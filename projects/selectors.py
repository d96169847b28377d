"""Reads of the projects app: lists, overlaps, completeness, funding simulation.

The rules themselves (overlap, completeness, funding, deadlines) are in ``projects.rules``:
the functions here read what a rule needs and call it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cpts_portal.links import pk_url_maker
from cpts_portal.roles import Role, has_role
from territories.models import Commune, Institution, InstitutionKind, Territory, UrpsProfession
from territories.permissions import EVERY_REGION, region_scope, scope_by_region
from territories.rules import NEIGHBOUR_REGION_PROJECT, size_tier
from territories.selectors import Area

from . import permissions, rules
from .models import (
    AciContract,
    ActionSheet,
    AnnualReport,
    ContractTerms,
    CptsProject,
    Document,
    FundingScale,
    GuichetReview,
    LegalHolder,
    ManagementDialogue,
    Milestone,
    MissionDeadline,
    MissionIndicator,
    Stage,
    TerritoryOverlapOverride,
    UrpsOpinion,
)
from .models.choices import ACTIVE_STAGES, PIPELINE
from .rules import FundingSimulation, MissionSchedule

User = AbstractBaseUser | AnonymousUser


def visible_projects(user: User) -> QuerySet[CptsProject]:
    """The projects of their region for partner staff (every region's for the national
    level); a coordinator's own projects; nothing otherwise."""
    if permissions.is_reader(user):
        return scope_by_region(CptsProject.objects.all(), user)
    if has_role(user, Role.COORDINATOR):
        return CptsProject.objects.filter(coordinators=user)
    return CptsProject.objects.none()


def coordinators_visible_to(user: User | None) -> QuerySet:
    """Coordinator accounts an agent may see and pick: those of their region's projects and
    those of no project yet (just invited); every one for the national level. Names and
    addresses of another region's coordinators stay there."""
    accounts = get_user_model().objects.filter(groups__name=Role.COORDINATOR)
    if user is None or region_scope(user) is EVERY_REGION:
        return accounts.order_by("last_name", "first_name", "username")
    mine = CptsProject.coordinators.through.objects.filter(
        cptsproject__in=visible_projects(user)
    ).values("user_id")
    anyone = CptsProject.coordinators.through.objects.values("user_id")
    return accounts.filter(Q(pk__in=mine) | ~Q(pk__in=anyone)).order_by(
        "last_name", "first_name", "username"
    )


def project_list(user: User) -> QuerySet[CptsProject]:
    """The list page's rows, in a constant number of queries whatever their count.

    Annotated with the territory's population and the number of overdue milestones
    (``list_cells`` reads the coordinators of the page's rows in one query).
    ``projects.filters.ProjectFilter`` filters on these annotations; the page reads its
    rows as ``LIST_COLUMNS``.
    """
    today = timezone.localdate()
    population = (
        Commune.objects.filter(territories=OuterRef("territory"))
        .order_by()
        .values("territories")
        .annotate(total=Sum("population"))
        .values("total")
    )
    # Subqueries, not a join and a GROUP BY: with a join on the milestones, PostgreSQL
    # evaluated the population once per milestone row (300 projects: 6,300 sums).
    overdue = (
        Milestone.objects.filter(project=OuterRef("pk"), done_on__isnull=True, due_on__lt=today)
        .order_by()
        .values("project")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        visible_projects(user)
        .annotate(
            population=Coalesce(Subquery(population, output_field=IntegerField()), 0),
            overdue_count=Coalesce(Subquery(overdue, output_field=IntegerField()), 0),
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
    projects: list[dict] = field(default_factory=list)  # {"pk", "name", "url"}

    @property
    def count(self) -> int:
        return len(self.projects)

    @property
    def links(self) -> SafeString:
        """The column's ``<li>`` links, escaped as the template would: 300 links through
        template tags took a third of the board's time, through ``format_html`` still a
        tenth (issue 15)."""
        return mark_safe(  # noqa: S308 - every value is escaped here
            "".join(
                f'<li><a class="fr-link fr-link--sm" href="{escape(row["url"])}">'
                f"{escape(row['name'])}</a></li>"
                for row in self.projects
            )
        )


@dataclass(frozen=True)
class BoardCount:
    """A column of the board as the list page keeps it: its stage and count (the markup
    is kept beside it)."""

    stage: Stage
    count: int


def pipeline_board(user: User) -> list[BoardColumn]:
    """Every project this user sees, by stage: one column per stage, in one query."""
    columns = {stage: BoardColumn(stage) for stage in BOARD_STAGES}
    detail_url = pk_url_maker("projects:detail")
    for row in visible_projects(user).order_by("name", "pk").values("pk", "name", "stage"):
        row["url"] = detail_url(row["pk"])
        columns[Stage(row["stage"])].projects.append(row)
    return list(columns.values())


STAGE_BADGES = {Stage.ABANDONED: "fr-badge--error", Stage.RUNNING: "fr-badge--success"}


def coordinator_names(project_ids: list[int]) -> dict[int, str]:
    """The coordinators of these projects, by project: their names (``get_full_name``, else
    the username) joined in the order of ``coordinator_queryset``. One query of four
    columns: a prefetch built a user and a related manager per row (issue 15)."""
    if not project_ids:
        return {}
    links = (
        CptsProject.coordinators.through.objects.filter(cptsproject_id__in=project_ids)
        .order_by("user__last_name", "user__first_name", "user__username")
        .values_list("cptsproject_id", "user__first_name", "user__last_name", "user__username")
    )
    names: dict[int, list[str]] = {}
    for project_id, first_name, last_name, username in links:
        names.setdefault(project_id, []).append(f"{first_name} {last_name}".strip() or username)
    return {project_id: ", ".join(shown) for project_id, shown in names.items()}


# The columns of ``project_list`` the list's cells show: read as values, since a project
# row has some twenty columns and 50 model instances with their territory and holder were a
# tenth of the page (issue 15).
LIST_COLUMNS = (
    "pk",
    "name",
    "stage",
    "territory__name",
    "legal_holder__name",
    "population",
    "overdue_count",
)


@dataclass(frozen=True)
class ListRow:
    """A project of the list: its link and its ``<tr>`` (``list_cells``)."""

    pk: int
    name: str
    url: str
    row: SafeString


def list_cells(rows: list[dict]) -> list[ListRow]:
    """The list's rows (``LIST_COLUMNS`` of ``project_list``) with what their cells show,
    computed in Python: 300 rows of template tags (a URL, a choice label, a translated
    sentence, the coordinators) took most of the page's time. The markup is the
    template's (projects/list.html)."""
    detail_url = pk_url_maker("projects:detail")
    coordinators = coordinator_names([row["pk"] for row in rows])
    stage_labels = {stage.value: str(stage.label) for stage in Stage}
    population_text = _("%(population)s habitants, taille %(tier)s")
    cells = []
    for row in rows:
        population = row["population"]  # annotated, 0 without communes
        text = population_text % {
            # ``floatformat:"0g"`` of an integer, without its Decimal arithmetic.
            "population": number_format(population, 0, force_grouping=True),
            "tier": size_tier(population).number,
        }
        url = detail_url(row["pk"])
        markup = list_row(
            row, url, stage_labels[row["stage"]], text, coordinators.get(row["pk"], "")
        )
        cells.append(ListRow(row["pk"], row["name"], url, markup))
    return cells


def list_row(
    row: dict, url: str, stage_label: str, population_text: str, coordinators: str
) -> SafeString:
    """The list's ``<tr>`` of a project, escaped as the template would (an f-string:
    ``format_html`` took a third of ``list_cells``)."""
    territory = (
        f'{escape(row["territory__name"])}<br><span class="fr-text--sm">'
        f"{escape(population_text)}</span>"
        if row["territory__name"] is not None  # a territory's name is never null
        else "—"
    )
    overdue = (
        f'<p class="fr-badge fr-badge--sm fr-badge--warning">{row["overdue_count"]:d}</p>'
        if row["overdue_count"]
        else "0"
    )
    badge = STAGE_BADGES.get(row["stage"], "fr-badge--info")
    return mark_safe(  # noqa: S308 - every value is escaped here
        f'<tr><td><a href="{escape(url)}">{escape(row["name"])}</a></td>'
        f'<td><p class="fr-badge fr-badge--sm {badge} fr-badge--no-icon">'
        f"{escape(stage_label)}</p></td><td>{territory}</td>"
        f"<td>{escape(row['legal_holder__name'] or '—')}</td>"
        f"<td>{escape(coordinators or '—')}</td><td>{overdue}</td></tr>"
    )


def coordinator_queryset() -> QuerySet:
    return get_user_model().objects.order_by("last_name", "first_name", "username")


# --- Overlaps --------------------------------------------------------------------------


@dataclass
class Overlap:
    """Another active project whose territory shares communes with this one's."""

    other: CptsProject
    communes: list[Commune]
    override: TerritoryOverlapOverride | None
    blocking: bool  # ``rules.overlap_blocks``
    # Another region's project the viewer may not read: shown without name, stage nor link
    # (``permissions.hides_neighbour``).
    hidden: bool = False


@dataclass(frozen=True)
class OtherProject:
    """A project sharing communes, as a user may see it: named and linked, or only « un
    projet existe dans la région voisine » (another region they may not read)."""

    pk: int
    name: str
    url: str
    stage_label: str
    hidden: bool


def shown_projects(
    projects: list[CptsProject], user: User, region_id: int | None
) -> list[OtherProject]:
    """``projects`` (sharing communes with a territory of the region ``region_id``) as
    ``user`` may see them; no query."""
    shown = []
    for other in projects:
        hidden = permissions.hides_neighbour(user, other, region_id)
        shown.append(
            OtherProject(
                pk=other.pk,
                name=str(NEIGHBOUR_REGION_PROJECT) if hidden else other.name,
                url="" if hidden else other.get_absolute_url(),
                stage_label="" if hidden else str(other.get_stage_display()),
                hidden=hidden,
            )
        )
    return shown


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


def overlaps_of(project: CptsProject, user: User | None = None) -> list[Overlap]:
    """The overlaps of a project, with the shared communes and the ARS decisions; which
    of them block it is ``rules.overlap_blocks``. Across regions: with ``user``, those of
    another region they may not read are ``hidden``."""
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
    shared = shared_communes(project.territory_id, {other.territory_id for other in others})
    result = []
    for other in others:
        override = overrides.get(other.pk)
        blocking = rules.overlap_blocks(project, other, overridden=override is not None)
        hidden = user is not None and permissions.hides_neighbour(user, other, project.region_id)
        result.append(
            Overlap(other, shared.get(other.territory_id, []), override, blocking, hidden)
        )
    return result


def shared_communes(territory_id: int, other_ids: set[int]) -> dict[int, list[Commune]]:
    """The communes of the territory ``territory_id`` that each of the territories
    ``other_ids`` holds too, by name: one query for all of them (one per overlapping project
    was most of a project page's queries)."""
    links = (
        Territory.communes.through.objects.filter(
            territory_id__in=other_ids,
            commune__in=Commune.objects.filter(territories=territory_id).values("pk"),
        )
        .select_related("commune")
        .order_by("commune__search_name", "commune_id")
    )
    shared: dict[int, list[Commune]] = {}
    for link in links:
        shared.setdefault(link.territory_id, []).append(link.commune)
    return shared


def blocking_overlaps(project: CptsProject) -> list[Overlap]:
    return [overlap for overlap in overlaps_of(project) if overlap.blocking]


def blocking_projects(project: CptsProject, commune_ids) -> list[CptsProject]:
    """The active projects that would block ``project`` if its territory had these communes.

    Those sharing a commune that ``rules.overlap_blocks`` says block it.
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
        if rules.overlap_blocks(project, other, overridden=other.pk in overridden)
    ]


# --- Completeness of the documents ------------------------------------------------------


def latest_documents(project: CptsProject) -> dict[str, Document]:
    """The most recent document of each kind."""
    latest: dict[str, Document] = {}
    for document in project.documents.order_by("-uploaded_at", "-pk"):
        latest.setdefault(document.kind, document)
    return latest


def document_kinds(project: CptsProject) -> set[str]:
    return set(project.documents.values_list("kind", flat=True))


def letter_missing_items(
    project: CptsProject,
    *,
    kinds: set[str] | None = None,
    has_legal_holder: bool | None = None,
) -> list[str]:
    """What the project's lettre d'intention still lacks (``rules.letter_missing_items``).
    A page that has read the project's document kinds or its holder passes them: no query
    for them."""
    if has_legal_holder is None:
        has_legal_holder = LegalHolder.objects.filter(project=project).exists()
    return rules.letter_missing_items(
        project.letter,
        document_kinds(project) if kinds is None else kinds,
        has_legal_holder=has_legal_holder,
    )


def health_project_missing_items(
    project: CptsProject,
    *,
    kinds: set[str] | None = None,
    has_action_sheet: bool | None = None,
) -> list[str]:
    """What the project's projet de santé still lacks (``rules.health_project_missing_items``).
    A page that has read the project's document kinds or action sheets passes them."""
    health_project = project.health_project
    if has_action_sheet is None:
        has_action_sheet = ActionSheet.objects.filter(health_project=health_project).exists()
    return rules.health_project_missing_items(
        health_project,
        has_action_sheet=has_action_sheet,
        document_kinds=document_kinds(project) if kinds is None else kinds,
    )


# --- Funding simulation ---------------------------------------------------------------


def funding_simulation(
    project: CptsProject, missions: list[str], on: date | None = None
) -> FundingSimulation:
    """Annual ACI funding of the project's size tier for these missions
    (``rules.funding_simulation``).

    The amounts come from the version of the scale in force on ``on`` (today by default,
    ``FundingScale.objects.in_force``), never from the code.
    """
    population = project.territory.summary().population if project.territory_id else 0
    scale = FundingScale.objects.in_force(on or timezone.localdate())
    rates = list(scale.rates.select_related("scale")) if scale is not None else []
    return rules.funding_simulation(population, missions, scale, rates)


# --- ACI contract: mission deadlines -----------------------------------------------------


def mission_deadlines() -> dict[str, MissionDeadline]:
    return {deadline.mission: deadline for deadline in MissionDeadline.objects.all()}


def project_population(project: CptsProject) -> int:
    return project.territory.summary().population if project.territory_id else 0


def terms_in_force(
    project: CptsProject, missions: list[str], on: date
) -> tuple[FundingScale | None, dict]:
    """The terms a contract signed (or amended) on ``on`` copies (``rules.build_terms``):
    the scale version in force that day, the ARS's deadline and indicator tables now."""
    scale = FundingScale.objects.in_force(on)
    rates = list(scale.rates.select_related("scale")) if scale is not None else []
    terms = rules.build_terms(
        population=project_population(project),
        missions=missions,
        scale=scale,
        rates=rates,
        deadlines=mission_deadlines(),
        indicators=MissionIndicator.objects.all(),
        signed_on=on,
    )
    return scale, terms


def current_terms(contract: AciContract) -> ContractTerms | None:
    """The contract's terms in force: the latest version (signature, then avenants)."""
    return contract.terms.order_by("-version").first()


def mission_schedule(
    contract: AciContract, terms: ContractTerms | None = None
) -> list[MissionSchedule]:
    """The deadlines of the contract's missions (``rules.mission_schedule``) from its frozen
    terms: an edit of the ARS's table after the signature changes nothing."""
    if terms is None:
        terms = current_terms(contract)
    return rules.mission_schedule(contract.signed_on, terms.terms if terms else {})


def contract_reports(contract: AciContract) -> dict[int, AnnualReport]:
    return {report.year: report for report in contract.reports.select_related("reviewed_by")}


def terms_versions(contract: AciContract) -> list[ContractTerms]:
    return list(contract.terms.order_by("version"))


def year_terms(contract: AciContract, versions: list[ContractTerms], year: int) -> dict:
    """The frozen terms in force on the first day of contract ``year``."""
    start = rules.add_years(contract.signed_on, year - 1)
    return dict(rules.terms_on([(v.effective_on, v.terms) for v in versions], start))


def report_variable_part(
    contract: AciContract, versions: list[ContractTerms], report: AnnualReport
) -> rules.VariablePart:
    return rules.variable_part(year_terms(contract, versions, report.year), report.results)


def payment_schedule(
    contract: AciContract,
    versions: list[ContractTerms],
    reports: dict[int, AnnualReport],
    today: date | None = None,
) -> list[rules.PaymentDue]:
    """``rules.payment_schedule`` of the contract: its frozen terms' versions, its
    validated reports (their variable part, ``rules.variable_part``), its payments, the
    balances its dialogues de gestion decided (a later dialogue's decision prevails).
    Reads ``contract.payments`` and ``contract.dialogues`` (prefetched by the boards)."""
    results = {
        year: rules.YearResult(
            timezone.localdate(report.reviewed_at),
            report_variable_part(contract, versions, report).total,
        )
        for year, report in reports.items()
        if report.status == AnnualReport.Status.VALIDATED and report.reviewed_at
    }
    paid = [rules.PaidAmount(p.year, p.kind, p.amount, p.paid_on) for p in contract.payments.all()]
    return rules.payment_schedule(
        contract.signed_on,
        [(v.effective_on, v.terms) for v in versions],
        results,
        paid,
        today or timezone.localdate(),
        decided_balances(contract.dialogues.all()),
    )


def decided_balances(dialogues: Iterable[ManagementDialogue]) -> dict[int, rules.DecidedBalance]:
    """By contract year, the balance the dialogues de gestion decided, the latest dialogue
    (by date) prevailing."""
    decided: dict[int, rules.DecidedBalance] = {}
    for dialogue in sorted(dialogues, key=lambda dialogue: (dialogue.held_on, dialogue.pk)):
        for year, amount in dialogue.decided_balances.items():
            decided[int(year)] = rules.DecidedBalance(Decimal(amount), dialogue.held_on)
    return decided


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
        # The project's region's agents only: another region's never hear of it.
        emails += users.filter(
            groups__name__in=roles, staff_membership__institution__region_id=project.region_id
        ).values_list("email", flat=True)
    return list(dict.fromkeys(emails))


# --- The name proposed for a project created from an answer ----------------------------------


def suggested_name(submission) -> str:
    """``naming.suggested_project_name`` from the answer's territory (its communes): the
    EPCI holding the most inhabitants of it when it covers two communes or more of it,
    else the most populated commune; without a territory, the actors' communes. Never
    from the free text."""
    from .naming import suggested_project_name

    communes = (
        submission.territory.communes.all()
        if submission.territory_id
        else Commune.objects.filter(pk__in=submission.actors.values("practice_commune"))
    )
    epci = (
        communes.filter(epci__isnull=False)
        .values("epci__name")
        .annotate(people=Coalesce(Sum("population"), 0), count=Count("pk", distinct=True))
        .order_by("-people", "epci__name")
        .first()
    )
    epci_name = epci["epci__name"] if epci and epci["count"] >= 2 else None
    main = communes.order_by(Coalesce("population", 0).desc(), "name").first()
    return suggested_project_name(epci_name, main.name if main else None, submission.reference)


# --- The lettre d'intention's deposit ----------------------------------------------------------


@dataclass(frozen=True)
class ChecklistLine:
    """One line of the deposit's confirmation: what, whether it is there, and which."""

    label: str
    done: bool
    detail: str = ""


def letter_checklist(project: CptsProject) -> list[ChecklistLine]:
    """What the deposit sends, line by line, for the confirmation page: the association
    porteuse, each content of the letter, the commitment, the two documents. Its missing
    lines are ``rules.letter_missing_items``'s."""
    from django.utils.text import capfirst
    from django.utils.translation import gettext as _

    letter = project.letter
    holder = LegalHolder.objects.filter(project=project).first()
    lines = [
        ChecklistLine(
            _("Association porteuse"),
            holder is not None,
            f"{holder.name} — RNA {holder.rna_number}" if holder else _("Non renseignée"),
        )
    ]
    for name in rules.LETTER_TEXT_FIELDS:
        text = getattr(letter, name).strip()
        lines.append(
            ChecklistLine(
                str(capfirst(letter._meta.get_field(name).verbose_name)),
                bool(text),
                _("%(count)d caractère(s)") % {"count": len(text)} if text else _("À rédiger"),
            )
        )
    lines.append(
        ChecklistLine(
            _("Engagement à initier un travail sur les missions socles de l’ACI"),
            letter.commits_to_core_missions,
            _("Oui") if letter.commits_to_core_missions else _("Non"),
        )
    )
    documents = latest_documents(project)
    for kind in rules.LETTER_DOCUMENTS:
        document = documents.get(kind)
        lines.append(
            ChecklistLine(
                str(kind.label),
                document is not None,
                document.original_name if document else _("À déposer"),
            )
        )
    return lines


# --- The Guichet CPTS ------------------------------------------------------------------------


def region_urps(project: CptsProject) -> list[Institution]:
    """The URPS of the project's region, in the order of the professions (médecins first)."""
    order = {code: i for i, code in enumerate(UrpsProfession.values)}
    urps = Institution.objects.filter(region_id=project.region_id, kind=InstitutionKind.URPS)
    return sorted(urps, key=lambda i: (order.get(i.profession, len(order)), i.name))


@dataclass
class GuichetState:
    """The Guichet's examination of the last deposit: each URPS with its avis (or none)."""

    review: GuichetReview | None
    rows: list[tuple[Institution, UrpsOpinion | None]]
    consolidated: rules.ConsolidatedOpinion

    @property
    def is_open(self) -> bool:
        return self.review is None or self.review.transmitted_at is None


def guichet_review_of_deposit(project: CptsProject) -> GuichetReview | None:
    """The examination of the current deposit of the lettre d'intention, if begun."""
    return project.guichet_reviews.filter(opened_at=project.stage_changed_at).first()


def guichet_state(project: CptsProject) -> GuichetState | None:
    """``None`` without the Guichet; else the current deposit's examination while the
    letter is deposited, the last one afterwards (3 queries)."""
    if not permissions.uses_guichet(project):
        return None
    if project.stage == Stage.LETTER_DEPOSITED:
        review = guichet_review_of_deposit(project)
    else:
        review = project.guichet_reviews.select_related("transmitted_by").first()
    opinions = (
        {o.institution_id: o for o in review.opinions.select_related("author")} if review else {}
    )
    urps = region_urps(project)
    rows = [(institution, opinions.get(institution.pk)) for institution in urps]
    verdicts = [
        rules.UrpsVerdicts(
            urps=institution.name,
            verdicts={code: getattr(opinion, f"{code}_verdict") for code, _l in CRITERIA},
            comments={code: getattr(opinion, f"{code}_comment") for code, _l in CRITERIA},
        )
        for institution, opinion in rows
        if opinion is not None
    ]
    consolidated = rules.consolidate_guichet_opinions(
        CRITERIA, [institution.name for institution in urps], verdicts
    )
    return GuichetState(review=review, rows=rows, consolidated=consolidated)


CRITERIA = UrpsOpinion.CRITERIA


def institution_recipients(institution_ids, *, leaving_out: User | None = None) -> list[str]:
    """Emails of the active agents of these institutions and the institutions' own address."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, staff_membership__institution_id__in=institution_ids)
        .exclude(email="")
    )
    if leaving_out is not None:
        users = users.exclude(pk=leaving_out.pk)
    emails = list(users.values_list("email", flat=True))
    emails += (
        Institution.objects.filter(pk__in=institution_ids)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(emails))


def region_ars_ids(project: CptsProject) -> list[int]:
    return list(
        Institution.objects.filter(
            region_id=project.region_id, kind=InstitutionKind.ARS
        ).values_list("pk", flat=True)
    )
