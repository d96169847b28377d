"""The référent's side of the triage, through the private link: messages and the PDF."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import ReferentMessageForm
from .models import Submission
from .pdf import pdf_response, pdf_submissions
from .private_links import private_link_view
from .services import post_referent_message


@require_POST
@private_link_view(Submission.objects.select_related("campaign").all)
def post_message(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The référent writes to the ARS; the agent in charge is told by email."""
    form = ReferentMessageForm(request.POST, prefix="reponse")
    if form.is_valid():
        post_referent_message(submission, form.cleaned_data["text"])
        messages.success(request, _("Votre message a été transmis à l’ARS."))
    else:
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        messages.error(
            request,
            _("Votre message n’a pas été envoyé : %(errors)s") % {"errors": " ".join(errors)},
        )
    return redirect(submission.get_private_url() + "#messages")


@private_link_view(pdf_submissions)
def summary_pdf(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The PDF summary of the answer, without the staff's private notes."""
    return pdf_response(submission)
