"""The daily reminders of the projects, sent through the outbox, each once per due item.

What is due on a given day (``due_reminders(today)``):

- a milestone of an active project past its due date and not done — to the coordinators;
- a contracted ACI mission whose start or full-deployment deadline is within a month
  (``MissionDeadline``, counted from the signature) — to the coordinators, the ARS and
  the Assurance Maladie;
- the annual dialogue de gestion of a contract year within a month, none recorded for
  that year yet — same recipients;
- the end of the contract within 6 months — same recipients.

A reminder is sent from the first day it is due until its deadline (a milestone: from the
day after its due date, as long as it is not done); a day the task did not run is caught
up the next day. ``SentReminder`` rows, unique per (project, kind, item, due date), make
each one go out once even if the task runs twice or concurrently. The notice periods are
the rules of the product (issue #5), not figures of the ACI.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cpts_portal.links import absolute_url
from cpts_portal.roles import Role
from notifications.services import queue_email

from . import selectors
from .models import AciContract, CptsProject, Milestone, SentReminder, Stage, add_months
from .models.choices import ACTIVE_STAGES

Kind = SentReminder.Kind

MISSION_NOTICE_MONTHS = 1
DIALOGUE_NOTICE_MONTHS = 1
CONTRACT_END_NOTICE_MONTHS = 6
CONTRACT_FOLLOWED_STAGES = (Stage.CONTRACT_SIGNED, Stage.RUNNING)
# Besides the project's coordinators, who receives each kind of reminder.
STAFF_RECIPIENTS: dict[str, tuple[str, ...]] = {
    Kind.MILESTONE_OVERDUE: (),
    Kind.MISSION_START: (Role.ARS, Role.ASSURANCE_MALADIE),
    Kind.MISSION_DEPLOYMENT: (Role.ARS, Role.ASSURANCE_MALADIE),
    Kind.DIALOGUE: (Role.ARS, Role.ASSURANCE_MALADIE),
    Kind.CONTRACT_END: (Role.ARS, Role.ASSURANCE_MALADIE),
}


@dataclass(frozen=True)
class DueReminder:
    project: CptsProject
    kind: str
    item: str  # what is due: a milestone's id, a mission's code, a contract year, "contrat"
    due_on: date
    label: str  # the item in French, for the email

    @property
    def key(self) -> tuple[int, str, str, date]:
        return (self.project.pk, self.kind, self.item, self.due_on)


def in_notice(today: date, due_on: date, months: int) -> bool:
    """From ``months`` months before ``due_on`` up to ``due_on`` included."""
    return add_months(due_on, -months) <= today <= due_on


def overdue_milestones(today: date) -> list[DueReminder]:
    milestones = Milestone.objects.filter(
        done_on__isnull=True, due_on__lt=today, project__stage__in=ACTIVE_STAGES
    ).select_related("project")
    return [
        DueReminder(m.project, Kind.MILESTONE_OVERDUE, str(m.pk), m.due_on, m.label)
        for m in milestones.order_by("project_id", "position", "pk")
    ]


def contract_reminders(today: date) -> list[DueReminder]:
    due: list[DueReminder] = []
    deadlines = selectors.mission_deadlines()
    contracts = (
        AciContract.objects.filter(project__stage__in=CONTRACT_FOLLOWED_STAGES)
        .select_related("project")
        .prefetch_related("dialogues")
        .order_by("project_id")
    )
    for contract in contracts:
        project = contract.project
        for row in selectors.mission_schedule(contract, deadlines):
            for kind, due_on in (
                (Kind.MISSION_START, row.start_by),
                (Kind.MISSION_DEPLOYMENT, row.deployed_by),
            ):
                if due_on and in_notice(today, due_on, MISSION_NOTICE_MONTHS):
                    due.append(DueReminder(project, kind, row.mission.value, due_on, row.label))
        held = {dialogue.year for dialogue in contract.dialogues.all()}
        for year, due_on in contract.dialogue_schedule():
            if year not in held and in_notice(today, due_on, DIALOGUE_NOTICE_MONTHS):
                due.append(DueReminder(project, Kind.DIALOGUE, str(year), due_on, str(year)))
        if in_notice(today, contract.ends_on, CONTRACT_END_NOTICE_MONTHS):
            due.append(
                DueReminder(project, Kind.CONTRACT_END, "contrat", contract.ends_on, "contrat")
            )
    return due


def due_reminders(today: date) -> list[DueReminder]:
    """Every reminder due on ``today`` that has not been sent yet."""
    candidates = overdue_milestones(today) + contract_reminders(today)
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
    groups: dict[tuple[int, str], list[DueReminder]] = defaultdict(list)
    for reminder in due_reminders(today):
        groups[(reminder.project.pk, reminder.kind)].append(reminder)
    count = 0
    for (_project_id, kind), items in groups.items():
        project = items[0].project
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


def email_context(project: CptsProject, kind: str, items: list[DueReminder]) -> dict:
    if kind == Kind.MILESTONE_OVERDUE:
        contract, page = None, f"{project.get_absolute_url()}#jalons"
    else:
        contract = project.contract
        page = reverse("projects:contract", kwargs={"pk": project.pk})
    return {
        "project": project,
        "kind": kind,
        "items": items,
        "contract": contract,
        "notice_months": {
            Kind.MISSION_START: MISSION_NOTICE_MONTHS,
            Kind.MISSION_DEPLOYMENT: MISSION_NOTICE_MONTHS,
            Kind.DIALOGUE: DIALOGUE_NOTICE_MONTHS,
            Kind.CONTRACT_END: CONTRACT_END_NOTICE_MONTHS,
        }.get(kind),
        "page_url": absolute_url(page),
    }
