"""The status workflow of an AMI submission: the one place that writes ``Submission.status``.

Read the table like the triage procedure: who may move an answer from one status to another.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpts_portal.roles import Role, has_role

from .models import Submission, SubmissionEvent

Status = Submission.Status


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    roles: tuple[str, ...]


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.RECEIVED, Status.IN_REVIEW, (Role.ARS,)),
    Transition(Status.RECEIVED, Status.CLOSED, (Role.ARS,)),
    Transition(Status.IN_REVIEW, Status.EXCHANGE_PLANNED, (Role.ARS,)),
    Transition(Status.IN_REVIEW, Status.ORIENTED, (Role.ARS,)),
    Transition(Status.IN_REVIEW, Status.CLOSED, (Role.ARS,)),
    Transition(Status.EXCHANGE_PLANNED, Status.IN_REVIEW, (Role.ARS,)),
    Transition(Status.EXCHANGE_PLANNED, Status.ORIENTED, (Role.ARS,)),
    Transition(Status.EXCHANGE_PLANNED, Status.CLOSED, (Role.ARS,)),
    Transition(Status.ORIENTED, Status.CLOSED, (Role.ARS,)),
    Transition(Status.CLOSED, Status.IN_REVIEW, (Role.ARS,)),
)


class TransitionNotAllowed(Exception):
    """A refused status change; its message is meant for the user."""


def allowed_targets(submission: Submission, user: AbstractBaseUser) -> list[Status]:
    """The statuses this user may move this submission to, in the table's order."""
    return [
        t.target for t in TRANSITIONS if t.source == submission.status and has_role(user, *t.roles)
    ]


def transition(
    submission: Submission, to: Status | str, by: AbstractBaseUser, comment: str = ""
) -> SubmissionEvent:
    """Move ``submission`` to status ``to`` on behalf of ``by``.

    Side effects, in one transaction: saves ``status`` and ``status_changed_at`` with
    ``update_fields``; writes a ``SubmissionEvent`` (who, when, from, to, comment).
    Raises ``TransitionNotAllowed`` (message in French, for the user) when the table has no
    such move or the user lacks the role; nothing is written then.
    """
    target = Status(to)
    rule = next(
        (t for t in TRANSITIONS if t.source == submission.status and t.target == target), None
    )
    if rule is None:
        raise TransitionNotAllowed(
            _("Une réponse « %(source)s » ne peut pas passer au statut « %(target)s ».")
            % {"source": Status(submission.status).label, "target": target.label}
        )
    if not has_role(by, *rule.roles):
        raise TransitionNotAllowed(
            _("Votre rôle ne permet pas de passer une réponse au statut « %(target)s ».")
            % {"target": target.label}
        )
    with transaction.atomic():
        # Lock the row so two agents acting at once cannot both apply a move from the same state.
        current = Submission.objects.select_for_update().only("status").get(pk=submission.pk)
        if current.status != submission.status:
            raise TransitionNotAllowed(
                _("Le statut de cette réponse vient d'être modifié par une autre personne.")
            )
        source = submission.status
        submission.status = target
        submission.status_changed_at = timezone.now()
        submission.save(update_fields=["status", "status_changed_at", "updated_at"])
        return SubmissionEvent.objects.create(
            submission=submission,
            kind=SubmissionEvent.Kind.STATUS_CHANGED,
            author=by,
            from_status=source,
            to_status=target,
            comment=comment,
        )
