"""PDF summary of a submission (WeasyPrint, through ``cpts_portal.pdf``).

The print stylesheet is the PDF's own (``ami/pdf/summary.css``, on top of the shared
``pdf/base.css``): the DSFR CSS is large and slows rendering.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse

from cpts_portal.pdf import render_pdf
from territories.models import Commune
from territories.selectors import region_identity, territory_overview

from .models import Actor, Submission, SubmissionEvent
from .outcome import referent_outcome


def pdf_submissions() -> QuerySet[Submission]:
    """Submissions with everything their summary shows, in a fixed number of queries."""
    return Submission.objects.select_related(
        "campaign__region__identity", "territory"
    ).prefetch_related(
        Prefetch("actors", queryset=Actor.objects.select_related("practice_commune")),
        "referents",
        Prefetch("territory__communes", queryset=Commune.objects.order_by("name")),
        Prefetch(
            "events",
            queryset=SubmissionEvent.objects.visible_to_referent().exclude(
                kind=SubmissionEvent.Kind.MESSAGE
            ),
            to_attr="public_events",
        ),
        "exchanges",
    )


def submission_pdf(submission: Submission) -> bytes:
    """The answer as the référent gave it, its status and its public history.

    The same document for staff and référents: private notes and opinions never appear.
    """
    if not hasattr(submission, "public_events"):
        submission = pdf_submissions().get(pk=submission.pk)
    return render_pdf(
        "ami/pdf/summary.html",
        "ami/pdf/summary.css",
        {
            "submission": submission,
            "campaign": submission.campaign,
            "region_identity": region_identity(submission.campaign.region),
            "territory_summary": territory_overview(
                submission.territory, region=submission.campaign.region.name, with_overlaps=False
            ),
            "events": submission.public_events,
            "exchanges": sorted(submission.exchanges.all(), key=lambda e: e.starts_at),
        },
    )


def pdf_filename(submission: Submission) -> str:
    return f"{submission.reference}.pdf"


def pdf_response(submission: Submission) -> HttpResponse:
    """The summary as a download, for the staff page and the référents' private page alike."""
    response = HttpResponse(submission_pdf(submission), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(submission)}"'
    return response


# --- « Courrier de décision » ---------------------------------------------------------------


def decision_letter_pdf(submission: Submission) -> bytes:
    """The letter telling the référents the decision on their answer (oriented or closed):
    the decision in plain words, the ARS's message, what happens next.

    Raises ``Http404`` when no decision was taken (any other status).
    """
    outcome = referent_outcome(submission)
    if not outcome.has_decision_letter:
        raise Http404
    return render_pdf(
        "ami/pdf/decision.html",
        "ami/pdf/decision.css",
        {
            "submission": submission,
            "campaign": submission.campaign,
            "region_identity": region_identity(submission.campaign.region),
            "outcome": outcome,
            "referents": list(submission.referents.all()),
            "orientation": outcome.orientation,
            "linked_count": outcome.linked_count,
        },
    )


def decision_letter_filename(submission: Submission) -> str:
    return f"{submission.reference}-courrier-de-decision.pdf"


def decision_letter_response(submission: Submission) -> HttpResponse:
    """The letter as a download, for the référents' private page and the staff page."""
    response = HttpResponse(decision_letter_pdf(submission), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{decision_letter_filename(submission)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
