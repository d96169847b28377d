"""Writes of the staff workspace: each triage action checks the role, writes its history
entry and queues its emails in one transaction.

Status changes go through ``ami.workflow.transition``; the role rules are in
``ami.workflow.ACTIONS``.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from cpts_portal.background import run_in_background
from cpts_portal.history import record_event
from cpts_portal.uploads import validate_upload
from notifications.services import queue_email

from .. import export_jobs, hooks, workflow
from ..attachments import attachment_names, check_room, store_attachment
from ..audit import Action as AccessAction
from ..audit import record_access
from ..export_jobs import ExportJob
from ..filters import assignable_users
from ..ics import Method, exchange_attachment
from ..models import (
    Attachment,
    ClosureReason,
    DashboardPreference,
    Exchange,
    Orientation,
    PdfBatch,
    Submission,
    SubmissionEvent,
)
from ..services import renew_private_link, staff_url
from ..workflow import Action, ActionNotAllowed, TransitionNotAllowed
from .columns import clean_columns
from .selectors import kept_exchange

logger = logging.getLogger(__name__)

Kind = SubmissionEvent.Kind
Status = Submission.Status

# Moves made with a plain button; the others need their own form (exchange, orientation,
# closure) so that what the référents are told is complete.
PLAIN_MOVES = (Action.TAKE_INTO_REVIEW, Action.BACK_TO_REVIEW)


def user_label(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def assign(
    submission: Submission, assignee: AbstractBaseUser | None, by: AbstractBaseUser
) -> SubmissionEvent:
    """Give the answer to ``assignee`` (``None``: to nobody); tells a colleague by email."""
    workflow.require(by, Action.ASSIGN)
    # An agent of the answer's region (or a superuser) only.
    region = frozenset({submission.campaign.region_id})
    if assignee is not None and not assignable_users(region).filter(pk=assignee.pk).exists():
        raise ActionNotAllowed(
            _("%(name)s n’appartient à aucun groupe d’agents.") % {"name": user_label(assignee)}
        )
    with transaction.atomic():
        submission.assignee = assignee
        submission.save(update_fields=["assignee", "updated_at"])
        event = record_event(
            submission,
            Kind.ASSIGNED,
            by=by,
            data={
                "assignee_id": assignee.pk if assignee else None,
                "assignee": user_label(assignee) if assignee else "",
            },
        )
        if assignee is not None and assignee.pk != by.pk and assignee.email:
            queue_email(
                [assignee.email],
                "ami/emails/assigned",
                {
                    "submission": submission,
                    "by": user_label(by),
                    "staff_url": staff_url(submission),
                },
                related=submission,
            )
    return event


def add_note(submission: Submission, by: AbstractBaseUser, text: str) -> SubmissionEvent:
    """A private note: staff only, never on the référents' pages."""
    workflow.require(by, Action.COMMENT)
    return record_event(submission, Kind.NOTE, by=by, comment=text)


def give_opinion(
    submission: Submission, by: AbstractBaseUser, opinion: str, text: str = ""
) -> SubmissionEvent:
    """A partner's opinion (URPS, ARS): a private note carrying the verdict."""
    workflow.require(by, Action.GIVE_OPINION)
    return record_event(submission, Kind.NOTE, by=by, comment=text, data={"opinion": opinion})


def send_message(
    submission: Submission,
    by: AbstractBaseUser,
    text: str,
    uploads: Sequence[UploadedFile] = (),
) -> SubmissionEvent:
    """A message to the référents, with files if the agent joins some: on their private
    page, and by email.

    Side effects, in one transaction: a ``MESSAGE`` event (with files,
    ``data["attachments"]``: the names shown), the files stored and linked to it, the email
    « message de l’ARS » to each référent who gave an address, naming the files to download
    from the private page (the outbox carries text only). ``ActionNotAllowed`` for a role
    that may not write to référents; ``ValidationError`` for a refused file or one file too
    many (nothing written then).
    """
    workflow.require(by, Action.MESSAGE)
    for upload in uploads:
        validate_upload(upload)
    check_room(submission, len(uploads))
    with transaction.atomic():
        names = attachment_names(uploads)
        data = {"from": "staff", **({"attachments": names} if names else {})}
        event = record_event(submission, Kind.MESSAGE, by=by, comment=text, data=data)
        for upload in uploads:
            store_attachment(
                submission, upload, kind=Attachment.Kind.MESSAGE, from_referent=False, by=by,
                event=event,
            )  # fmt: skip
        workflow.email_referents(
            submission,
            "ami/emails/message_to_referents",
            {"message": text, "event": event, "attachments": names},
        )
    return event


def resend_private_link(
    submission: Submission, by: AbstractBaseUser, comment: str = ""
) -> SubmissionEvent:
    """Revoke the référents' private link and email them a new one.

    Side effects, in one transaction:

    - a new token (``ami.services.renew_private_link``): the old link answers 404, the new
      one works for ``PRIVATE_LINK_DAYS`` days from now;
    - a ``LINK_RESENT`` event (who, when, ``comment``, the new expiry, how many référents
      were written to);
    - the email « nouveau lien de suivi » queued to each référent who gave an address.

    Refused (``ActionNotAllowed``, message for the user, nothing written) for a role other
    than ARS, an anonymised answer, or an answer whose référents gave no address.
    """
    workflow.require(by, Action.RESEND_LINK)
    if submission.anonymised_at is not None:
        raise ActionNotAllowed(
            _("Les données personnelles de cette réponse ont été anonymisées : aucun lien.")
        )
    recipients = submission.referents.exclude(email="").count()
    if not recipients:
        raise ActionNotAllowed(
            _("Aucun référent n’a donné d’adresse électronique : le lien ne peut être envoyé.")
        )
    with transaction.atomic():
        renew_private_link(submission)
        event = record_event(
            submission,
            Kind.LINK_RESENT,
            by=by,
            comment=comment,
            data={
                "expires_at": submission.access_expires_at.isoformat(),
                "recipients": recipients,
            },
        )
        workflow.email_referents(
            submission,
            workflow.ACTIONS[Action.RESEND_LINK].referent_email,
            {"event": event, "expires_at": submission.access_expires_at},
        )
    return event


def change_status(
    submission: Submission, to: Status | str, by: AbstractBaseUser, comment: str = ""
) -> SubmissionEvent:
    """Take into analysis, or put back into analysis (reopening clears the closure reason)."""
    rule = workflow.find_transition(submission, to)
    if rule.action not in PLAIN_MOVES:
        raise TransitionNotAllowed(
            _("Ce changement de statut se fait avec son propre formulaire : « %(action)s ».")
            % {"action": rule.action.label}
        )
    with transaction.atomic():
        event = workflow.transition(submission, to, by=by, comment=comment)
        if submission.closure_reason and submission.status != Status.CLOSED:
            submission.closure_reason = ""
            submission.save(update_fields=["closure_reason", "updated_at"])
    return event


def plan_exchange(
    submission: Submission,
    by: AbstractBaseUser,
    *,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    video_url: str = "",
    participants: str = "",
    message: str = "",
    comment: str = "",
) -> Exchange:
    """Plan (or move) the exchange and send the référents an invitation with an .ics file.

    Planning again while an exchange is planned moves that exchange: same calendar UID,
    higher SEQUENCE, so the référents' calendars update the event.
    """
    workflow.check_transition(submission, Status.EXCHANGE_PLANNED, by)
    with transaction.atomic():
        exchange = submission.current_exchange
        if exchange is None:
            exchange = Exchange(submission=submission, created_by=by)
        else:
            exchange.sequence += 1
        exchange.starts_at, exchange.ends_at = starts_at, ends_at
        exchange.place, exchange.video_url = place, video_url
        exchange.participants = participants
        exchange.full_clean(exclude=["submission", "created_by"])
        exchange.save()
        workflow.transition(
            submission,
            Status.EXCHANGE_PLANNED,
            by=by,
            comment=comment,
            data={
                "exchange_id": exchange.pk,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "place": place,
                "video_url": video_url,
                "participants": participants,
                "message": message,
            },
            email_context={"exchange": exchange, "message": message},
            attachments=[exchange_attachment(exchange, submission)],
        )
    return exchange


def orient(
    submission: Submission,
    by: AbstractBaseUser,
    *,
    orientation: Orientation | str,
    linked: Sequence[Submission] = (),
    message: str = "",
    comment: str = "",
    keep_exchange: bool = False,
) -> SubmissionEvent:
    """Record the orientation; "mise en relation" links the answers both ways.

    The référents are told the orientation, never the other answers' names or contacts:
    the ARS puts the teams in touch once each has agreed.

    An upcoming planned exchange is cancelled (its cancellation joins the email) unless
    ``keep_exchange``: then it stays in the référents' calendars, the email says it is
    kept and the event's ``data`` records it (``kept_exchange``).
    """
    orientation = Orientation(orientation)
    workflow.check_transition(submission, Status.ORIENTED, by)
    linked = [other for other in linked if other.pk != submission.pk]
    if orientation == Orientation.CONNECTION and not linked:
        raise ActionNotAllowed(_("Choisissez au moins une réponse à mettre en relation."))
    with transaction.atomic():
        submission.orientation = orientation
        submission.save(update_fields=["orientation", "updated_at"])
        if linked:
            submission.linked_submissions.add(*linked)
        # « Accompagnement »: the projects app starts (or finds) the CPTS project, in this
        # transaction, through the hook it registered (the AMI does not import it).
        project = (
            hooks.start_project(submission, by) if orientation == Orientation.SUPPORT else None
        )
        kept = submission.current_exchange if keep_exchange else None
        if kept is not None and not kept.is_upcoming:
            kept = None
        return workflow.transition(
            submission,
            Status.ORIENTED,
            by=by,
            comment=comment,
            data={
                "orientation": orientation.value,
                "linked": [other.reference for other in linked],
                "linked_ids": [other.pk for other in linked],
                "project": str(project) if project else "",
                "project_id": project.pk if project else None,
                "message": message,
                **(
                    {
                        "kept_exchange": {
                            "exchange_id": kept.pk,
                            "starts_at": kept.starts_at.isoformat(),
                        }
                    }
                    if kept
                    else {}
                ),
            },
            email_context={
                "orientation": orientation,
                "linked_count": len(linked),
                "message": message,
                "kept_exchange": kept,
            },
            keep_exchange=keep_exchange,
        )


def close(
    submission: Submission,
    by: AbstractBaseUser,
    *,
    reason: ClosureReason | str,
    message: str = "",
    comment: str = "",
) -> SubmissionEvent:
    """Close the answer with a reason, told to the référents with the optional message.

    An exchange kept when the answer was oriented, not started yet, is cancelled here (the
    workflow cancels only the exchange of the "exchange planned" status): its cancellation
    .ics joins the email and the event's ``data`` records it, as for a planned one.
    """
    if reason not in ClosureReason.values:
        raise ActionNotAllowed(_("Indiquez le motif de la clôture."))
    reason = ClosureReason(reason)
    workflow.check_transition(submission, Status.CLOSED, by)
    with transaction.atomic():
        submission.closure_reason = reason
        submission.save(update_fields=["closure_reason", "updated_at"])
        data: dict = {"reason": reason.value, "message": message}
        email_context: dict = {"reason": reason, "message": message}
        attachments = []
        kept = kept_exchange(submission) if submission.status == Status.ORIENTED else None
        if kept is not None:
            kept.cancel()
            data["cancelled_exchange"] = {
                "exchange_id": kept.pk,
                "starts_at": kept.starts_at.isoformat(),
            }
            email_context["cancelled_exchange"] = kept
            attachments.append(exchange_attachment(kept, submission, Method.CANCEL))
        return workflow.transition(
            submission,
            Status.CLOSED,
            by=by,
            comment=comment,
            data=data,
            email_context=email_context,
            attachments=attachments,
        )


# --- Dashboard: the agent's columns, actions on a selection --------------------------------


def save_dashboard_columns(user: AbstractBaseUser, columns: Sequence[str]) -> list[str]:
    """Remember the dashboard columns ``user`` chose; returns them as kept (known keys only,
    in the table's order, the reference always in)."""
    workflow.require(user, Action.VIEW)
    kept = clean_columns(columns)
    DashboardPreference.objects.update_or_create(user=user, defaults={"columns": kept})
    return kept


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one answer of a selection: ``error`` is empty when it was done."""

    submission: Submission
    error: str = ""

    @property
    def done(self) -> bool:
        return not self.error


def for_each(
    submissions: Sequence[Submission], perform: Callable[[Submission], object]
) -> list[BulkOutcome]:
    """Perform on each answer in its own transaction: one refusal stops nothing else."""
    outcomes = []
    for submission in submissions:
        try:
            with transaction.atomic():
                perform(submission)
        except (ActionNotAllowed, ValidationError) as refusal:
            message = (
                " ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
            )
            outcomes.append(BulkOutcome(submission, message))
        else:
            outcomes.append(BulkOutcome(submission))
    return outcomes


def bulk_assign(
    submissions: Sequence[Submission], assignee: AbstractBaseUser | None, by: AbstractBaseUser
) -> list[BulkOutcome]:
    """``assign`` each answer of the selection; the refused ones say why, one by one."""
    return for_each(submissions, lambda submission: assign(submission, assignee, by=by))


def bulk_change_status(
    submissions: Sequence[Submission], to: Status | str, by: AbstractBaseUser, comment: str = ""
) -> list[BulkOutcome]:
    """``change_status`` of each answer (through ``ami.workflow.transition``); an answer the
    table or the role refuses is left as it was and reported with the reason."""
    return for_each(
        submissions, lambda submission: change_status(submission, to, by=by, comment=comment)
    )


# --- PDF batches ---------------------------------------------------------------------------


def create_pdf_batch(
    by: AbstractBaseUser, submission_ids: Sequence[int], *, filters: dict
) -> PdfBatch:
    """A zip of the PDF summaries of these answers, built by a Celery task, for ``by`` only.

    Side effects, in one transaction: the batch row (pending); the access-log line (who
    asked for which answers, with which ``filters``); the task queued on commit
    (``dispatch_batch``: a broker outage leaves the batch pending, visible on its page).
    Raises ``ActionNotAllowed`` for a user whose role reads no answers.
    """
    workflow.require(by, Action.VIEW)
    ids = list(submission_ids)
    with transaction.atomic():
        batch = PdfBatch.objects.create(requested_by=by, submission_ids=ids, total=len(ids))
        record_access(
            by,
            AccessAction.PDF_BATCH,
            reference=_("Lot de %(count)d récapitulatifs PDF") % {"count": len(ids)},
            details={
                "batch": str(batch.pk),
                "filters": filters,
                "rows": len(ids),
                "references": [f"AMI-{pk:05d}" for pk in ids],
            },
        )
        batch_id = str(batch.pk)
        transaction.on_commit(lambda: dispatch_batch(batch_id))
    return batch


def start_export(by: AbstractBaseUser, *, extension: str, query: str, rows: int) -> ExportJob:
    """A large XLSX or ODS export of the filtered list (``query``), built by a task (a
    background thread without a broker) behind a progress page, for ``by`` only."""
    from ..tasks import build_export

    workflow.require(by, Action.VIEW)
    job = export_jobs.new_job(by.pk, extension, query, rows)
    try:
        run_in_background(build_export, job.id, by.pk)
    except Exception:
        logger.exception("Could not dispatch export job %s", job.id)
        job.status = "failed"
        job.save()
    return job


def dispatch_batch(batch_id: str) -> None:
    """Hand the batch to Celery (without a broker, to a background thread: the click never
    waits for the zip); a broker outage leaves it pending, visible on its page."""
    from ..tasks import build_pdf_batch

    try:
        run_in_background(build_pdf_batch, batch_id)
    except Exception:
        logger.exception("Could not dispatch PDF batch %s; left pending", batch_id)
