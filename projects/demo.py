"""Demo projects: the CPTS du pays de Vitré at « lettre d'intention déposée », and the
pays de Douarnenez project still at the avant-projet stage, with an overdue milestone.

Both come from the demo AMI answers (``ami.demo``) when they are loaded: the project is
linked to the answer and gets a copy of its territory. The people are fictitious; the
demo coordinator account is published, like the ARS one (``setup_demo``). Idempotent:
a project that exists by name is left as it is; the account's password is reset.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from weasyprint import HTML

from ami.models import Submission
from cpts_portal.pdf import LocalOnlyFetcher
from cpts_portal.roles import Role
from territories.models import Territory

from . import services, workflow
from .models import CptsProject, DocumentKind, Stage

DEMO_COORDINATOR_USERNAME = "coordinateur.demo"
# The password of setup_demo's other demo accounts, unless the caller gives another.
DEMO_COORDINATOR_PASSWORD = "demo-cpts-bretagne"  # noqa: S105 - published demo credentials

VITRE = "CPTS du pays de Vitré"
DOUARNENEZ = "CPTS du pays de Douarnenez"

VITRE_LETTER = {
    "action_territory": (
        "Les 46 communes de Vitré Communauté (Ille-et-Vilaine), autour des pôles de Vitré, "
        "Châteaubourg et La Guerche-de-Bretagne."
    ),
    "identified_needs": (
        "Premier diagnostic réalisé avec le centre hospitalier et l’EHPAD : 12 % des patients "
        "de plus de 70 ans sans médecin traitant, des passages aux urgences pour des soins "
        "non programmés, des sorties d’hospitalisation peu coordonnées."
    ),
    "mobilisation": (
        "Une association de préfiguration de 24 membres : 9 médecins généralistes, "
        "6 infirmiers, 3 pharmaciens, 2 masseurs-kinésithérapeutes, une sage-femme, une "
        "orthophoniste ; le centre hospitalier de Vitré est partenaire."
    ),
    "project_description": (
        "Une CPTS de plus de 80 000 habitants (taille 3), conforme aux missions de l’ACI et "
        "aux axes du Projet régional de santé : accès aux soins d’abord, puis parcours des "
        "personnes âgées."
    ),
    "objectives": (
        "Trouver un médecin traitant aux patients en ALD qui n’en ont plus ; organiser la "
        "réponse aux soins non programmés dans la journée."
    ),
    "planned_actions": (
        "Une cellule d’orientation des patients sans médecin traitant ; un agenda partagé de "
        "créneaux de soins non programmés ; un protocole de sortie d’hospitalisation."
    ),
    "means": (
        "Un coordinateur à mi-temps financé par le FIR, un outil de partage d’agenda, des "
        "réunions mensuelles de l’association."
    ),
}


@dataclass
class DemoProjects:
    coordinator: AbstractBaseUser
    created: list[CptsProject] = field(default_factory=list)


def demo_pdf(title: str, text: str) -> bytes:
    """A small real PDF for the demo uploads (no resource fetched)."""
    html = f"<h1>{title}</h1><p>{text}</p><p>Document de démonstration.</p>"
    return HTML(string=html, url_fetcher=LocalOnlyFetcher()).write_pdf()


def demo_coordinator(password: str = DEMO_COORDINATOR_PASSWORD) -> AbstractBaseUser:
    user, _created = get_user_model().objects.get_or_create(
        username=DEMO_COORDINATOR_USERNAME,
        defaults={
            "first_name": "Hélène",
            "last_name": "Gauthier",
            "email": "coordinateur.demo@example.org",
        },
    )
    user.is_staff = False
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=Role.COORDINATOR))
    return user


def demo_author() -> AbstractBaseUser | None:
    """The first ARS account (the demo one when it exists); None is « Système »."""
    return (
        get_user_model()
        .objects.filter(groups__name=Role.ARS, is_active=True)
        .order_by("pk")
        .first()
    )


def answer_about(text: str) -> Submission | None:
    return Submission.objects.filter(territory_text__icontains=text).order_by("pk").first()


def territory_copy(name: str, submission: Submission | None) -> Territory | None:
    """A copy of the answer's territory, as ``create_project_from_submission`` makes."""
    if submission is None or not submission.territory_id:
        return None
    territory = Territory.objects.create(name=name)
    territory.communes.set(submission.territory.communes.all())
    return territory


def create_vitre(coordinator: AbstractBaseUser, by: AbstractBaseUser | None) -> CptsProject:
    submission = answer_about("Vitré")
    project = services.create_project(
        VITRE,
        by,
        territory=territory_copy(VITRE, submission),
        coordinators=[coordinator],
        submissions=[submission] if submission else [],
        comment="Projet de démonstration.",
    )
    letter = project.letter
    for name, value in VITRE_LETTER.items():
        setattr(letter, name, value)
    letter.commits_to_core_missions = True
    letter.save()
    for kind, filename, title in (
        (DocumentKind.LETTER, "lettre-intention-cpts-vitre.pdf", "Lettre d’intention"),
        (DocumentKind.CERFA, "cerfa-12156-cpts-vitre.pdf", "Demande de subvention"),
    ):
        upload = SimpleUploadedFile(
            filename, demo_pdf(title, VITRE), content_type="application/pdf"
        )
        services.add_document(project, kind, upload, coordinator)
    today = timezone.localdate()
    project.milestones.filter(
        code__in=["s_informer", "identifier_territoire", "mobiliser", "pilote", "diagnostic"]
    ).update(done_on=today - timedelta(days=60))
    project.milestones.filter(code="association").update(done_on=today - timedelta(days=30))
    project.milestones.filter(code="avis_urps").update(due_on=today + timedelta(days=30))
    workflow.transition(project, Stage.LETTER_DEPOSITED, by=coordinator)
    return project


def create_douarnenez(by: AbstractBaseUser | None) -> CptsProject:
    submission = answer_about("Douarnenez")
    project = services.create_project(
        DOUARNENEZ,
        by,
        territory=territory_copy(DOUARNENEZ, submission),
        submissions=[submission] if submission else [],
        comment="Projet de démonstration : coordinateur à désigner.",
    )
    today = timezone.localdate()
    project.milestones.filter(code__in=["s_informer", "identifier_territoire"]).update(
        done_on=today - timedelta(days=45)
    )
    # Late: shows in the « jalons en retard » filter and gets the daily reminder.
    project.milestones.filter(code="diagnostic").update(due_on=today - timedelta(days=15))
    return project


def load_demo_projects(coordinator_password: str = DEMO_COORDINATOR_PASSWORD) -> DemoProjects:
    """Create the demo projects that do not exist yet, and the demo coordinator account
    « coordinateur.demo » (Coordinateur group, ``coordinator_password``).

    Call it after the demo ARS account exists: it is recorded as the projects' author.
    """
    with transaction.atomic():
        result = DemoProjects(coordinator=demo_coordinator(coordinator_password))
        by = demo_author()
        existing = set(
            CptsProject.objects.filter(name__in=[VITRE, DOUARNENEZ]).values_list("name", flat=True)
        )
        if VITRE not in existing:
            result.created.append(create_vitre(result.coordinator, by))
        if DOUARNENEZ not in existing:
            result.created.append(create_douarnenez(by))
    return result
