"""The demo's public output: its CPTS under contract published, as a coordinator and the
ARS would do it, so that « ma commune », the map and the open data show real rows."""

from django.db import transaction

from notifications.models import OutgoingEmail
from projects.models import CptsProject, Stage
from territories.models import InstitutionKind, StaffMembership

from . import services
from .models import Publication

PUBLISHED_STAGES = (Stage.CONTRACT_SIGNED, Stage.RUNNING)


def publish_demo_projects() -> list[CptsProject]:
    """Once: each demo project under contract (signed or running) is published — consent of
    its coordinator with the coordination's contact, validation by an ARS agent of its
    region. Projects without a coordinator or an ARS agent stay unpublished; a project
    already consented (or refused) is left as it is."""
    published = []
    with transaction.atomic():
        last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first()
        projects = CptsProject.objects.filter(stage__in=PUBLISHED_STAGES).exclude(
            pk__in=Publication.objects.values("project")
        )
        for project in projects.order_by("name", "pk"):
            coordinator = project.coordinators.order_by("pk").first()
            agent = (
                StaffMembership.objects.filter(
                    institution__region=project.region_id, institution__kind=InstitutionKind.ARS
                )
                .select_related("user")
                .order_by("pk")
                .first()
            )
            if coordinator is None or agent is None:
                continue
            contact = services.PublicContact(
                name=str(project.name), email=coordinator.email, website=""
            )
            services.give_consent(project, coordinator, contact)
            services.validate(project, agent.user)
            published.append(project)
        # Fictitious people: no email of the demo leaves.
        OutgoingEmail.objects.filter(pk__gt=last_email or 0).delete()
    return published
