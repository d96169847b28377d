"""The outcome blocks of the référents' follow-up page and of the staff answer page.

Each tag renders its block with a blank form unless the view put a bound one (sent back
with errors) in the context, so the pages' own views need not know these forms.
"""

from django import template

from territories.selectors import region_identity

from ..attachment_forms import (
    CorrectionForm,
    ReferentDocumentForm,
    ReferentMessageForm,
    ResubmitForm,
)
from ..attachments import submission_attachments
from ..models import Attachment, Submission
from ..outcome import orientation_title, referent_outcome

register = template.Library()


def base(context: template.Context, submission: Submission) -> dict:
    return {
        "submission": submission,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
        # The answer's ARS (its campaign's region), named in the messages' thread.
        "region_identity": context.get("region_identity")
        or region_identity(submission.campaign.region),
    }


@register.inclusion_tag("ami/_outcome.html", takes_context=True)
def referent_outcome_block(context: template.Context, submission: Submission) -> dict:
    """State in plain words, decision and message, exchange, next step; the correction
    round's actions while one is asked."""
    return {
        **base(context, submission),
        "outcome": referent_outcome(submission),
        "resubmit_form": context.get("resubmit_form") or ResubmitForm(prefix="renvoi"),
    }


@register.inclusion_tag("ami/_messages.html", takes_context=True)
def referent_messages_block(context: template.Context, submission: Submission) -> dict:
    return {
        **base(context, submission),
        "thread": submission.message_thread.prefetch_related("attachments"),
        "message_form": context.get("message_form") or ReferentMessageForm(prefix="reponse"),
    }


@register.inclusion_tag("ami/_documents.html", takes_context=True)
def referent_documents_block(context: template.Context, submission: Submission) -> dict:
    documents = submission_attachments(submission).filter(kind__in=Attachment.DOCUMENT_KINDS)
    return {
        **base(context, submission),
        "documents": list(documents),
        "document_form": context.get("document_form") or ReferentDocumentForm(prefix="document"),
    }


@register.inclusion_tag("ami/staff/_correction_panel.html", takes_context=True)
def staff_correction_panel(context: template.Context, submission: Submission) -> dict:
    can = context.get("can") or {}
    return {
        **base(context, submission),
        "can_request_correction": can.get("request_correction", False),
        "correction_form": context.get("correction_form") or CorrectionForm(prefix="correction"),
    }


@register.inclusion_tag("ami/staff/_attachments_panel.html", takes_context=True)
def staff_attachments_panel(context: template.Context, submission: Submission) -> dict:
    return {
        **base(context, submission),
        "attachments": list(submission_attachments(submission)),
        "has_decision_letter": submission.status
        in (Submission.Status.ORIENTED, Submission.Status.CLOSED),
    }


@register.filter
def orientation_sentence(orientation: str) -> str:
    """« Votre réponse est orientée vers un accompagnement de projet de CPTS. »"""
    return orientation_title(str(orientation or ""))
