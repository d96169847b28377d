"""The « fiche projet » PDF of a CPTS project, for its coordinators and the partner staff.

Rendered with ``cpts_portal.pdf.render_pdf`` like the AMI summary: WeasyPrint, a print
stylesheet of its own (``projects/pdf/fiche.css`` on ``pdf/base.css``), Marianne
fonts from the static folders through a URL fetcher that refuses the network, French
dates and « Page n sur N » numbers. Only what the project page already shows to the same
readers is printed.
"""

from django.db.models import Prefetch
from django.utils.text import slugify

from cpts_portal.pdf import render_pdf
from territories.selectors import region_identity

from . import selectors
from .models import CptsProject, Document, Milestone, ProjectEvent, Stage, UrpsOpinion
from .selectors import coordinator_queryset


def fiche_project(pk: int) -> CptsProject:
    """The project with what the fiche prints, in a fixed number of queries."""
    return (
        CptsProject.objects.select_related(
            "region__identity", "territory", "legal_holder", "letter", "health_project"
        )
        .prefetch_related(
            "contracts",
            Prefetch("coordinators", queryset=coordinator_queryset()),
            Prefetch("milestones", queryset=Milestone.objects.order_by("position", "pk")),
            Prefetch("documents", queryset=Document.objects.order_by("uploaded_at", "pk")),
            "submissions",
            # With the Guichet CPTS, each avis names its URPS.
            Prefetch("urps_opinions", queryset=UrpsOpinion.objects.select_related("institution")),
            "am_opinions",
        )
        .get(pk=pk)
    )


def project_pdf(project: CptsProject) -> bytes:
    """The fiche projet: identity, stage, territory, people, milestones, avis, contract."""
    contract = getattr(project, "contract", None)
    schedule = selectors.mission_schedule(contract) if contract else []
    return render_pdf(
        "projects/pdf/fiche.html",
        "projects/pdf/fiche.css",
        {
            "project": project,
            "region_identity": region_identity(project.region),
            "stage": Stage(project.stage),
            "summary": project.territory.summary() if project.territory_id else None,
            "communes": (
                list(project.territory.communes.order_by("search_name"))
                if project.territory_id
                else []
            ),
            "holder": getattr(project, "legal_holder", None),
            "coordinators": list(project.coordinators.all()),
            "milestones": list(project.milestones.all()),
            "documents": list(project.documents.all()),
            "urps_opinions": list(project.urps_opinions.all()),
            "am_opinions": list(project.am_opinions.all()),
            "contract": contract,
            "schedule": schedule,
            "dialogues": list(contract.dialogues.all()) if contract else [],
            "amendments": list(contract.amendments.all()) if contract else [],
            "stage_events": list(
                project.events.filter(kind=ProjectEvent.Kind.STAGE_CHANGED)
                .select_related("author")
                .order_by("created_at", "pk")
            ),
        },
    )


def pdf_filename(project: CptsProject) -> str:
    return f"fiche-projet-{slugify(project.name) or project.pk}.pdf"
