"""The annual report of an ACI contract year in PDF (``cpts_portal.pdf.render_pdf``, like
the fiche projet): what the report's page shows to the same readers."""

from django.utils.text import slugify

from cpts_portal.pdf import render_pdf
from territories.selectors import region_identity

from .models import CptsProject


def report_pdf(context: dict) -> bytes:
    """``context``: ``projects.views.contract.report_context`` of the report."""
    identity = region_identity(context["project"].region)
    return render_pdf(
        "projects/pdf/report.html",
        "projects/pdf/report.css",
        {**context, "region_identity": identity},
    )


def report_filename(project: CptsProject, year: int) -> str:
    return f"rapport-annuel-{year}-{slugify(project.name) or project.pk}.pdf"
