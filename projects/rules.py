"""The domain rules of the CPTS projects, as the source documents state them.

Pure functions over plain values or model instances: no request, no query, no write. The
selectors of the same name (``projects.selectors``) read what a rule needs and call it.
Each rule is named in the README's table « Règle des documents sources → fonction ».
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from territories.rules import SizeTier, size_tier

from .models import (
    CptsProject,
    DocumentKind,
    FundingRate,
    FundingScale,
    HealthProject,
    LetterOfIntent,
    Mission,
    MissionDeadline,
    add_months,
)
from .models.choices import CORE_MISSIONS

# --- Overlaps ------------------------------------------------------------------------------


def overlap_blocks(project: CptsProject, other: CptsProject, *, overridden: bool) -> bool:
    """Whether ``other``, whose territory shares communes with ``project``'s, blocks it.

    « Deux CPTS ne peuvent coexister sur un même territoire » (AMI ARS Bretagne, 2022): the
    project created first keeps its place. A later one (or one not yet saved) is blocked by
    an active project created before it, until the ARS records a
    ``TerritoryOverlapOverride`` for the pair (either way round: ``overridden``).
    """
    created_first = project.pk is None or other.pk < project.pk
    return other.is_active and created_first and not overridden


# --- Completeness of the documents ------------------------------------------------------------

# The lettre d'intention's content, in the order of its form (``projects.forms.LetterForm``):
# every text is needed for the deposit, and the commitment to the ACI core missions.
LETTER_TEXT_FIELDS = (
    "action_territory",
    "identified_needs",
    "mobilisation",
    "project_description",
    "objectives",
    "planned_actions",
    "means",
)
LETTER_FIELDS = (*LETTER_TEXT_FIELDS, "commits_to_core_missions")
# The documents that go with it: the signed letter and the subsidy request (CERFA 12156).
LETTER_DOCUMENTS = (DocumentKind.LETTER, DocumentKind.CERFA)


def document_missing(kind: DocumentKind) -> str:
    return _("Document : %(kind)s") % {"kind": kind.label}


def letter_missing_items(
    letter: LetterOfIntent, document_kinds: Collection[str], *, has_legal_holder: bool
) -> list[str]:
    """What the lettre d'intention still lacks before it can be deposited, in French.

    ``document_kinds``: the kinds of the documents the project has; ``has_legal_holder``:
    whether the association porteuse is recorded (the memo creates it before the letter,
    and the CERFA 12156 subsidy request is the association's).
    """
    missing = [] if has_legal_holder else [_("L’association porteuse (nom et numéro RNA)")]
    missing += [
        str(letter._meta.get_field(name).verbose_name).capitalize()
        for name in LETTER_TEXT_FIELDS
        if not getattr(letter, name).strip()
    ]
    if not letter.commits_to_core_missions:
        missing.append(_("L’engagement à initier un travail sur les missions socles de l’ACI"))
    missing += [document_missing(kind) for kind in LETTER_DOCUMENTS if kind not in document_kinds]
    return missing


def health_project_missing_items(
    health_project: HealthProject, *, has_action_sheet: bool, document_kinds: Collection[str]
) -> list[str]:
    """What the projet de santé still lacks before it can be deposited, in French: the
    diagnostic, every ACI core mission, a fiche-action, the governance and the document."""
    missing = []
    if not health_project.diagnostic.strip():
        missing.append(_("Le diagnostic territorial"))
    for mission in CORE_MISSIONS:
        if mission not in health_project.missions:
            missing.append(_("La mission socle « %(mission)s »") % {"mission": mission.label})
    if not has_action_sheet:
        missing.append(_("Au moins une fiche-action"))
    if not health_project.governance.strip():
        missing.append(_("La gouvernance"))
    if DocumentKind.HEALTH_PROJECT not in document_kinds:
        missing.append(document_missing(DocumentKind.HEALTH_PROJECT))
    return missing


# --- Funding simulation -----------------------------------------------------------------------


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
    population: int,
    missions: Collection[str],
    scale: FundingScale | None,
    rates: Iterable[FundingRate],
) -> FundingSimulation:
    """Annual ACI funding of a territory of ``population`` for these missions.

    The functioning of the CPTS plus each chosen mission, at the rates of the size tier in
    ``rates`` (the rows of ``scale``, the version in force); an item without a rate is
    listed in ``missing_items`` rather than counted as zero silently.
    """
    tier = size_tier(population)
    by_item = {rate.item: rate for rate in rates if rate.tier == tier.number}
    items = [FundingRate.FUNCTIONING, *[code for code in Mission.values if code in missions]]
    labels = dict(FundingRate.ITEM_CHOICES)
    simulation = FundingSimulation(population, tier, scale)
    for item in items:
        rate = by_item.get(item)
        if rate is None:
            simulation.missing_items.append(str(labels[item]))
        else:
            simulation.lines.append(
                FundingLine(
                    str(labels[item]), rate.fixed_amount, rate.variable_amount, rate.source_text
                )
            )
    return simulation


# --- ACI contract: mission deadlines -----------------------------------------------------------


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


def mission_schedule(
    signed_on: date, missions: Collection[str], deadlines: Mapping[str, MissionDeadline]
) -> list[MissionSchedule]:
    """The deadlines of the contracted ``missions``, counted in months from ``signed_on``.

    ``deadlines``: the ``MissionDeadline`` rows by mission, as the ARS entered them; month
    ends and leap years follow ``add_months``.
    """
    schedule = []
    for code in Mission.values:
        if code not in missions:
            continue
        deadline = deadlines.get(code)
        start = deadline.start_within_months if deadline else None
        deployed = deadline.deployed_within_months if deadline else None
        schedule.append(
            MissionSchedule(
                mission=Mission(code),
                start_by=add_months(signed_on, start) if start is not None else None,
                deployed_by=add_months(signed_on, deployed) if deployed is not None else None,
                source=deadline.source if deadline else "",
                known=deadline is not None,
            )
        )
    return schedule


def schedule_sources(schedule: list[MissionSchedule]) -> list[str]:
    return list(dict.fromkeys(row.source for row in schedule if row.source))
