"""Staff side of the outcome: « Demander une correction », the answer's files and the
« courrier de décision ».

Each action is a POST answered by a redirect, or the submission page with the form's errors
next to its fields (``ami.staff.views.render_detail``). Files and the letter are served only
to staff whose role reads answers.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territories.permissions import scope_by_region

from .. import attachments, corrections
from ..attachment_forms import CorrectionForm
from ..models import Attachment, Submission
from ..pdf import decision_letter_response
from ..selectors import readable_submissions
from ..workflow import Action, ActionNotAllowed, allowed_actions
from .access import staff_required
from .views import get_submission, render_detail

CORRECTION_PREFIX = "correction"


@require_POST
@staff_required(Action.REQUEST_CORRECTION)
def request_correction(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission(request, pk)
    if Action.REQUEST_CORRECTION not in allowed_actions(submission, request.user):
        # The answer moved on (another agent, another tab): say so, no form to correct.
        messages.error(request, _("Une correction ne peut pas être demandée à ce statut."))
        return redirect("staff:submission", pk=pk)
    form = CorrectionForm(request.POST, prefix=CORRECTION_PREFIX)
    if not form.is_valid():
        return render_detail(request, submission, correction_form=form)
    try:
        corrections.request_correction(submission, request.user, **form.cleaned_data)
    except ActionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("La demande de correction est envoyée ; la réponse est rouverte aux référents."),
        )
    return redirect("staff:submission", pk=pk)


@staff_required()
def download_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A file of this answer (another answer's number: 404), under the portal's name."""
    try:
        attachment = (
            scope_by_region(Attachment.objects.all(), request.user, "submission__campaign__region")
            .select_related("submission")
            .get(pk=attachment_pk, submission_id=pk)
        )
    except Attachment.DoesNotExist as missing:
        raise Http404 from missing
    return attachments.attachment_response(attachment)


@staff_required()
def decision_letter(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        submission = readable_submissions(request.user).select_related("campaign").get(pk=pk)
    except Submission.DoesNotExist as missing:
        raise Http404 from missing
    return decision_letter_response(submission)
