"""The daily reminders of the projects, sent through the outbox, each once per due item.

What is due on a given day (``due_reminders(today)``):

- a milestone of an active project past its due date and not done — to the coordinators;
- a contracted ACI mission whose start or full-deployment deadline is within a month
  (the contract's frozen terms, counted from the signature) — to the coordinators, the ARS
  and the Assurance Maladie;
- the annual dialogue de gestion of a contract year within a month, none recorded for
  that year yet — same recipients;
- the annual report of a contract year within a month of the year's end (the
  anniversary), not yet submitted — same recipients;
- a payment of the schedule (``rules.payment_schedule``) due within a month and not
  fully paid — to the Assurance Maladie only;
- a deliverable of the contract's terms (avenant 2's crisis plan) due within a month and
  not uploaded yet — to the coordinators and the ARS;
- the end of the contract, 6 and then 3 months before (``rules.renewal_notices``), while
  no outcome is recorded — same recipients as the missions;
- in a region that uses the Guichet CPTS, a lettre d'intention deposited
  ``GUICHET_REMINDER_DAYS`` days ago whose examination still lacks the avis of a URPS of
  the region — to that URPS (its agents and its address), once per URPS and deposit.

A reminder is sent from the first day it is due until its deadline (a milestone: from the
day after its due date, as long as it is not done); a day the task did not run is caught
up the next day. ``SentReminder`` rows, unique per (project, kind, item, due date), make
each one go out once even if the task runs twice or concurrently. The notice periods are
the rules of the product (issue #5), not figures of the ACI.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cpts_portal.links import absolute_url
from cpts_portal.roles import Role
from notifications.services import queue_email
from territories.selectors import region_identity

from . import contract_selectors, rules, selectors
from .models import (
    AciContract,
    AnnualReport,
    ContractDeliverable,
    CptsProject,
    GuichetReview,
    Milestone,
    SentReminder,
    Stage,
    UrpsOpinion,
)
from .models.choices import ACTIVE_STAGES
from .rules import add_months

Kind = SentReminder.Kind

MISSION_NOTICE_MONTHS = 1
DIALOGUE_NOTICE_MONTHS = 1
REPORT_NOTICE_MONTHS = 1
PAYMENT_NOTICE_MONTHS = 1
DELIVERABLE_NOTICE_MONTHS = 1
CONTRACT_END_NOTICE_MONTHS = rules.RENEWAL_NOTICES_MONTHS[0]
# Days after the deposit of a lettre d'intention before a silent URPS is reminded.
GUICHET_REMINDER_DAYS = 15
CONTRACT_FOLLOWED_STAGES = (Stage.CONTRACT_SIGNED, Stage.RUNNING)
# Besides the project's coordinators, who receives each kind of reminder.
STAFF_RECIPIENTS: dict[str, tuple[str, ...]] = {
    Kind.MILESTONE_OVERDUE: (),
    Kind.MISSION_START: (Role.ARS, Role.ASSURANCE_MALADIE),
    Kind.MISSION_DEPLOYMENT: (Role.ARS, Role.ASSURANCE_MALADIE),
    Kind.DIALOGUE: (Role.ARS, Role.ASSURANCE_MALADIE),
    Kind.CONTRACT_END: (Role.ARS, Role.ASSURANCE_MALADIE),
    Kind.REPORT_DUE: (Role.ARS, Role.ASSURANCE_MALADIE),
    Kind.DELIVERABLE_DUE: (Role.ARS,),
}
# Reminders that go to staff only, not to the coordinators.
STAFF_ONLY: dict[str, tuple[str, ...]] = {Kind.PAYMENT_DUE: (Role.ASSURANCE_MALADIE,)}


@dataclass(frozen=True)
class DueReminder:
    project: CptsProject
    kind: str
    item: str  # what is due: a milestone's id, a mission's code, a contract year, "contrat"
    due_on: date
    label: str  # the item in French, for the email
    audience: int | None = None  # the institution told instead of the usual recipients

    @property
    def key(self) -> tuple[int, str, str, date]:
        return (self.project.pk, self.kind, self.item, self.due_on)


def in_notice(today: date, due_on: date, months: int) -> bool:
    """From ``months`` months before ``due_on`` up to ``due_on`` included."""
    return add_months(due_on, -months) <= today <= due_on


def overdue_milestones(today: date) -> list[DueReminder]:
    milestones = Milestone.objects.filter(
        done_on__isnull=True, due_on__lt=today, project__stage__in=ACTIVE_STAGES
    ).select_related("project__region__identity")
    return [
        DueReminder(m.project, Kind.MILESTONE_OVERDUE, str(m.pk), m.due_on, m.label)
        for m in milestones.order_by("project_id", "position", "pk")
    ]


def contract_reminders(today: date) -> list[DueReminder]:
    due: list[DueReminder] = []
    contracts = (
        AciContract.objects.filter(project__stage__in=CONTRACT_FOLLOWED_STAGES)
        .select_related("project__region__identity")
        .prefetch_related("dialogues", "terms", "reports", "payments", "deliverables")
        .order_by("project_id")
    )
    for contract in contracts:
        project = contract.project
        versions = sorted(contract.terms.all(), key=lambda version: version.version)
        current = versions[-1] if versions else None
        for row in selectors.mission_schedule(contract, current):
            for kind, due_on in (
                (Kind.MISSION_START, row.start_by),
                (Kind.MISSION_DEPLOYMENT, row.deployed_by),
            ):
                if due_on and in_notice(today, due_on, MISSION_NOTICE_MONTHS):
                    due.append(DueReminder(project, kind, row.mission.value, due_on, row.label))
        held = {year for dialogue in contract.dialogues.all() for year in dialogue.covered_years}
        reports = {report.year: report for report in contract.reports.all()}
        for year in rules.contract_years(contract.signed_on, contract.term_years):
            label = str(year.number)
            if year.number not in held and in_notice(today, year.ends_on, DIALOGUE_NOTICE_MONTHS):
                due.append(DueReminder(project, Kind.DIALOGUE, label, year.ends_on, label))
            report = reports.get(year.number)
            submitted = report is not None and report.status in (
                AnnualReport.Status.SUBMITTED,
                AnnualReport.Status.VALIDATED,
            )
            if not submitted and in_notice(today, year.ends_on, REPORT_NOTICE_MONTHS):
                due.append(DueReminder(project, Kind.REPORT_DUE, label, year.ends_on, label))
        for row in selectors.payment_schedule(contract, versions, reports, today):
            if (
                row.status != "paid"
                and row.due_on is not None
                and row.amount
                and in_notice(today, row.due_on, PAYMENT_NOTICE_MONTHS)
            ):
                item = f"{row.kind}-{row.year}"
                label = f"{row.kind_label} — {row.year}"
                due.append(DueReminder(project, Kind.PAYMENT_DUE, item, row.due_on, label))
        delivered = contract_selectors.delivered_state(list(contract.deliverables.all()))
        for row in rules.deliverables_due(current.terms if current else {}, delivered, today):
            if row.status == "due" and in_notice(today, row.due_on, DELIVERABLE_NOTICE_MONTHS):
                label = str(ContractDeliverable.Code(row.code).label)
                due.append(DueReminder(project, Kind.DELIVERABLE_DUE, row.code, row.due_on, label))
        if not contract.outcome:
            for months, notice_on in rules.renewal_notices(contract.signed_on, contract.term_years):
                if notice_on <= today <= contract.ends_on:
                    item = f"contrat-{months}"
                    due.append(
                        DueReminder(project, Kind.CONTRACT_END, item, contract.ends_on, "contrat")
                    )
    return due


def guichet_reminders(today: date) -> list[DueReminder]:
    """The URPS of a Guichet region that have not given their avis on a lettre d'intention
    deposited ``GUICHET_REMINDER_DAYS`` days ago or more (a few queries, not per project)."""
    from territories.models import Institution, InstitutionKind, RegionIdentity

    regions = RegionIdentity.objects.filter(uses_guichet=True).values("region_id")
    waiting = [
        project
        for project in CptsProject.objects.filter(
            stage=Stage.LETTER_DEPOSITED, region_id__in=regions
        ).order_by("pk")
        if timezone.localdate(project.stage_changed_at) + timedelta(days=GUICHET_REMINDER_DAYS)
        <= today
    ]
    if not waiting:
        return []
    urps_by_region: dict[int, list[Institution]] = defaultdict(list)
    for urps in Institution.objects.filter(
        kind=InstitutionKind.URPS, region_id__in={project.region_id for project in waiting}
    ).order_by("name"):
        urps_by_region[urps.region_id].append(urps)
    answered = set(
        UrpsOpinion.objects.filter(
            review__in=GuichetReview.objects.filter(
                project__in=waiting, transmitted_at__isnull=True
            )
        ).values_list("review__project_id", "review__opened_at", "institution_id")
    )
    due = []
    for project in waiting:
        due_on = timezone.localdate(project.stage_changed_at) + timedelta(
            days=GUICHET_REMINDER_DAYS
        )
        for urps in urps_by_region[project.region_id]:
            if (project.pk, project.stage_changed_at, urps.pk) not in answered:
                item = f"urps-{urps.pk}"
                due.append(
                    DueReminder(project, Kind.GUICHET_OPINION, item, due_on, urps.name, urps.pk)
                )
    return due


def due_reminders(today: date) -> list[DueReminder]:
    """Every reminder due on ``today`` that has not been sent yet."""
    candidates = overdue_milestones(today) + contract_reminders(today) + guichet_reminders(today)
    if not candidates:
        return []
    sent = set(
        SentReminder.objects.filter(
            project__in={reminder.project.pk for reminder in candidates}
        ).values_list("project_id", "kind", "item", "due_on")
    )
    return [reminder for reminder in candidates if reminder.key not in sent]


def claim(reminder: DueReminder, recipient_count: int) -> bool:
    """Record the reminder as sent; False if a row already exists (sent by another run)."""
    try:
        with transaction.atomic():  # a savepoint: the outer transaction survives a refusal
            SentReminder.objects.create(
                project=reminder.project,
                kind=reminder.kind,
                item=reminder.item,
                due_on=reminder.due_on,
                recipient_count=recipient_count,
            )
    except IntegrityError:
        return False
    return True


def send_reminders(today: date | None = None) -> int:
    """Queue the reminders due on ``today`` (the local date by default); return how many.

    One email per project and kind lists the items of that kind due now. For each group,
    in one transaction: the items are claimed (``SentReminder`` rows), then the email is
    queued in the outbox for the items this run claimed. Items of a project nobody could
    be told about (no recipient with an email) are left due, for a later run.
    """
    today = today or timezone.localdate()
    groups: dict[tuple[int, str, int | None], list[DueReminder]] = defaultdict(list)
    for reminder in due_reminders(today):
        groups[(reminder.project.pk, reminder.kind, reminder.audience)].append(reminder)
    count = 0
    for (_project_id, kind, audience), items in groups.items():
        project = items[0].project
        if audience is not None:
            to = selectors.institution_recipients([audience])
        elif kind in STAFF_ONLY:
            to = selectors.project_recipients(project, STAFF_ONLY[kind], coordinators=False)
        else:
            to = selectors.project_recipients(project, STAFF_RECIPIENTS[kind])
        if not to:
            continue
        with transaction.atomic():
            claimed = [item for item in items if claim(item, len(to))]
            if not claimed:
                continue
            queue_email(
                to,
                "projects/emails/reminder",
                email_context(project, kind, claimed),
                related=project,
            )
            count += len(claimed)
    return count


def renewal_months(items: list[DueReminder]) -> int:
    """The notice an end-of-contract reminder announces: 3 months once that close."""
    months = rules.RENEWAL_NOTICES_MONTHS
    if any(item.item == f"contrat-{months[-1]}" for item in items):
        return months[-1]
    return months[0]


def email_context(project: CptsProject, kind: str, items: list[DueReminder]) -> dict:
    if kind == Kind.MILESTONE_OVERDUE:
        contract, page = None, f"{project.get_absolute_url()}#jalons"
    elif kind == Kind.GUICHET_OPINION:
        contract, page = None, reverse("projects:urps_opinion", kwargs={"pk": project.pk})
    else:
        contract = project.contract
        page = reverse("projects:contract", kwargs={"pk": project.pk})
    return {
        "project": project,
        "region_identity": region_identity(project.region),
        "kind": kind,
        "items": items,
        "contract": contract,
        "notice_months": {
            Kind.MISSION_START: MISSION_NOTICE_MONTHS,
            Kind.MISSION_DEPLOYMENT: MISSION_NOTICE_MONTHS,
            Kind.DIALOGUE: DIALOGUE_NOTICE_MONTHS,
            Kind.REPORT_DUE: REPORT_NOTICE_MONTHS,
            Kind.PAYMENT_DUE: PAYMENT_NOTICE_MONTHS,
            Kind.DELIVERABLE_DUE: DELIVERABLE_NOTICE_MONTHS,
            Kind.CONTRACT_END: renewal_months(items),
        }.get(kind),
        "guichet_days": GUICHET_REMINDER_DAYS,
        "page_url": absolute_url(page),
    }
