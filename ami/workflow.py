"""The triage workflow of an AMI submission: who may do what, and the one place that writes
``Submission.status``.

Read the two tables like the triage procedure:

- ``ACTIONS``: each action staff can take on an answer, the roles allowed to take it, the
  history entry it writes and the email it sends to the référents;
- ``TRANSITIONS``: the status changes, each performed by one of those actions.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpts_portal.history import record_event
from cpts_portal.links import absolute_url
from cpts_portal.roles import READER_ROLES, STAFF_ROLES, Role, roles_of
from notifications.services import Attachment, queue_email
from territories.selectors import region_identity

from .ics import Method, exchange_attachment
from .models import Exchange, Submission, SubmissionEvent

Status = Submission.Status
Kind = SubmissionEvent.Kind


class Action(models.TextChoices):
    VIEW = "view", gettext_lazy("Consulter les réponses, leurs exports et statistiques")
    COMMENT = "comment", gettext_lazy("Ajouter une note interne")
    GIVE_OPINION = "give_opinion", gettext_lazy("Donner un avis")
    ASSIGN = "assign", gettext_lazy("Attribuer")
    MESSAGE = "message", gettext_lazy("Écrire aux référents")
    TAKE_INTO_REVIEW = "take_into_review", gettext_lazy("Prendre en analyse")
    PLAN_EXCHANGE = "plan_exchange", gettext_lazy("Planifier l’échange")
    ORIENT = "orient", gettext_lazy("Orienter")
    CLOSE = "close", gettext_lazy("Clore")
    BACK_TO_REVIEW = "back_to_review", gettext_lazy("Remettre en analyse")
    RESEND_LINK = "resend_link", gettext_lazy("Renvoyer un nouveau lien de suivi")
    REQUEST_CORRECTION = "request_correction", gettext_lazy("Demander une correction")
    # Taken by the référents through their private link (no account: ``by=None``).
    RESUBMIT = "resubmit", gettext_lazy("Renvoyer la réponse corrigée")
    PERSONAL_DATA = (
        "personal_data",
        gettext_lazy(
            "Consulter le journal des accès, exporter et effacer des données personnelles"
        ),
    )


@dataclass(frozen=True)
class ActionRule:
    roles: tuple[str, ...]
    event: str = ""  # kind of the SubmissionEvent written ("" for reads)
    referent_email: str = ""  # outbox template sent to the référents, if any


# The référents act through their private link, without an account: ``by=None`` in
# ``transition`` stands for them, and this pseudo-role is theirs alone.
REFERENT = "referent"
REFERENTS = (REFERENT,)
ARS = (Role.ARS,)
ARS_URPS = (Role.ARS, Role.URPS)
STAFF = STAFF_ROLES  # ARS, URPS, Assurance Maladie

# ARS users do everything; URPS users comment and give an opinion; Assurance Maladie users
# read and comment; the national level reads every region and does nothing else.
ACTIONS: dict[Action, ActionRule] = {
    Action.VIEW: ActionRule(READER_ROLES),
    Action.COMMENT: ActionRule(STAFF, Kind.NOTE),
    Action.GIVE_OPINION: ActionRule(ARS_URPS, Kind.NOTE),
    Action.ASSIGN: ActionRule(ARS, Kind.ASSIGNED),
    Action.MESSAGE: ActionRule(ARS, Kind.MESSAGE, "ami/emails/message_to_referents"),
    Action.TAKE_INTO_REVIEW: ActionRule(ARS, Kind.STATUS_CHANGED, "ami/emails/in_review"),
    Action.PLAN_EXCHANGE: ActionRule(ARS, Kind.EXCHANGE_PLANNED, "ami/emails/exchange_planned"),
    Action.ORIENT: ActionRule(ARS, Kind.ORIENTED, "ami/emails/oriented"),
    Action.CLOSE: ActionRule(ARS, Kind.CLOSED, "ami/emails/closed"),
    Action.BACK_TO_REVIEW: ActionRule(ARS, Kind.STATUS_CHANGED),
    Action.RESEND_LINK: ActionRule(ARS, Kind.LINK_RESENT, "ami/emails/new_private_link"),
    Action.REQUEST_CORRECTION: ActionRule(
        ARS, Kind.CORRECTION_REQUESTED, "ami/emails/correction_requested"
    ),
    # The staff (agent in charge, else the ARS address) are told by ``ami.corrections``.
    Action.RESUBMIT: ActionRule(REFERENTS, Kind.RESUBMITTED),
    # Access log of an answer, RGPD export and erasure (``ami.privacy``, ``ami.audit``).
    Action.PERSONAL_DATA: ActionRule(ARS),
}


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    action: Action

    @property
    def roles(self) -> tuple[str, ...]:
        return ACTIONS[self.action].roles


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.RECEIVED, Status.IN_REVIEW, Action.TAKE_INTO_REVIEW),
    Transition(Status.RECEIVED, Status.CLOSED, Action.CLOSE),
    Transition(Status.IN_REVIEW, Status.EXCHANGE_PLANNED, Action.PLAN_EXCHANGE),
    Transition(Status.IN_REVIEW, Status.ORIENTED, Action.ORIENT),
    Transition(Status.IN_REVIEW, Status.CLOSED, Action.CLOSE),
    # A correction round: the answer goes back to the référents, who edit it and send it
    # back; the ARS may also take it back into analysis, or close it, meanwhile.
    Transition(Status.IN_REVIEW, Status.CORRECTION_REQUESTED, Action.REQUEST_CORRECTION),
    Transition(Status.CORRECTION_REQUESTED, Status.IN_REVIEW, Action.BACK_TO_REVIEW),
    Transition(Status.CORRECTION_REQUESTED, Status.IN_REVIEW, Action.RESUBMIT),
    Transition(Status.CORRECTION_REQUESTED, Status.CLOSED, Action.CLOSE),
    # Planning again moves the date: same status, a new invitation replacing the first.
    Transition(Status.EXCHANGE_PLANNED, Status.EXCHANGE_PLANNED, Action.PLAN_EXCHANGE),
    Transition(Status.EXCHANGE_PLANNED, Status.IN_REVIEW, Action.BACK_TO_REVIEW),
    Transition(Status.EXCHANGE_PLANNED, Status.ORIENTED, Action.ORIENT),
    Transition(Status.EXCHANGE_PLANNED, Status.CLOSED, Action.CLOSE),
    Transition(Status.ORIENTED, Status.CLOSED, Action.CLOSE),
    Transition(Status.CLOSED, Status.IN_REVIEW, Action.BACK_TO_REVIEW),
)


# Sent when the move that cancels the exchange has no email of its own (back to review).
EXCHANGE_CANCELLED_EMAIL = "ami/emails/exchange_cancelled"


class ActionNotAllowed(Exception):
    """A refused action; its message is meant for the user."""


class TransitionNotAllowed(ActionNotAllowed):
    """A refused status change; its message is meant for the user."""


def actor_roles(user: AbstractBaseUser | AnonymousUser | None) -> set[str]:
    """The user's roles; ``None`` is the référents acting through their private link."""
    return {REFERENT} if user is None else set(roles_of(user))


def can(user: AbstractBaseUser | AnonymousUser | None, action: Action) -> bool:
    return not actor_roles(user).isdisjoint(ACTIONS[action].roles)


def is_staff_member(user: AbstractBaseUser | AnonymousUser) -> bool:
    return can(user, Action.VIEW)


# Every action but reading: what the national level (read-only) may never take.
WRITE_ACTIONS = tuple(action for action in Action if action not in (Action.VIEW, Action.RESUBMIT))


def can_write(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user's role takes any staff action besides reading (not the national
    level): the bulk actions and the answer page's forms are for them only."""
    return any(can(user, action) for action in WRITE_ACTIONS)


def require(user: AbstractBaseUser | AnonymousUser, action: Action) -> None:
    """Raise ``ActionNotAllowed`` unless the user's role allows the action."""
    if not can(user, action):
        raise ActionNotAllowed(
            _("Votre rôle ne permet pas de faire cette action : « %(action)s ».")
            % {"action": action.label}
        )


def allowed_targets(submission: Submission, user: AbstractBaseUser) -> list[Status]:
    """The statuses this user may move this submission to, in the table's order."""
    return [
        t.target
        for t in TRANSITIONS
        if t.source == submission.status and t.target != t.source and can(user, t.action)
    ]


def allowed_actions(submission: Submission, user: AbstractBaseUser) -> set[Action]:
    """Actions the user may take on this submission now: by role, and by status for moves."""
    moves = {t.action for t in TRANSITIONS if t.source == submission.status}
    status_actions = {t.action for t in TRANSITIONS}
    return {
        action
        for action in Action
        if can(user, action) and (action not in status_actions or action in moves)
    }


ANYONE = object()  # ``find_transition`` without an actor: the table's first row


def find_transition(
    submission: Submission,
    target: Status | str,
    by: AbstractBaseUser | AnonymousUser | object | None = ANYONE,
) -> Transition:
    """The row of the table for this move; ``TransitionNotAllowed`` when there is none.

    When two actions make the same move (the ARS takes the answer back into analysis, or
    the référents send their correction back), the row whose action ``by`` may take comes
    first; without ``by``, the first row of the table.
    """
    target = Status(target)
    rows = [t for t in TRANSITIONS if t.source == submission.status and t.target == target]
    if by is not ANYONE:
        rows.sort(key=lambda t: not can(by, t.action))  # stable: the table's order kept
    rule = rows[0] if rows else None
    if rule is None:
        raise TransitionNotAllowed(
            _("Une réponse « %(source)s » ne peut pas passer au statut « %(target)s ».")
            % {"source": Status(submission.status).label, "target": target.label}
        )
    return rule


def check_transition(
    submission: Submission, target: Status | str, by: AbstractBaseUser | None
) -> Transition:
    """Raise ``TransitionNotAllowed`` unless the table and the user's role allow the move
    (``by=None``: the référents, through their private link)."""
    rule = find_transition(submission, target, by)
    if not can(by, rule.action):
        raise TransitionNotAllowed(
            _("Votre rôle ne permet pas de passer une réponse au statut « %(target)s ».")
            % {"target": rule.target.label}
        )
    return rule


def transition(
    submission: Submission,
    to: Status | str,
    by: AbstractBaseUser | None,
    comment: str = "",
    *,
    data: dict | None = None,
    email_context: dict | None = None,
    attachments: Sequence[Attachment] = (),
    keep_exchange: bool = False,
) -> SubmissionEvent:
    """Move ``submission`` to status ``to`` on behalf of ``by`` (``None``: the référents,
    through their private link; only the actions of ``REFERENTS`` are open to them).

    Side effects, in one transaction:

    - saves ``status`` and ``status_changed_at`` with ``update_fields``;
    - writes a ``SubmissionEvent`` of the action's kind (who, when, from, to, ``comment``,
      ``data``);
    - leaving "exchange planned" cancels the exchange if it has not started
      (``cancel_dropped_exchange``): its cancellation .ics (METHOD:CANCEL) joins the
      action's email, or the « échange annulé » email when the action has none, and the
      event's ``data`` record it; ``keep_exchange=True`` keeps it instead (an orientation
      that keeps the meeting);
    - queues the action's email to the référents who gave an address (``ACTIONS``), with
      ``email_context`` added to the usual context and ``attachments`` attached; the
      outbox sends it once the transaction commits.

    ``comment`` is internal to staff. Raises ``TransitionNotAllowed`` (message in French,
    for the user) when the table has no such move, the user lacks the role, or another
    person changed the status meanwhile; nothing is written then.
    """
    rule = check_transition(submission, to, by)
    action = ACTIONS[rule.action]
    with transaction.atomic():
        # Lock the row so two agents acting at once cannot both apply a move from the same state.
        current = Submission.objects.select_for_update().only("status").get(pk=submission.pk)
        if current.status != submission.status:
            raise TransitionNotAllowed(
                _("Le statut de cette réponse vient d'être modifié par une autre personne.")
            )
        source = submission.status
        cancelled = None if keep_exchange else cancel_dropped_exchange(submission, rule.target)
        data, email_context = dict(data or {}), dict(email_context or {})
        if cancelled is not None:
            data["cancelled_exchange"] = {
                "exchange_id": cancelled.pk,
                "starts_at": cancelled.starts_at.isoformat(),
            }
            email_context["cancelled_exchange"] = cancelled
            attachments = [*attachments, exchange_attachment(cancelled, submission, Method.CANCEL)]
        submission.status = rule.target
        submission.status_changed_at = timezone.now()
        submission.save(update_fields=["status", "status_changed_at", "updated_at"])
        event = record_event(
            submission,
            action.event,
            by=by,
            comment=comment,
            data=data,
            from_state=source,
            to_state=rule.target,
        )
        template = action.referent_email or (EXCHANGE_CANCELLED_EMAIL if cancelled else "")
        if template:
            email_referents(submission, template, {"event": event, **email_context}, attachments)
        return event


def cancel_dropped_exchange(submission: Submission, target: Status) -> Exchange | None:
    """Cancel the exchange that moving ``submission`` to ``target`` drops, if it has not
    started; return it. Call before the status changes.

    Every move out of "exchange planned" drops it, whatever the target: the référents' page
    shows the exchange, and staff can move it, only in that status, so one kept afterwards
    would stay in the calendars with nobody able to move or cancel it. Orienting or closing
    before the date means the exchange is no longer needed; putting back into analysis is
    how staff cancel it without deciding anything yet (then plan a new one if needed).
    """
    exchange = submission.current_exchange
    if target == submission.status or exchange is None or not exchange.is_upcoming:
        return None
    exchange.cancel()
    return exchange


def referent_email_context(submission: Submission) -> dict:
    """What every email to the référents may show: the answer and the private links."""
    return {
        "submission": submission,
        "campaign": submission.campaign,
        "region_identity": region_identity(submission.campaign.region),
        "private_url": absolute_url(submission.get_private_url()),
        "pdf_url": absolute_url(reverse("ami:referent_pdf", args=[submission.access_token])),
        "decision_url": absolute_url(
            reverse("ami:decision_letter", args=[submission.access_token])
        ),
    }


def email_referents(
    submission: Submission,
    template: str,
    context: dict | None = None,
    attachments: Sequence[Attachment] = (),
) -> None:
    """Queue ``template`` to each référent who gave an address (call inside the transaction)."""
    recipients = list(
        submission.referents.exclude(email="").values_list("email", flat=True).order_by("pk")
    )
    queue_email(
        recipients,
        template,
        {**referent_email_context(submission), **(context or {})},
        related=submission,
        attachments=attachments,
    )
