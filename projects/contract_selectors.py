"""Reads of the contract's life for several contracts at once (boards, exports, reminders),
each in a fixed number of queries whatever the number of contracts."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from territories.permissions import scope_by_region

from . import rules, selectors
from .models import AciContract, ContractDeliverable, ContractTerms, Stage

User = AbstractBaseUser | AnonymousUser

FOLLOWED_STAGES = (Stage.CONTRACT_SIGNED, Stage.RUNNING)


def delivered_state(files: list[ContractDeliverable]) -> dict[str, tuple[date, str]]:
    """By deliverable code: (day of the first upload, status of the latest upload), the
    ``delivered`` argument of ``rules.deliverables_due``."""
    state: dict[str, tuple[date, str]] = {}
    for file in sorted(files, key=lambda file: (file.uploaded_at, file.pk)):
        first = state.get(file.code, (timezone.localdate(file.uploaded_at), ""))[0]
        state[file.code] = (first, file.status)
    return state


def followed_contracts(user: User) -> QuerySet[AciContract]:
    """The signed contracts of the projects under contract in the regions ``user`` reads,
    with what their figures need prefetched (terms versions, reports, payments, dialogues
    de gestion, mission dates, deliverables)."""
    contracts = scope_by_region(AciContract.objects.all(), user, field="project__region")
    return (
        contracts.filter(project__stage__in=FOLLOWED_STAGES)
        .select_related("project")
        .prefetch_related(
            Prefetch("terms", queryset=ContractTerms.objects.order_by("version")),
            "reports",
            "payments",
            "dialogues",
            "mission_progress",
            "deliverables",
        )
        .order_by("project__name", "pk")
    )


@dataclass
class ContractFigures:
    contract: AciContract
    current_year: int | None
    years: list[rules.ContractYearFigures]
    committed: Decimal  # every amount of the schedule known so far, due or to come
    missing_amounts: bool  # a line of the schedule lacks a figure
    missed_deadlines: list[str]  # « mission — démarrage » / « — déploiement »
    late_deliverables: list[str]
    # After a renewal a project has two contracts: the one in force (``rules.
    # contract_in_force``) and the other, whose unpaid balances still count.
    in_force: bool = True
    replaced_on: date | None = None  # a renewed contract: its next one's first day

    @property
    def standing(self) -> str:
        """How the board names a renewed project's contract; "" for a project's only one."""
        contract = self.contract
        if not self.in_force and self.replaced_on is not None:
            return _("Contrat précédent (renouvelé) — remplacé le %(date)s") % {
                "date": date_format(self.replaced_on, "j F Y")
            }
        if not self.in_force:
            return _("Contrat suivant (renouvellement) — en vigueur à partir du %(date)s") % {
                "date": date_format(contract.signed_on, "j F Y")
            }
        if self.replaced_on is not None:
            return _("Contrat en cours, renouvelé — remplacé le %(date)s") % {
                "date": date_format(self.replaced_on, "j F Y")
            }
        return _("Contrat en cours") if contract.previous_id else ""

    @property
    def due(self) -> Decimal:
        return sum((year.due for year in self.years), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((year.paid for year in self.years), Decimal(0))

    @property
    def late(self) -> Decimal:
        return sum((year.late for year in self.years), Decimal(0))

    @property
    def late_reports(self) -> list[int]:
        return [year.year for year in self.years if year.report_late]


def contract_figures(contract: AciContract, today: date) -> ContractFigures:
    """A contract's figures from its prefetched rows (``followed_contracts``)."""
    versions = list(contract.terms.all())
    current = versions[-1] if versions else None
    reports = {report.year: report for report in contract.reports.all()}
    schedule = selectors.payment_schedule(contract, versions, reports, today)
    years = rules.contract_year_figures(
        contract.signed_on,
        contract.term_years,
        schedule,
        {year: report.status for year, report in reports.items()},
        today,
    )
    progress = {
        row.mission: (row.started_on, row.deployed_on, row.declared)
        for row in contract.mission_progress.all()
    }
    missions = rules.mission_progress(
        selectors.mission_schedule(contract, current), progress, today
    )
    missed = []
    for row in missions:
        if row.start_status == "missed":
            missed.append(f"{row.schedule.label} — {row.start_label}")
        if row.deployment_status == "missed":
            missed.append(f"{row.schedule.label} — {row.deployment_label}")
    deliverables = rules.deliverables_due(
        current.terms if current else {},
        delivered_state(list(contract.deliverables.all())),
        today,
    )
    return ContractFigures(
        contract,
        rules.contract_year_on(contract.signed_on, contract.term_years, today),
        years,
        sum((row.amount for row in schedule if row.amount is not None), Decimal(0)),
        any(row.amount is None and row.due_on is not None for row in schedule),
        missed,
        [row.code for row in deliverables if row.status == "late"],
    )


def contracts_board(user: User, today: date | None = None) -> list[ContractFigures]:
    """Every followed contract of ``user``'s regions with its figures: committed, due, paid
    and late amounts per year, late reports, deadlines missed, late deliverables. A renewed
    project's contracts follow each other, the one in force first, each saying which it is
    (``ContractFigures.standing``)."""
    today = today or timezone.localdate()
    by_project: dict[int, list[AciContract]] = {}
    for contract in followed_contracts(user):
        by_project.setdefault(contract.project_id, []).append(contract)
    rows = []
    for contracts in by_project.values():
        in_force = rules.contract_in_force(contracts, today)
        next_start = {c.previous_id: c.signed_on for c in contracts if c.previous_id}
        contracts.sort(key=lambda c: (c is not in_force, -c.signed_on.toordinal()))
        for contract in contracts:
            figures = contract_figures(contract, today)
            figures.in_force = contract is in_force
            figures.replaced_on = next_start.get(contract.pk)
            rows.append(figures)
    return rows
