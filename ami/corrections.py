"""The correction round: the ARS asks the référents to complete their answer, they edit it
through their private link and send it back; every edit of theirs is told to the staff.

Status changes go through ``ami.workflow.transition`` (actions « Demander une correction »
for the ARS, « Renvoyer la réponse corrigée » for the référents, ``by=None``).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from notifications.services import queue_email

from . import workflow
from .models import Submission, SubmissionEvent
from .services import staff_recipients, staff_url

Status = Submission.Status
Kind = SubmissionEvent.Kind


def correction_round(submission: Submission) -> int:
    """How many corrections were asked so far (the round of the next one is this + 1)."""
    return submission.events.filter(kind=Kind.CORRECTION_REQUESTED).count()


def request_correction(
    submission: Submission, by: AbstractBaseUser, *, message: str, comment: str = ""
) -> SubmissionEvent:
    """Send the answer back to its référents with what to correct.

    Side effects, in one transaction (``workflow.transition``): status « Correction
    demandée » (the answer becomes editable on the private link again), a
    ``CORRECTION_REQUESTED`` event (``data``: the message, the round number; ``comment``
    internal), the email « correction demandée » to each référent who gave an address.
    Raises ``TransitionNotAllowed`` for a role other than ARS or an answer not in analysis.
    """
    round_number = correction_round(submission) + 1
    return workflow.transition(
        submission,
        Status.CORRECTION_REQUESTED,
        by=by,
        comment=comment,
        data={"message": message, "round": round_number},
        email_context={"message": message, "round": round_number},
    )


def resubmit_answer(submission: Submission, message: str = "") -> SubmissionEvent:
    """The référents send their corrected answer back (through their private link).

    Side effects, in one transaction: status « En cours d’analyse » again (the answer is
    locked), a ``RESUBMITTED`` event with no author (the référents) and ``data``: their
    message, the round, the corrections made since the request; the email « réponse
    corrigée » to the agent in charge, else the campaign's ARS address.
    Raises ``TransitionNotAllowed`` when no correction is asked.
    """
    with transaction.atomic():
        request = (
            submission.events.filter(kind=Kind.CORRECTION_REQUESTED).order_by("-created_at", "-pk")
        ).first()
        edits = submission.events.filter(kind=Kind.EDITED)
        if request is not None:
            edits = edits.filter(created_at__gte=request.created_at)
        changes = [
            change for event in edits.order_by("created_at", "pk") for change in event.changes
        ]
        round_number = correction_round(submission)
        event = workflow.transition(
            submission,
            Status.IN_REVIEW,
            by=None,
            data={"message": message, "round": round_number, "changes": changes},
        )
        queue_email(
            staff_recipients(submission),
            "ami/emails/answer_resubmitted",
            {
                "submission": submission,
                "message": message,
                "changes": changes,
                "round": round_number,
                "staff_url": staff_url(submission),
            },
            related=submission,
        )
    return event
