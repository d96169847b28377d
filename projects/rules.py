"""The domain rules of the CPTS projects, as the source documents state them.

Pure functions over plain values or model instances: no request, no query, no write. The
selectors of the same name (``projects.selectors``) read what a rule needs and call it.
Each rule is named in the README's table « Règle des documents sources → fonction ».
"""

import calendar
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from cpts_portal.choices import Opinion
from territories.rules import SizeTier, size_tier

from .models import (
    ContractPayment,
    CptsProject,
    DocumentKind,
    FundingRate,
    FundingScale,
    HealthProject,
    LetterOfIntent,
    Mission,
    MissionDeadline,
    MissionIndicator,
    SourceStatus,
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
    source_status: str = ""

    @property
    def source_note(self) -> str:
        return source_note(self.source_status)


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
    def sources(self) -> list[tuple[str, str]]:
        """(source, note for staff) of the amounts, each once, in the order of the lines."""
        return list(dict.fromkeys((line.source, line.source_note) for line in self.lines))


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
                    str(labels[item]),
                    rate.fixed_amount,
                    rate.variable_amount,
                    rate.source_text,
                    rate.source_reliability,
                )
            )
    return simulation


# --- ACI contract: term and years --------------------------------------------------------------

# « Une convention tripartite doit être signée entre la CPTS, l’Assurance maladie et l’ARS
# pour une durée de 5 ans » (Fédération Addiction, fiche CPTS).
ACI_TERM_YEARS = 5
# « Le montant […] est versé à la signature, puis chaque année à la date anniversaire du
# contrat sous forme d’avance de 75 %, le solde après les résultats de l’année » (ACI 2019,
# annexe, article 9, as found). Copied into each contract's terms: the rule as data.
ADVANCE_RATE = Decimal("0.75")
CENT = Decimal("0.01")


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier when negative).

    A day the target month lacks becomes that month's last day: 31 August 2023 + 6 months
    is 29 February 2024 (a leap year), 31 August 2022 + 6 months is 28 February 2023.
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def contract_end(signed_on: date, years: int = ACI_TERM_YEARS) -> date:
    """Last day of a contract of ``years`` years from ``signed_on`` (included)."""
    return add_years(signed_on, years) - timedelta(days=1)


def dialogue_due_on(signed_on: date, year: int) -> date:
    """The dialogue de gestion of contract year ``year`` is due on the year's last day."""
    return contract_end(signed_on, years=year)


@dataclass(frozen=True)
class ContractYear:
    """One year of the contract: from the signature or an anniversary to the day before
    the next one."""

    number: int
    starts_on: date
    ends_on: date


def contract_years(signed_on: date, term_years: int = ACI_TERM_YEARS) -> list[ContractYear]:
    return [
        ContractYear(n, add_years(signed_on, n - 1), contract_end(signed_on, n))
        for n in range(1, term_years + 1)
    ]


def contract_year_on(signed_on: date, term_years: int, day: date) -> int | None:
    """The number of the contract year ``day`` falls in; ``None`` outside the contract."""
    for year in contract_years(signed_on, term_years):
        if year.starts_on <= day <= year.ends_on:
            return year.number
    return None


def contract_in_force(contracts: Iterable[Any], today: date) -> Any | None:
    """Of a project's successive contracts (anything with ``signed_on``), the one in force
    on ``today``: the last one signed by then — a renewal's next contract starts the day
    after the previous one's term — else, none having started, the first one."""
    ordered = sorted(contracts, key=lambda contract: contract.signed_on)
    started = [contract for contract in ordered if contract.signed_on <= today]
    return started[-1] if started else (ordered[0] if ordered else None)


RENEWAL_NOTICES_MONTHS = (6, 3)


def renewal_notices(signed_on: date, term_years: int = ACI_TERM_YEARS) -> list[tuple[int, date]]:
    """(months before the end, day of the reminder): renewal is prepared 6 and 3 months
    before the five-year term (issue 17)."""
    end = contract_end(signed_on, term_years)
    return [(months, add_months(end, -months)) for months in RENEWAL_NOTICES_MONTHS]


# --- Sources in plain words --------------------------------------------------------------------


def source_note(status: str) -> str:
    """What staff read next to a figure whose source is not the official text; "" when it
    is (coordinators read the source itself, never this note)."""
    if not status or status == SourceStatus.OFFICIAL:
        return ""
    return _("source : %(status)s") % {"status": SourceStatus(status).label}


# --- ACI contract: frozen terms ------------------------------------------------------------------


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def decimal_or_none(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def rate_entry(rate: FundingRate | None) -> dict | None:
    if rate is None:
        return None
    return {
        "fixed": money(rate.fixed_amount),
        "variable": money(rate.variable_amount),
        "source": rate.source_text,
        "source_status": rate.source_reliability,
    }


def build_terms(
    *,
    population: int,
    missions: Collection[str],
    scale: FundingScale | None,
    rates: Iterable[FundingRate],
    deadlines: Mapping[str, MissionDeadline],
    indicators: Iterable[MissionIndicator],
    term_years: int = ACI_TERM_YEARS,
    advance_rate: Decimal = ADVANCE_RATE,
    signed_on: date | None = None,
) -> dict:
    """The terms a contract copies when it is signed (``ContractTerms.terms``), as JSON.

    The size tier of ``population``; from ``scale`` (the version in force at the signature)
    the functioning amount, each mission's fixed and maximal variable parts, the
    lettre d'intention envelope and the annual maximum, each with its source; from the
    ARS's tables each mission's deadlines and indicators with their targets; the term
    and the advance rate; the deliverables the scale requires, due a number of months
    after ``signed_on`` (``contract_deliverables``). A figure not entered is copied as
    ``None``: the contract says it is missing instead of counting zero.
    """
    tier = size_tier(population)
    by_item = {rate.item: rate for rate in rates if rate.tier == tier.number}
    by_mission: dict[str, list[dict]] = {}
    for indicator in indicators:
        by_mission.setdefault(indicator.mission, []).append(
            {"name": indicator.name, "unit": indicator.unit, "target": money(indicator.target)}
        )
    rows = []
    for code in Mission.values:
        if code not in missions:
            continue
        deadline = deadlines.get(code)
        rate = rate_entry(by_item.get(code))
        rows.append(
            {
                "code": code,
                "deadline_known": deadline is not None,
                "start_within_months": deadline.start_within_months if deadline else None,
                "deployed_within_months": deadline.deployed_within_months if deadline else None,
                "deadline_source": deadline.source if deadline else "",
                "deadline_source_status": deadline.source_status if deadline else "",
                "fixed": rate["fixed"] if rate else None,
                "variable": rate["variable"] if rate else None,
                "amount_source": rate["source"] if rate else "",
                "amount_source_status": rate["source_status"] if rate else "",
                "indicators": by_mission.get(code, []),
            }
        )
    return {
        "term_years": term_years,
        "advance_rate": str(advance_rate),
        "population": population,
        "tier": tier.number,
        "scale": (
            {
                "name": scale.name,
                "source": scale.source,
                "source_status": scale.source_status,
                "valid_from": scale.valid_from.isoformat(),
            }
            if scale is not None
            else None
        ),
        "functioning": rate_entry(by_item.get(FundingRate.FUNCTIONING)),
        "letter_envelope": rate_entry(by_item.get(FundingRate.LETTER_ENVELOPE)),
        "annual_maximum": rate_entry(by_item.get(FundingRate.ANNUAL_MAXIMUM)),
        "missions": rows,
        "deliverables": contract_deliverables(scale, signed_on),
    }


CRISIS_PLAN = "plan_crise"  # ContractDeliverable.Code.CRISIS_PLAN


def contract_deliverables(scale: FundingScale | None, signed_on: date | None) -> list[dict]:
    """The documents the scale version requires (avenant 2: the plan de gestion de crise
    sanitaire), with their due date counted from ``signed_on``; none when the version
    sets no delay."""
    # getattr: migration 0009 builds terms with a historical scale that lacks the field.
    months = getattr(scale, "crisis_plan_within_months", None)
    if months is None or signed_on is None:
        return []
    return [
        {
            "code": CRISIS_PLAN,
            "within_months": months,
            "due_on": add_months(signed_on, months).isoformat(),
            "source": scale.crisis_plan_source or scale.source,
            "source_status": scale.crisis_plan_source_status or scale.source_status,
        }
    ]


def amended_terms(
    previous: Mapping, fresh: Mapping, missions: Collection[str], *, retake_amounts: bool
) -> dict:
    """The terms after an avenant: the ``missions`` it sets; a mission kept keeps its
    frozen deadlines, indicators and (unless ``retake_amounts``) amounts; a mission added
    and, with ``retake_amounts``, every amount come from ``fresh`` (``build_terms`` on the
    tables and the scale in force on the avenant's date)."""
    kept = {row["code"]: row for row in previous.get("missions", [])}
    new = {row["code"]: row for row in fresh.get("missions", [])}
    rows = []
    for code in Mission.values:
        if code not in missions:
            continue
        if code in kept:
            row = dict(kept[code])
            if retake_amounts and code in new:
                for key in ("fixed", "variable", "amount_source", "amount_source_status"):
                    row[key] = new[code][key]
        else:
            row = dict(new[code])
        rows.append(row)
    terms = dict(previous)
    terms["missions"] = rows
    if retake_amounts:
        for key in ("scale", "functioning", "letter_envelope", "annual_maximum"):
            terms[key] = fresh.get(key)
        # A deliverable the new scale requires (avenant 2's crisis plan) is due from the
        # avenant's date; one already required keeps its due date.
        required = {row["code"] for row in previous.get("deliverables", [])}
        terms["deliverables"] = [
            *previous.get("deliverables", []),
            *(row for row in fresh.get("deliverables", []) if row["code"] not in required),
        ]
    return terms


def renewal_terms(last: Mapping, term_years: int = ACI_TERM_YEARS) -> dict:
    """The terms of the contract a renewal signs: the last terms of the previous one (its
    avenants included: amounts, indicators and targets, advance rate) for a new term.
    The missions are already running: no new start or deployment deadline; the
    deliverables were due under the previous contract and stay with it."""
    terms = dict(last)
    terms["term_years"] = term_years
    terms["missions"] = [
        {
            **row,
            "start_within_months": None,
            "deployed_within_months": None,
            "deadline_known": True,
            "deadline_source": _(
                "Contrat renouvelé : missions engagées sous le contrat précédent, sans "
                "nouveau délai de démarrage ni de déploiement"
            ),
            "deadline_source_status": "",
        }
        for row in last.get("missions", [])
    ]
    terms["deliverables"] = []
    return terms


@dataclass
class MissionSchedule:
    """When a contracted mission must start and be fully deployed (``None``: no deadline)."""

    mission: Mission
    start_by: date | None
    deployed_by: date | None
    source: str
    known: bool  # whether the ARS had entered the mission's delays at the signature
    source_status: str = ""

    @property
    def label(self) -> str:
        return str(self.mission.label)

    @property
    def free(self) -> bool:
        return self.known and self.start_by is None and self.deployed_by is None

    @property
    def source_note(self) -> str:
        return source_note(self.source_status)


def mission_schedule(signed_on: date, terms: Mapping) -> list[MissionSchedule]:
    """The deadlines of the contracted missions, in months from ``signed_on``, from the
    contract's frozen ``terms`` (month ends and leap years follow ``add_months``)."""
    schedule = []
    for row in terms.get("missions", []):
        start, deployed = row["start_within_months"], row["deployed_within_months"]
        schedule.append(
            MissionSchedule(
                mission=Mission(row["code"]),
                start_by=add_months(signed_on, start) if start is not None else None,
                deployed_by=add_months(signed_on, deployed) if deployed is not None else None,
                source=row["deadline_source"],
                known=row["deadline_known"],
                source_status=row["deadline_source_status"],
            )
        )
    return schedule


def schedule_sources(schedule: list[MissionSchedule]) -> list[tuple[str, str]]:
    """(source, note for staff) of the deadlines, each once."""
    return list(dict.fromkeys((row.source, row.source_note) for row in schedule if row.source))


# --- ACI contract: funding of the terms ---------------------------------------------------------


@dataclass
class TermsLine:
    label: str
    fixed: Decimal | None
    variable: Decimal | None
    source: str
    source_status: str

    @property
    def source_note(self) -> str:
        return source_note(self.source_status)


@dataclass
class TermsFunding:
    lines: list[TermsLine]
    missing_items: list[str]

    @property
    def fixed_total(self) -> Decimal:
        return sum((line.fixed or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def variable_total(self) -> Decimal:
        return sum((line.variable or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.fixed_total + self.variable_total

    @property
    def sources(self) -> list[tuple[str, str]]:
        """(source, note for staff) of the amounts, each once, in the order of the lines."""
        return list(dict.fromkeys((line.source, line.source_note) for line in self.lines))


def terms_funding(terms: Mapping) -> TermsFunding:
    """The annual amounts of the frozen terms: functioning then each mission; an item
    whose amounts were not entered is in ``missing_items``, not counted as zero."""
    labels = dict(FundingRate.ITEM_CHOICES)
    entries = [(FundingRate.FUNCTIONING, terms.get("functioning"))]
    entries += [
        (row["code"], row if row["fixed"] is not None or row["variable"] is not None else None)
        for row in terms.get("missions", [])
    ]
    funding = TermsFunding([], [])
    for item, entry in entries:
        if entry is None:
            funding.missing_items.append(str(labels[item]))
            continue
        funding.lines.append(
            TermsLine(
                str(labels[item]),
                decimal_or_none(entry.get("fixed")),
                decimal_or_none(entry.get("variable")),
                entry.get("source") or entry.get("amount_source", ""),
                entry.get("source_status") or entry.get("amount_source_status", ""),
            )
        )
    return funding


# --- ACI contract: variable part from the annual report -----------------------------------------


@dataclass
class MissionResult:
    mission: Mission
    maximum: Decimal | None
    share: Decimal | None  # 0 to 1: the mean share of the targets reached
    amount: Decimal | None
    missing: list[str]

    @property
    def label(self) -> str:
        return str(self.mission.label)


@dataclass
class VariablePart:
    missions: list[MissionResult]

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.missions if row.amount is not None), Decimal(0))

    @property
    def missing(self) -> list[str]:
        return [item for row in self.missions for item in row.missing]

    @property
    def complete(self) -> bool:
        return not self.missing


def indicator_share(value: Decimal | None, target: Decimal | None) -> Decimal | None:
    """Share of the target reached, 0 to 1 (beyond the target counts as reached)."""
    if value is None or target is None or target <= 0:
        return None
    return min(max(value, Decimal(0)) / target, Decimal(1))


def variable_part(terms: Mapping, results: Iterable[Mapping]) -> VariablePart:
    """The variable part earned in a year: for each mission, its maximal variable part
    times the mean share of its indicators' targets reached (``indicator_share``).

    ``results``: the report's entries (``mission``, ``name``, ``target``, ``value``). A
    mission without a maximal amount, without indicators, or with an indicator lacking its
    target or value is listed as missing and counts nothing: the ARS completes the data.
    """
    by_mission: dict[str, list[Mapping]] = {}
    for entry in results:
        by_mission.setdefault(entry["mission"], []).append(entry)
    rows = []
    for mission in terms.get("missions", []):
        code = Mission(mission["code"])
        maximum = decimal_or_none(mission.get("variable"))
        missing, shares = [], []
        if maximum is None:
            missing.append(
                _("%(mission)s : part variable maximale non saisie") % {"mission": code.label}
            )
        entries = by_mission.get(code.value, [])
        if not entries:
            missing.append(_("%(mission)s : aucun indicateur") % {"mission": code.label})
        for entry in entries:
            share = indicator_share(
                decimal_or_none(entry.get("value")), decimal_or_none(entry.get("target"))
            )
            if share is None:
                missing.append(
                    _("%(mission)s — %(indicator)s : objectif ou valeur manquant")
                    % {"mission": code.label, "indicator": entry["name"]}
                )
            else:
                shares.append(share)
        share = sum(shares, Decimal(0)) / len(shares) if shares and not missing else None
        amount = (maximum * share).quantize(CENT, ROUND_HALF_UP) if share is not None else None
        rows.append(MissionResult(code, maximum, share, amount, missing))
    return VariablePart(rows)


# --- ACI contract: payment schedule -------------------------------------------------------------


@dataclass
class PaymentDue:
    year: int
    kind: str  # ContractPayment.Kind
    due_on: date | None  # None: the balance, until the year's report is validated
    amount: Decimal | None  # None: a figure is missing, or the report is not validated
    paid: Decimal
    paid_on: date | None
    status: str  # "paid", "late", "due", "upcoming", "waiting"

    @property
    def kind_label(self) -> str:
        return str(ContractPayment.Kind(self.kind).label)

    @property
    def remaining(self) -> Decimal | None:
        return None if self.amount is None else max(self.amount - self.paid, Decimal(0))

    @property
    def status_label(self) -> str:
        return str(PAYMENT_STATUS_LABELS[self.status])


PAYMENT_STATUS_LABELS = {
    "paid": _("Versé"),
    "late": _("En retard"),
    "due": _("À verser"),
    "upcoming": _("À venir"),
    "waiting": _("Après le rapport annuel"),
}


@dataclass(frozen=True)
class PaidAmount:
    year: int
    kind: str
    amount: Decimal
    paid_on: date


@dataclass(frozen=True)
class YearResult:
    """A validated annual report: when, and the variable part it earned."""

    validated_on: date
    variable: Decimal


@dataclass(frozen=True)
class DecidedBalance:
    """The balance of a year as a dialogue de gestion decided it, and the dialogue's date."""

    amount: Decimal
    decided_on: date


def annual_fixed(terms: Mapping) -> Decimal:
    functioning = terms.get("functioning") or {}
    total = decimal_or_none(functioning.get("fixed")) or Decimal(0)
    for row in terms.get("missions", []):
        total += decimal_or_none(row.get("fixed")) or Decimal(0)
    return total


def terms_on(versions: Sequence[tuple[date, Mapping]], day: date) -> Mapping:
    """The terms in force on ``day``: the last version (by effective date) started by then,
    else the first one. ``versions``: (effective date, terms), in version order."""
    chosen = versions[0][1] if versions else {}
    for effective_on, terms in versions:
        if effective_on <= day:
            chosen = terms
    return chosen


def versions_term_years(versions: Sequence[tuple[date, Mapping]]) -> int:
    latest = versions[-1][1] if versions else {}
    return int(latest.get("term_years", ACI_TERM_YEARS))


def first_payment(
    signed_on: date, year: ContractYear, terms: Mapping
) -> tuple[str, date, Decimal | None]:
    """(kind, due date, amount) of the payment a contract year opens with: year 1, the
    functioning amount at the signature; each later year, at the anniversary, an advance
    of the terms' ``advance_rate`` (75 %) of the year's fixed parts."""
    if year.number == 1:
        functioning = decimal_or_none((terms.get("functioning") or {}).get("fixed"))
        return ContractPayment.Kind.SIGNATURE.value, signed_on, functioning
    rate = Decimal(str(terms.get("advance_rate", ADVANCE_RATE)))
    advance = (annual_fixed(terms) * rate).quantize(CENT)
    return ContractPayment.Kind.ADVANCE.value, year.starts_on, advance


def computed_balance(
    signed_on: date, versions: Sequence[tuple[date, Mapping]], year: int, variable: Decimal
) -> Decimal | None:
    """The balance of contract ``year`` by the formula: the fixed parts of the terms in
    force on its first day plus the ``variable`` part earned, minus what was due in advance
    (``first_payment``), never below zero; ``None`` when the advance is not known."""
    period = contract_years(signed_on, versions_term_years(versions))[year - 1]
    terms = terms_on(versions, period.starts_on)
    advance = first_payment(signed_on, period, terms)[2]
    if advance is None:
        return None
    return max(annual_fixed(terms) + variable - advance, Decimal(0))


def payment_schedule(
    signed_on: date,
    versions: Sequence[tuple[date, Mapping]],
    results: Mapping[int, YearResult],
    payments: Iterable[PaidAmount],
    today: date,
    decided: Mapping[int, DecidedBalance] | None = None,
) -> list[PaymentDue]:
    """What the Assurance Maladie owes, year by year, from the contract's frozen terms.

    Each year is computed from the terms in force on its first day (``terms_on``; an
    avenant changes the years after it, never the past): first the payment it opens with
    (``first_payment``); then, once its report is validated (``results``), the balance
    (``computed_balance``) — unless a dialogue de gestion decided it (``decided``): that
    amount is due from the dialogue's date. Each line says what was paid and whether it
    is paid, late (due date past, not fully paid), due, upcoming or waiting for the report.
    """
    decided = decided or {}
    paid: dict[tuple[int, str], list[PaidAmount]] = {}
    for payment in payments:
        paid.setdefault((payment.year, str(payment.kind)), []).append(payment)
    rows = []
    for year in contract_years(signed_on, versions_term_years(versions)):
        first = first_payment(signed_on, year, terms_on(versions, year.starts_on))
        result, decision = results.get(year.number), decided.get(year.number)
        if decision is not None:
            balance_on, balance_amount = decision.decided_on, decision.amount
        elif result is not None:
            balance_on = result.validated_on
            balance_amount = computed_balance(signed_on, versions, year.number, result.variable)
        else:
            balance_on = balance_amount = None
        balance = (ContractPayment.Kind.BALANCE.value, balance_on, balance_amount)
        for kind, due_on, amount in (first, balance):
            made = paid.get((year.number, kind), [])
            total = sum((p.amount for p in made), Decimal(0))
            last = max((p.paid_on for p in made), default=None)
            rows.append(
                PaymentDue(
                    year.number,
                    kind,
                    due_on,
                    amount,
                    total,
                    last,
                    payment_status(due_on, amount, total, today),
                )
            )
    return rows


def payment_status(due_on: date | None, amount: Decimal | None, paid: Decimal, today: date) -> str:
    if amount is not None and paid >= amount:
        return "paid"
    if due_on is None:
        return "waiting"
    if due_on < today:
        return "late"
    return "due" if due_on == today else "upcoming"


@dataclass
class PaymentTotals:
    due: Decimal
    paid: Decimal
    late: Decimal


def payment_totals(schedule: Iterable[PaymentDue], today: date) -> PaymentTotals:
    """Amounts due so far (due date reached), paid, and late, over the schedule."""
    due = paid = late = Decimal(0)
    for row in schedule:
        paid += row.paid
        if row.amount is not None and row.due_on is not None and row.due_on <= today:
            due += row.amount
            if row.status == "late":
                late += row.remaining or Decimal(0)
    return PaymentTotals(due, paid, late)


# --- ACI contract: mission deadlines met, late or missed ----------------------------------------

DEADLINE_STATUS_LABELS = {
    "on_time": _("dans les délais"),
    "late": _("en retard"),
    "missed": _("échéance dépassée"),
    "pending": _("à venir"),
}


def deadline_status(due_by: date | None, done_on: date | None, today: date) -> str | None:
    """Whether a step of a mission (start, full deployment) met its deadline: done by the
    deadline « dans les délais », done after it « en retard », not done and the deadline
    past « échéance dépassée », else « à venir »; ``None`` without a deadline."""
    if due_by is None:
        return None
    if done_on is not None:
        return "on_time" if done_on <= due_by else "late"
    return "missed" if today > due_by else "pending"


@dataclass
class MissionProgressRow:
    schedule: MissionSchedule
    started_on: date | None
    deployed_on: date | None
    declared: bool  # dates declared by the CPTS, not yet recorded by staff
    start_status: str | None
    deployment_status: str | None

    @property
    def start_label(self) -> str:
        return str(DEADLINE_STATUS_LABELS[self.start_status]) if self.start_status else ""

    @property
    def deployment_label(self) -> str:
        return str(DEADLINE_STATUS_LABELS[self.deployment_status]) if self.deployment_status else ""

    @property
    def missed(self) -> bool:
        return "missed" in (self.start_status, self.deployment_status)


def mission_progress(
    schedule: Iterable[MissionSchedule],
    progress: Mapping[str, tuple[date | None, date | None, bool]],
    today: date,
) -> list[MissionProgressRow]:
    """Each contracted mission's deadlines (``mission_schedule``) against the dates it
    started and was deployed (``progress``: by mission code, (started, deployed,
    declared by the CPTS)), each step judged by ``deadline_status``."""
    rows = []
    for row in schedule:
        started, deployed, declared = progress.get(row.mission.value, (None, None, False))
        rows.append(
            MissionProgressRow(
                row,
                started,
                deployed,
                declared,
                deadline_status(row.start_by, started, today),
                deadline_status(row.deployed_by, deployed, today),
            )
        )
    return rows


# --- ACI contract: deliverables -------------------------------------------------------------------

DELIVERABLE_STATUS_LABELS = {
    "validated": _("Validé par l’ARS"),
    "received": _("Reçu par l’ARS"),
    "delivered": _("Déposé, à examiner"),
    "late": _("En retard"),
    "due": _("À remettre"),
}


@dataclass
class DeliverableDue:
    code: str
    due_on: date
    source: str
    source_status: str
    status: str
    delivered_on: date | None

    @property
    def status_label(self) -> str:
        return str(DELIVERABLE_STATUS_LABELS[self.status])

    @property
    def delivered_late(self) -> bool:
        return self.delivered_on is not None and self.delivered_on > self.due_on

    @property
    def source_note(self) -> str:
        return source_note(self.source_status)


def deliverables_due(
    terms: Mapping, delivered: Mapping[str, tuple[date, str]], today: date
) -> list[DeliverableDue]:
    """The deliverables of the frozen ``terms`` and where each stands. ``delivered``: by
    code, (day of the first upload, status of the latest one: ``depose``, ``recu``,
    ``valide``). Not delivered after its due date: late."""
    rows = []
    for entry in terms.get("deliverables", []):
        due_on = date.fromisoformat(entry["due_on"])
        first, state = delivered.get(entry["code"], (None, ""))
        if state == "valide":
            status = "validated"
        elif state == "recu":
            status = "received"
        elif first is not None:
            status = "delivered"
        else:
            status = "late" if today > due_on else "due"
        rows.append(
            DeliverableDue(
                entry["code"], due_on, entry["source"], entry["source_status"], status, first
            )
        )
    return rows


# --- ACI contract: boards of the ARS and the Assurance Maladie ----------------------------------


@dataclass
class ContractYearFigures:
    year: int
    due: Decimal  # due so far (due date reached), amounts known
    paid: Decimal
    late: Decimal
    report_status: str  # AnnualReport.Status value, "" when not started
    report_late: bool


def contract_year_figures(
    signed_on: date,
    term_years: int,
    schedule: Iterable[PaymentDue],
    report_statuses: Mapping[int, str],
    today: date,
) -> list[ContractYearFigures]:
    """Per contract year: what is due, paid and late (``payment_totals`` over the year's
    lines of ``payment_schedule``), the report's status and whether it is late (the
    year is over and it is neither submitted nor validated)."""
    by_year: dict[int, list[PaymentDue]] = {}
    for row in schedule:
        by_year.setdefault(row.year, []).append(row)
    figures = []
    for year in contract_years(signed_on, term_years):
        totals = payment_totals(by_year.get(year.number, []), today)
        status = report_statuses.get(year.number, "")
        figures.append(
            ContractYearFigures(
                year.number,
                totals.due,
                totals.paid,
                totals.late,
                status,
                year.ends_on < today and status not in ("transmis", "valide"),
            )
        )
    return figures


# --- Guichet CPTS: the consolidated avis of the URPS ---------------------------------------


@dataclass(frozen=True)
class UrpsVerdicts:
    """One URPS's avis, as plain values: its name and, per criterion code, the verdict (a
    ``cpts_portal.choices.Opinion`` value) and the comment."""

    urps: str
    verdicts: Mapping[str, str]
    comments: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CriterionTally:
    """One criterion of the Guichet's avis: how many URPS gave each verdict, and who."""

    label: str
    favorable: int
    reserved: int
    unfavorable: int
    by_urps: tuple[tuple[str, str, str], ...]  # (URPS, verdict label, comment)


@dataclass(frozen=True)
class ConsolidatedOpinion:
    criteria: tuple[CriterionTally, ...]
    answered: tuple[str, ...]  # the URPS that gave their avis, in the given order
    missing: tuple[str, ...]  # the URPS of the region without one

    @property
    def summary(self) -> str:
        """The consolidated avis in a few French lines (for the history and the email)."""
        lines = [
            _("Avis de %(answered)d URPS sur %(total)d.")
            % {"answered": len(self.answered), "total": len(self.answered) + len(self.missing)}
        ]
        lines += [
            _(
                "%(criterion)s : %(favorable)d favorable(s), %(reserved)d réservé(s), "
                "%(unfavorable)d défavorable(s)."
            )
            % {
                "criterion": tally.label,
                "favorable": tally.favorable,
                "reserved": tally.reserved,
                "unfavorable": tally.unfavorable,
            }
            for tally in self.criteria
        ]
        if self.missing:
            lines.append(_("Sans avis : %(urps)s.") % {"urps": ", ".join(self.missing)})
        return "\n".join(lines)


def consolidate_guichet_opinions(
    criteria: Sequence[tuple[str, str]],
    region_urps: Sequence[str],
    opinions: Sequence[UrpsVerdicts],
) -> ConsolidatedOpinion:
    """The Guichet CPTS's consolidated avis: « Le Guichet CPTS la transmet, accompagnée des
    avis des dix URPS, à l'ARS » (URPS Occitanie guide, 2021), on its three criteria.

    ``criteria``: (code, label) in the source's order; ``region_urps``: the names of the
    region's URPS; ``opinions``: one per URPS that answered (a URPS counted once: its last
    one in the sequence wins). Per criterion, the counts of favourable, reserved and
    unfavourable avis and the list per URPS; the URPS that have not answered. The guide
    gives no majority rule: the ARS reads the counts, no overall verdict is made up.
    """
    latest = {opinion.urps: opinion for opinion in opinions}
    ordered = [latest[name] for name in dict.fromkeys(o.urps for o in opinions)]
    tallies = []
    for code, label in criteria:
        verdicts = [opinion.verdicts[code] for opinion in ordered]
        tallies.append(
            CriterionTally(
                label=str(label),
                favorable=verdicts.count(Opinion.FAVORABLE),
                reserved=verdicts.count(Opinion.RESERVED),
                unfavorable=verdicts.count(Opinion.UNFAVORABLE),
                by_urps=tuple(
                    (
                        opinion.urps,
                        str(Opinion(opinion.verdicts[code]).label),
                        opinion.comments.get(code, ""),
                    )
                    for opinion in ordered
                ),
            )
        )
    answered = tuple(opinion.urps for opinion in ordered)
    return ConsolidatedOpinion(
        criteria=tuple(tallies),
        answered=answered,
        missing=tuple(name for name in region_urps if name not in latest),
    )
