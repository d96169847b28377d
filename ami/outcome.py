"""What the référents are told about their answer: its state in plain words, the decision
and its message, the planned (or cancelled) exchange, and what happens next.

One read shaped for the follow-up page, the « courrier de décision » PDF and the emails
alike (``referent_outcome``). The decision's message is the one staff wrote for the
référents (``data["message"]`` of the event); the internal comment never appears.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ClosureReason, Exchange, Orientation, Submission, SubmissionEvent

Status = Submission.Status
Kind = SubmissionEvent.Kind

# « Votre réponse est orientée vers … »
ORIENTED_TOWARDS = {
    Orientation.SUPPORT: gettext_lazy("un accompagnement de projet de CPTS"),
    Orientation.CONNECTION: gettext_lazy(
        "une mise en relation avec d’autres acteurs de votre territoire"
    ),
    Orientation.INFORMATION: gettext_lazy("une information sur les CPTS"),
}

DECISION_KINDS = {
    Status.ORIENTED: Kind.ORIENTED,
    Status.CLOSED: Kind.CLOSED,
    Status.CORRECTION_REQUESTED: Kind.CORRECTION_REQUESTED,
}


@dataclass
class Outcome:
    status: str
    title: str  # the state in plain words, one sentence
    message: str = ""  # the decision's message from the ARS, as written
    decided_at: datetime | None = None
    orientation: str = ""  # Orientation value, when oriented
    linked_count: int = 0
    closure_reason: str = ""  # its label, when closed
    next_step: str = ""
    exchange: Exchange | None = None  # planned and to come
    cancelled_exchange: Exchange | None = None  # the last one, cancelled and not replaced
    correction_round: int = 0
    has_decision_letter: bool = False  # oriented or closed: « courrier de décision »

    @property
    def heading(self) -> str:
        """The title, introducing the ARS's message when it follows (« … de CPTS : »)."""
        if self.status == Status.ORIENTED and self.message and self.title.endswith("."):
            return self.title[:-1] + " :"
        return self.title


def latest_event(submission: Submission, kind: str) -> SubmissionEvent | None:
    return submission.events.filter(kind=kind).order_by("-created_at", "-pk").first()


def cancelled_exchange(submission: Submission) -> Exchange | None:
    """The exchange planned last, when it was cancelled (none planned since)."""
    last = submission.exchanges.order_by("-created_at", "-pk").first()
    return last if last is not None and last.cancelled_at is not None else None


def orientation_title(orientation: str) -> str:
    towards = ORIENTED_TOWARDS.get(orientation)
    if towards is None:
        return _("L’ARS a donné suite à votre réponse.")
    return _("Votre réponse est orientée vers %(towards)s.") % {"towards": towards}


def referent_outcome(submission: Submission) -> Outcome:
    """The state of the answer as its référents read it (a few small queries)."""
    status = submission.status
    outcome = Outcome(status=status, title="")
    decision = (
        latest_event(submission, DECISION_KINDS[status]) if status in DECISION_KINDS else None
    )
    if decision is not None:
        outcome.message = decision.data.get("message", "")
        outcome.decided_at = decision.created_at
    outcome.exchange = submission.current_exchange
    if outcome.exchange is None:
        outcome.cancelled_exchange = cancelled_exchange(submission)
    if status == Status.RECEIVED:
        outcome.title = _("Votre réponse est bien reçue ; l’ARS va la prendre en charge.")
        outcome.next_step = _(
            "Vous pouvez encore la modifier. L’ARS l’analysera avec l’Assurance Maladie et "
            "les URPS ; vous serez prévenus par email à chaque étape."
        )
    elif status == Status.IN_REVIEW:
        outcome.title = _(
            "Votre réponse est en cours d’analyse par l’ARS, avec l’Assurance Maladie et les URPS."
        )
        outcome.next_step = _(
            "L’ARS vous proposera un temps d’échange ou vous fera part de la suite donnée à "
            "votre réponse ; vous serez prévenus par email."
        )
    elif status == Status.EXCHANGE_PLANNED:
        outcome.title = _("Un temps d’échange avec l’ARS est prévu.")
        outcome.next_step = _(
            "Après cet échange, l’ARS vous fera part de la suite donnée à votre réponse."
        )
    elif status == Status.CORRECTION_REQUESTED:
        outcome.correction_round = submission.events.filter(kind=Kind.CORRECTION_REQUESTED).count()
        outcome.title = _("L’ARS vous demande de corriger ou de compléter votre réponse.")
        outcome.next_step = _(
            "Modifiez votre réponse, puis renvoyez-la à l’ARS avec le bouton « Renvoyer ma "
            "réponse corrigée » : elle reprendra alors son analyse."
        )
    elif status == Status.ORIENTED:
        outcome.orientation = submission.orientation
        outcome.title = orientation_title(submission.orientation)
        if decision is not None:
            outcome.linked_count = len(decision.data.get("linked_ids") or [])
        outcome.has_decision_letter = True
    elif status == Status.CLOSED:
        reason = submission.closure_reason
        outcome.closure_reason = ClosureReason(reason).label if reason else ""
        outcome.title = _("Le traitement de votre réponse est clos.")
        outcome.next_step = _(
            "Votre réponse reste consultable ici. Pour tout nouveau projet, vous pouvez "
            "écrire à l’ARS."
        )
        outcome.has_decision_letter = True
    return outcome
