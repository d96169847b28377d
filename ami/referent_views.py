"""The référent's side of the triage, through the private link: messages with their files,
documents joined to the answer, the correction sent back, the PDFs and the files.

Every view goes through ``private_link_view`` (unknown token: 404; expired: 410). A form
sent with errors shows the follow-up page again with the errors next to the fields and
what was typed kept.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpts_portal.error_summary import error_summary

from . import attachments, corrections
from .attachment_forms import ReferentDocumentForm, ReferentMessageForm, ResubmitForm
from .models import Attachment, Submission
from .pdf import decision_letter_response, pdf_response, pdf_submissions
from .private_links import link_submissions, private_link_view
from .selectors import referent_page_context
from .workflow import TransitionNotAllowed

MESSAGE_PREFIX = "reponse"
DOCUMENT_PREFIX = "document"
RESUBMIT_PREFIX = "renvoi"


def follow_again(request: HttpRequest, submission: Submission, **bound: Form) -> HttpResponse:
    """The follow-up page with a form sent back with its errors (``message_form``...)."""
    context = {
        **referent_page_context(submission),
        "has_errors": True,
        "error_summary": error_summary(*bound.values()),
        **bound,
    }
    return render(request, "ami/follow.html", context)


def form_error(form: Form, field: str, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(field, message)


@require_POST
@private_link_view(link_submissions)
def post_message(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The référents write to the ARS, with a file if they wish; the agent in charge is told
    by email."""
    form = ReferentMessageForm(request.POST, request.FILES, prefix=MESSAGE_PREFIX)
    if form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            attachments.post_referent_message(
                submission, form.cleaned_data["text"], [upload] if upload else []
            )
        except ValidationError as refused:
            form_error(form, "file", refused)
        else:
            messages.success(request, _("Votre message a été transmis à l’ARS."))
            return redirect(submission.get_private_url() + "#messages")
    return follow_again(request, submission, message_form=form)


@require_POST
@private_link_view(link_submissions)
def add_document(request: HttpRequest, submission: Submission) -> HttpResponse:
    """A document joined to the answer (a letter, a list of professionals)."""
    form = ReferentDocumentForm(request.POST, request.FILES, prefix=DOCUMENT_PREFIX)
    if form.is_valid():
        try:
            attachments.add_referent_document(
                submission, form.cleaned_data["file"], form.cleaned_data["kind"]
            )
        except ValidationError as refused:
            form_error(form, "file", refused)
        else:
            messages.success(
                request, _("Le document est joint à votre réponse ; l’ARS en est informée.")
            )
            return redirect(submission.get_private_url() + "#documents")
    return follow_again(request, submission, document_form=form)


@require_POST
@private_link_view(link_submissions)
def resubmit(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The corrected answer goes back to the ARS (only while a correction is asked)."""
    form = ResubmitForm(request.POST, prefix=RESUBMIT_PREFIX)
    if not form.is_valid():
        return follow_again(request, submission, resubmit_form=form)
    try:
        corrections.resubmit_answer(submission, form.cleaned_data["message"])
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, _("Votre réponse corrigée est transmise à l’ARS, qui reprend son analyse.")
        )
    return redirect(submission.get_private_url())


@private_link_view(lambda: Submission.objects.select_related("campaign"))
def download_attachment(request: HttpRequest, submission: Submission, pk: int) -> HttpResponse:
    """A file of this answer only (another answer's file: 404), under the portal's name."""
    try:
        attachment = Attachment.objects.get(pk=pk, submission=submission)
    except Attachment.DoesNotExist as missing:
        raise Http404 from missing
    attachment.submission = submission
    return attachments.attachment_response(attachment)


@private_link_view(pdf_submissions)
def summary_pdf(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The PDF summary of the answer, without the staff's private notes."""
    return pdf_response(submission)


@private_link_view(lambda: Submission.objects.select_related("campaign"))
def decision_letter(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The « courrier de décision », once the answer is oriented or closed (else 404)."""
    return decision_letter_response(submission)
