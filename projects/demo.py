"""The demo's story: the AMI answers (``ami.demo``) at every status, and a CPTS project at
every stage, each coming from an answer the ARS oriented towards « accompagnement ».

Everything goes through the real services (triage, orientation, project creation,
invitations, letter, avis, projet de santé, contract), each step on its own day in the past
(``cpts_portal.demo_clock``), so the dates are in order: an answer is received, taken
into analysis, oriented; its project is created that day, its coordinator invited, its
milestones done, its association recorded before its letter is deposited, and so on up to
its stage. The emails these steps queue are removed before the transaction commits: the
fictitious référents and coordinators receive nothing.

The people are fictitious; the demo accounts (ARS, URPS, Assurance Maladie agents and the
coordinator « coordinateur.demo », who follows the Vitré and Fougères projects) are
published with their password (``setup_demo``). Idempotent: the story is told once; the
accounts' password is reset each time.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from weasyprint import HTML

from ami import corrections
from ami.demo import demo_answers
from ami.models import ClosureReason, Orientation, Submission
from ami.staff import services as staff
from cpts_portal.demo_clock import demo_clock
from cpts_portal.pdf import LocalOnlyFetcher
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from territories.demo import BRETAGNE, OCCITANIE, demo_institution, load_demo_regions
from territories.models import (
    Commune,
    Region,
    RegionIdentity,
    StaffMembership,
    Territory,
)
from territories.services import save_territory

from . import selectors, services, workflow
from .models import CptsProject, DocumentKind, Mission, Stage
from .models.choices import CORE_MISSIONS

DEMO_PASSWORD = "demo-cpts-bretagne"  # noqa: S105 - published demo credentials
DEMO_COORDINATOR_USERNAME = "coordinateur.demo"
DEMO_COORDINATOR_PASSWORD = DEMO_PASSWORD
# (username, first name, last name, role, admin access)
DEMO_ACCOUNTS = [
    ("agent.ars", "Agent", "ARS Bretagne", Role.ARS, True),
    ("agent.urps", "Agent", "URPS Bretagne", Role.URPS, False),
    ("agent.cpam", "Agent", "Assurance Maladie", Role.ASSURANCE_MALADIE, False),
    (DEMO_COORDINATOR_USERNAME, "Hélène", "Gauthier", Role.COORDINATOR, False),
    ("agent.ars.occitanie", "Agent", "ARS Occitanie", Role.ARS, True),
    ("agent.urps-medecins.occitanie", "Agent", "URPS Médecins Occitanie", Role.URPS, False),
    ("agent.urps-infirmiers.occitanie", "Agent", "URPS Infirmiers Occitanie", Role.URPS, False),
    ("agent.urps-pharmaciens.occitanie", "Agent", "URPS Pharmaciens Occitanie", Role.URPS, False),
    ("agent.urps-kines.occitanie", "Agent", "URPS Kinés Occitanie", Role.URPS, False),
    ("agent.cpam.occitanie", "Agent", "DCGDR Occitanie", Role.ASSURANCE_MALADIE, False),
    ("agent.national", "Agent", "Niveau national", Role.NATIONAL, False),
]
# The institution (region code, name in ``territories.demo``) each staff account works for;
# the national agent has none (every region, read-only).
DEMO_INSTITUTIONS = {
    "agent.ars": (BRETAGNE.code, "ARS Bretagne"),
    "agent.urps": (BRETAGNE.code, "URPS Médecins libéraux de Bretagne"),
    "agent.cpam": (BRETAGNE.code, "DCGDR Bretagne"),
    "agent.ars.occitanie": (OCCITANIE.code, "ARS Occitanie"),
    "agent.urps-medecins.occitanie": (OCCITANIE.code, "URPS Médecins libéraux d’Occitanie"),
    "agent.urps-infirmiers.occitanie": (OCCITANIE.code, "URPS Infirmiers d’Occitanie"),
    "agent.urps-pharmaciens.occitanie": (OCCITANIE.code, "URPS Pharmaciens d’Occitanie"),
    "agent.urps-kines.occitanie": (
        OCCITANIE.code,
        "URPS Masseurs-kinésithérapeutes d’Occitanie",
    ),
    "agent.cpam.occitanie": (OCCITANIE.code, "DCGDR Occitanie"),
}
# Who acts in each region's story (``DemoPeople``): ARS, URPS and Assurance Maladie agents.
REGION_PEOPLE = {
    BRETAGNE.code: ("agent.ars", "agent.urps", "agent.cpam"),
    OCCITANIE.code: (
        "agent.ars.occitanie",
        "agent.urps-medecins.occitanie",
        "agent.cpam.occitanie",
    ),
}

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

PRE_PROJECT_MILESTONES = (
    "s_informer",
    "identifier_territoire",
    "mobiliser",
    "pilote",
    "diagnostic",
    "engager_acteurs",
)


@dataclass(frozen=True)
class ProjectChapter:
    """An answer oriented towards « accompagnement » and how far its project went."""

    answer: str  # key of ``ami.demo.SUBMISSIONS``
    stage: Stage
    coordinator_email: str = ""  # invited by the ARS; the demo coordinator's: attached
    rna_number: str = ""
    name_confirmed: bool = True  # False: the ARS still has to confirm the proposed name
    close_answer: bool = False  # the answer closed afterwards: « projet de CPTS engagé »


STORY: tuple[ProjectChapter, ...] = (
    ProjectChapter("douarnenez", Stage.DRAFT, name_confirmed=False),
    ProjectChapter("vitre", Stage.LETTER_DEPOSITED, "coordinateur.demo@example.org", "W353001234"),
    ProjectChapter(
        "fougeres", Stage.LETTER_TO_COMPLETE, "coordinateur.demo@example.org", "W352004567"
    ),
    ProjectChapter(
        "morlaix", Stage.URPS_OPINION, "coordination@cpts-morlaix.example.org", "W292001111"
    ),
    ProjectChapter(
        "lamballe", Stage.LETTER_VALIDATED, "coordination@cpts-lamballe.example.org", "W224002222"
    ),
    ProjectChapter(
        "quimperle",
        Stage.HEALTH_PROJECT_DRAFTING,
        "coordination@cpts-quimperle.example.org",
        "W293003333",
    ),
    ProjectChapter(
        "concarneau",
        Stage.HEALTH_PROJECT_DEPOSITED,
        "coordination@cpts-concarneau.example.org",
        "W293004444",
    ),
    ProjectChapter(
        "landerneau",
        Stage.HEALTH_PROJECT_TO_COMPLETE,
        "coordination@cpts-landerneau.example.org",
        "W292005555",
    ),
    ProjectChapter(
        "iroise",
        Stage.HEALTH_PROJECT_VALIDATED,
        "coordination@cpts-iroise.example.org",
        "W292006666",
    ),
    ProjectChapter(
        "redon",
        Stage.CONTRACT_SIGNED,
        "coordination@cpts-redon.example.org",
        "W353007777",
        close_answer=True,
    ),
    ProjectChapter(
        "dinan",
        Stage.RUNNING,
        "coordination@cpts-dinan.example.org",
        "W223008888",
        close_answer=True,
    ),
    ProjectChapter("haute-cornouaille", Stage.ABANDONED),
)
# ARS Occitanie: the Grand-Figeac letter deposited (for the Guichet CPTS to examine), the
# Saint-Céré project just started. Its Gourdon answer stays « reçue ».
OCCITANIE_STORY: tuple[ProjectChapter, ...] = (
    ProjectChapter(
        "figeac",
        Stage.LETTER_DEPOSITED,
        "coordination@cpts-grand-figeac.example.org",
        "W461001234",
    ),
    ProjectChapter("saint-cere", Stage.DRAFT, name_confirmed=False),
)

# The stages each project walks through, in order, to reach its own.
PATHS: dict[Stage, tuple[Stage, ...]] = {
    Stage.DRAFT: (),
    Stage.LETTER_DEPOSITED: (Stage.LETTER_DEPOSITED,),
    Stage.LETTER_TO_COMPLETE: (Stage.LETTER_DEPOSITED, Stage.LETTER_TO_COMPLETE),
    Stage.URPS_OPINION: (Stage.LETTER_DEPOSITED, Stage.URPS_OPINION),
    Stage.LETTER_VALIDATED: (Stage.LETTER_DEPOSITED, Stage.URPS_OPINION, Stage.LETTER_VALIDATED),
}
PATHS[Stage.HEALTH_PROJECT_DRAFTING] = (
    *PATHS[Stage.LETTER_VALIDATED],
    Stage.HEALTH_PROJECT_DRAFTING,
)
PATHS[Stage.HEALTH_PROJECT_DEPOSITED] = (
    *PATHS[Stage.HEALTH_PROJECT_DRAFTING],
    Stage.HEALTH_PROJECT_DEPOSITED,
)
PATHS[Stage.HEALTH_PROJECT_TO_COMPLETE] = (
    *PATHS[Stage.HEALTH_PROJECT_DEPOSITED],
    Stage.HEALTH_PROJECT_TO_COMPLETE,
)
PATHS[Stage.HEALTH_PROJECT_VALIDATED] = (
    *PATHS[Stage.HEALTH_PROJECT_DEPOSITED],
    Stage.HEALTH_PROJECT_VALIDATED,
)
PATHS[Stage.CONTRACT_SIGNED] = (*PATHS[Stage.HEALTH_PROJECT_VALIDATED], Stage.CONTRACT_SIGNED)
PATHS[Stage.RUNNING] = (*PATHS[Stage.CONTRACT_SIGNED], Stage.RUNNING)
PATHS[Stage.ABANDONED] = (Stage.ABANDONED,)


@dataclass
class DemoPeople:
    ars: AbstractBaseUser
    urps: AbstractBaseUser
    am: AbstractBaseUser
    coordinator: AbstractBaseUser


@dataclass
class DemoProjects:
    coordinator: AbstractBaseUser
    created: list[CptsProject] = field(default_factory=list)


def demo_pdf(title: str, text: str) -> bytes:
    """A small real PDF for the demo uploads (no resource fetched)."""
    html = f"<h1>{title}</h1><p>{text}</p><p>Document de démonstration.</p>"
    return HTML(string=html, url_fetcher=LocalOnlyFetcher()).write_pdf()


def demo_upload(filename: str, title: str, project: CptsProject) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        filename, demo_pdf(title, project.name), content_type="application/pdf"
    )


def demo_accounts(password: str = DEMO_PASSWORD, region_code: str = BRETAGNE.code) -> DemoPeople:
    """The published demo accounts, created once, each staff account attached to its
    region's institution; their password is reset each time. Returns the people of
    ``region_code``'s story."""
    load_demo_regions()
    users = {}
    for username, first_name, last_name, role, is_staff in DEMO_ACCOUNTS:
        user, _created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.org",
            },
        )
        user.is_staff = is_staff
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        if username in DEMO_INSTITUTIONS:
            StaffMembership.objects.update_or_create(
                user=user, defaults={"institution": demo_institution(*DEMO_INSTITUTIONS[username])}
            )
        users[username] = user
    ars, urps, am = (users[username] for username in REGION_PEOPLE[region_code])
    return DemoPeople(ars=ars, urps=urps, am=am, coordinator=users[DEMO_COORDINATOR_USERNAME])


def demo_coordinator(password: str = DEMO_PASSWORD) -> AbstractBaseUser:
    return demo_accounts(password).coordinator


class Timeline:
    """The days of one story, in order: ``at(day)`` is a moment ``day`` days before the
    demo is loaded; each call moves one minute on, so steps of one day stay in order."""

    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.minutes = 0

    def at(self, days_ago: float) -> datetime:
        self.minutes += 1
        day = self.today - timedelta(days=int(days_ago))
        moment = datetime.combine(day, time(9)) + timedelta(minutes=self.minutes)
        return timezone.make_aware(moment)

    def days_ago(self, moment: datetime) -> int:
        return (self.today - timezone.localtime(moment).date()).days


def on(timeline: Timeline, days_ago: float, step: Callable[[], object]) -> object:
    with demo_clock(timeline.at(days_ago)):
        return step()


# --- Answers without a project -------------------------------------------------------------


def tell_answers(answers: dict[str, Submission], people: DemoPeople, timeline: Timeline) -> None:
    """Lannion « reçue »; Questembert in analysis; Carhaix asked for a correction; Pontivy
    with an exchange planned; the Douarnenez pharmacist put in touch with the Douarnenez
    answer; Belle-Île informed; Saint-Malo closed as a duplicate."""
    ars = people.ars
    review(answers["questembert"], people, timeline, 3)
    review(answers["pontivy"], people, timeline, 6)
    carhaix = answers["carhaix"]
    review(carhaix, people, timeline, 4)
    on(
        timeline,
        2,
        lambda: corrections.request_correction(
            carhaix,
            ars,
            message="Pouvez-vous préciser les communes du territoire envisagé ?",
        ),
    )
    pontivy = answers["pontivy"]
    starts = timezone.make_aware(datetime.combine(timeline.today + timedelta(days=10), time(18)))
    on(
        timeline,
        5,
        lambda: staff.plan_exchange(
            pontivy,
            ars,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            place="Maison de santé de Pontivy, salle de réunion",
            participants="ARS, URPS Médecins, CPAM du Morbihan",
            message="Nous vous proposons une première rencontre avec les partenaires.",
        ),
    )
    belle_ile = answers["belle-ile"]
    review(belle_ile, people, timeline, 58)
    on(
        timeline,
        55,
        lambda: staff.orient(
            belle_ile,
            ars,
            orientation=Orientation.INFORMATION,
            message="Vous trouverez en pièce jointe la présentation des CPTS.",
        ),
    )
    pharmacy = answers["douarnenez-pharmacie"]
    review(pharmacy, people, timeline, 18)
    on(
        timeline,
        12,
        lambda: staff.orient(
            pharmacy,
            ars,
            orientation=Orientation.CONNECTION,
            linked=[answers["douarnenez"]],
            message="Un projet de CPTS se prépare sur votre territoire.",
        ),
    )
    duplicate = answers["saint-malo"]
    on(
        timeline,
        88,
        lambda: staff.close(
            duplicate,
            ars,
            reason=ClosureReason.DUPLICATE,
            comment="Doublon de la réponse envoyée la veille.",
        ),
    )


def review(submission: Submission, people: DemoPeople, timeline: Timeline, days_ago: int) -> None:
    """The ARS agent takes the answer and puts it into analysis."""
    on(timeline, days_ago, lambda: staff.assign(submission, people.ars, people.ars))
    on(
        timeline,
        days_ago,
        lambda: staff.change_status(submission, Submission.Status.IN_REVIEW, people.ars),
    )


# --- Projects -------------------------------------------------------------------------------


def tell_project(
    chapter: ProjectChapter, submission: Submission, people: DemoPeople, timeline: Timeline
) -> CptsProject:
    """Orient the answer (the project is created that day), then walk the project to its
    stage, each step on its own day between the orientation and yesterday."""
    received = timeline.days_ago(submission.submitted_at)
    review(submission, people, timeline, received - 2)
    oriented = received - 7
    on(
        timeline,
        oriented,
        lambda: staff.orient(
            submission,
            people.ars,
            orientation=Orientation.SUPPORT,
            message="L’ARS et ses partenaires vous accompagnent dans votre projet de CPTS.",
        ),
    )
    project = CptsProject.objects.get(submissions=submission)
    if chapter.name_confirmed:
        on(timeline, oriented, lambda: services.name_project(project, people.ars, project.name))
    coordinator = None
    if chapter.coordinator_email:
        invitation = on(
            timeline,
            oriented - 1,
            lambda: services.invite_to_project(
                project,
                people.ars,
                email=chapter.coordinator_email,
                first_name="Coordination",
                last_name=project.name,
                role=Role.COORDINATOR,
            ),
        )
        coordinator = invitation.user
    path = PATHS[chapter.stage]
    # The pre-project milestones, the first days after the creation.
    first_step = oriented - 10
    advancing = bool(path) and path[0] != Stage.ABANDONED
    done = PRE_PROJECT_MILESTONES if advancing else PRE_PROJECT_MILESTONES[:2]
    for i, code in enumerate(done):
        milestone = project.milestones.get(code=code)
        on(
            timeline,
            oriented - 2 - i,
            lambda m=milestone: services.update_milestone(
                m, coordinator or people.ars, m.due_on, timezone.localdate()
            ),
        )
    if chapter.stage == Stage.DRAFT:
        # Late: shows in the « jalons en retard » filter and gets the reminder.
        diagnostic = project.milestones.get(code="diagnostic")
        on(
            timeline,
            oriented - 3,
            lambda: services.update_milestone(
                diagnostic, people.ars, timeline.today - timedelta(days=15), None
            ),
        )
        return project
    # The steps spread evenly from ten days after the creation to yesterday.
    pace = (first_step - 1) / len(path)
    for i, stage in enumerate(path):
        take_step(project, stage, chapter, coordinator, people, timeline, first_step - pace * i)
    if chapter.close_answer:
        on(
            timeline,
            0,
            lambda: staff.close(
                Submission.objects.get(pk=submission.pk),
                people.ars,
                reason=ClosureReason.PROJECT_STARTED,
            ),
        )
    return project


def take_step(
    project: CptsProject,
    stage: Stage,
    chapter: ProjectChapter,
    coordinator: AbstractBaseUser | None,
    people: DemoPeople,
    timeline: Timeline,
    days_ago: float,
) -> None:
    """One stage reached, with what it needs done the day before."""
    ars, urps, am = people.ars, people.urps, people.am
    if stage == Stage.LETTER_DEPOSITED:
        on(timeline, days_ago + 1, lambda: prepare_letter(project, chapter, coordinator))
        on(
            timeline,
            days_ago,
            lambda: workflow.transition(project, Stage.LETTER_DEPOSITED, by=coordinator),
        )
    elif stage == Stage.LETTER_TO_COMPLETE:
        on(
            timeline,
            days_ago,
            lambda: workflow.transition(
                project,
                Stage.LETTER_TO_COMPLETE,
                by=urps,
                comment="Préciser la mobilisation des pharmaciens et des infirmiers du "
                "secteur de Louvigné-du-Désert.",
            ),
        )
    elif stage == Stage.URPS_OPINION:
        on(
            timeline,
            days_ago,
            lambda: services.record_urps_opinion(
                project,
                urps,
                objectives_verdict="favorable",
                mobilisation_verdict="reserved",
                mobilisation_comment="Peu de pharmaciens associés pour l’instant.",
                territory_verdict="favorable",
            ),
        )
    elif stage == Stage.LETTER_VALIDATED:
        on(
            timeline,
            days_ago,
            lambda: workflow.transition(
                project,
                Stage.LETTER_VALIDATED,
                by=ars,
                fir_amount=Decimal("30000"),
                fir_granted_on=timezone.localdate(),
            ),
        )
    elif stage == Stage.HEALTH_PROJECT_DRAFTING:
        milestone = project.milestones.get(code="coordinateur")
        on(
            timeline,
            days_ago,
            lambda: services.update_milestone(milestone, coordinator, None, timezone.localdate()),
        )
        # The first save of the projet de santé moves the project to « en rédaction ».
        on(
            timeline,
            days_ago,
            lambda: services.save_health_project(
                project,
                coordinator,
                {
                    "diagnostic": "Diagnostic territorial réalisé avec l’observatoire régional "
                    "de santé : 18 % des habitants de plus de 75 ans, 9 % sans médecin traitant."
                },
            ),
        )
    elif stage == Stage.HEALTH_PROJECT_DEPOSITED:
        on(timeline, days_ago + 1, lambda: complete_health_project(project, coordinator))
        on(
            timeline,
            days_ago,
            lambda: workflow.transition(project, Stage.HEALTH_PROJECT_DEPOSITED, by=coordinator),
        )
    elif stage == Stage.HEALTH_PROJECT_TO_COMPLETE:
        on(
            timeline,
            days_ago,
            lambda: workflow.transition(
                project,
                Stage.HEALTH_PROJECT_TO_COMPLETE,
                by=am,
                comment="Les indicateurs de la mission de prévention sont à préciser.",
            ),
        )
    elif stage == Stage.HEALTH_PROJECT_VALIDATED:
        on(
            timeline,
            days_ago + 1,
            lambda: services.record_am_opinion(
                project, am, verdict="favorable", comment="Projet solide et bien gouverné."
            ),
        )
        on(
            timeline,
            days_ago,
            lambda: workflow.transition(project, Stage.HEALTH_PROJECT_VALIDATED, by=ars),
        )
    elif stage == Stage.CONTRACT_SIGNED:
        milestone = project.milestones.get(code="calendrier_indicateurs")
        on(
            timeline,
            days_ago + 1,
            lambda: services.update_milestone(milestone, coordinator, None, timezone.localdate()),
        )
        on(
            timeline,
            days_ago,
            lambda: workflow.transition(
                project,
                Stage.CONTRACT_SIGNED,
                by=am,
                signed_on=timezone.localdate(),
                cpam_name="Caisse primaire d’assurance maladie",
            ),
        )
    elif stage == Stage.RUNNING:
        on(timeline, days_ago, lambda: workflow.transition(project, Stage.RUNNING, by=ars))
    elif stage == Stage.ABANDONED:
        on(
            timeline,
            days_ago,
            lambda: workflow.transition(
                project,
                Stage.ABANDONED,
                by=ars,
                comment="Les professionnels rejoignent la CPTS voisine plutôt que d’en créer une.",
            ),
        )


def prepare_letter(
    project: CptsProject, chapter: ProjectChapter, coordinator: AbstractBaseUser
) -> None:
    """The association (its milestone done that day), the letter and its two documents."""
    name = project.name.replace("CPTS", "Association CPTS", 1)
    services.save_legal_holder(
        project, coordinator, {"name": name, "rna_number": chapter.rna_number, "siret": ""}
    )
    milestone = project.milestones.get(code="association")
    services.update_milestone(milestone, coordinator, milestone.due_on, timezone.localdate())
    letter = VITRE_LETTER if chapter.answer == "vitre" else generic_letter(project)
    services.save_letter(project, coordinator, {**letter, "commits_to_core_missions": True})
    for kind, filename, title in (
        (DocumentKind.LETTER, "lettre-intention-signee.pdf", "Lettre d’intention"),
        (DocumentKind.CERFA, "cerfa-12156.pdf", "Demande de subvention"),
    ):
        services.add_document(project, kind, demo_upload(filename, title, project), coordinator)


def generic_letter(project: CptsProject) -> dict[str, str]:
    territory = project.territory.name if project.territory_id else project.name
    return {
        "action_territory": f"Les communes du territoire « {territory} ».",
        "identified_needs": "Accès à un médecin traitant, soins non programmés, parcours "
        "des personnes âgées.",
        "mobilisation": "Une association de professionnels libéraux, avec le centre "
        "hospitalier et les EHPAD du secteur.",
        "project_description": "Une CPTS conforme aux missions de l’ACI et aux axes du "
        "Projet régional de santé.",
        "objectives": "Un médecin traitant pour chaque patient en ALD ; une réponse aux "
        "soins non programmés dans la journée.",
        "planned_actions": "Une cellule d’orientation, un agenda partagé de soins non "
        "programmés, un protocole de sortie d’hospitalisation.",
        "means": "Un coordinateur à mi-temps financé par le FIR ; un outil de partage d’agenda.",
    }


def complete_health_project(project: CptsProject, coordinator: AbstractBaseUser) -> None:
    services.save_health_project(
        project,
        coordinator,
        {
            "governance": "Association loi 1901 : un collège des libéraux majoritaire, un "
            "collège des établissements, un bureau élu pour deux ans.",
            "missions": [mission.value for mission in CORE_MISSIONS] + [Mission.QUALITY.value],
        },
        [
            services.ActionSheetRow(
                values={
                    "title": "Régulation des soins non programmés",
                    "mission": Mission.UNSCHEDULED_CARE,
                    "referents": "Deux médecins généralistes et une infirmière",
                    "tasks": "Un numéro unique et un agenda partagé de créneaux.",
                    "indicators": "Demandes traitées dans la journée",
                }
            )
        ],
    )
    services.add_document(
        project,
        DocumentKind.HEALTH_PROJECT,
        demo_upload("projet-de-sante.pdf", "Projet de santé", project),
        coordinator,
    )


# --- The whole story --------------------------------------------------------------------------


def load_demo_projects(coordinator_password: str = DEMO_PASSWORD) -> DemoProjects:
    """Create the demo accounts (``coordinator_password`` for all), then, once, tell the
    story of the demo answers (``ami.demo.load_demo_submissions`` first): every status,
    a project at every stage. Without the demo answers, only the accounts."""
    with transaction.atomic():
        people = demo_accounts(coordinator_password)
        result = DemoProjects(coordinator=people.coordinator)
        answers = demo_answers()
        untouched = all(answer.status == Submission.Status.RECEIVED for answer in answers.values())
        if not answers or not untouched or CptsProject.objects.exists():
            return result
        last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first()
        timeline = Timeline()
        for chapter in STORY:
            if chapter.answer in answers:
                project = tell_project(chapter, answers[chapter.answer], people, timeline)
                result.created.append(project)
        tell_answers(answers, people, timeline)
        occitanie = demo_accounts(coordinator_password, OCCITANIE.code)
        for chapter in OCCITANIE_STORY:
            if chapter.answer in answers:
                project = tell_project(chapter, answers[chapter.answer], occitanie, timeline)
                result.created.append(project)
        load_guichet = globals().get("load_guichet_demo")
        if load_guichet is not None:  # the Guichet CPTS's demo, where it is built
            load_guichet(Region.objects.get(code=OCCITANIE.code))
        # Fictitious people: none of the story's emails leaves (the rows go before commit).
        OutgoingEmail.objects.filter(pk__gt=last_email or 0).delete()
    return result


# --- The Guichet CPTS (a region that uses it, e.g. Occitanie) ---------------------------------

GUICHET_PROJECT_NAME = "CPTS du Grand Figeac"
GUICHET_DEPOSIT_DAYS_AGO = 18  # past the reminder delay: the silent URPS are due a reminder
GUICHET_AVIS: tuple[dict[str, str], ...] = (
    {
        "objectives_verdict": "favorable",
        "mobilisation_verdict": "reserved",
        "mobilisation_comment": "Peu de médecins spécialistes associés à ce stade.",
        "territory_verdict": "favorable",
    },
    {
        "objectives_verdict": "favorable",
        "mobilisation_verdict": "favorable",
        "territory_verdict": "favorable",
        "territory_comment": "Bassin de vie cohérent, EHPAD et centre hospitalier associés.",
    },
    {
        "objectives_verdict": "reserved",
        "objectives_comment": "La mission de prévention reste à préciser.",
        "mobilisation_verdict": "favorable",
        "territory_verdict": "favorable",
    },
)
GUICHET_LETTER = {
    "action_territory": "Les communes du Grand-Figeac (Lot), autour de Figeac et Capdenac.",
    "identified_needs": "Un habitant sur dix sans médecin traitant ; des soins non "
    "programmés renvoyés vers les urgences de Figeac ; une population âgée.",
    "mobilisation": "Une association de préfiguration : 11 médecins généralistes, "
    "14 infirmiers, 5 pharmaciens, 4 masseurs-kinésithérapeutes ; le centre hospitalier "
    "de Figeac est partenaire.",
    "project_description": "Une CPTS conforme aux missions de l’ACI et aux axes du Projet "
    "régional de santé d’Occitanie.",
    "objectives": "Un médecin traitant pour les patients en ALD ; une réponse aux soins non "
    "programmés dans la journée.",
    "planned_actions": "Une cellule d’orientation ; un agenda partagé de soins non "
    "programmés ; un protocole de sortie d’hospitalisation.",
    "means": "Un coordinateur à mi-temps financé par le FIR ; un outil de partage d’agenda.",
}


def load_guichet_demo(region: Region, answering: int = 3) -> CptsProject:
    """A project of ``region`` at « lettre d'intention déposée », examined by its Guichet
    CPTS, with the avis of some of its URPS; return it.

    Contract (the two-region demo calls it after creating the region's accounts):

    - ``region``: a ``territories.Region`` whose ``RegionIdentity`` has ``uses_guichet``
      (``ValueError`` otherwise), with its URPS (``Institution`` rows of kind URPS) and,
      attached by ``StaffMembership``, at least one active ARS agent (the project's author,
      ``ValueError`` otherwise) and agents of the URPS meant to answer.
    - What it makes: the project « CPTS du Grand Figeac » (its territory: the region's
      communes of an EPCI named « …Figeac… » when the reference geography is loaded, else
      none), a fictitious coordinator invited by the ARS (coordination@cpts-grand-figeac
      .example.org, no password), the association, the complete letter and its two PDF,
      deposited ``GUICHET_DEPOSIT_DAYS_AGO`` days ago; then the avis of the first
      ``answering`` URPS that have an agent (professions' order: médecins first), each
      given by its first agent through ``services.give_guichet_opinion``. The others have
      not answered: the daily reminders task will remind them; an ARS or URPS agent may
      transmit the consolidated avis from the project's page.
    - Everything goes through the real services on past days (``demo_clock``); the emails
      they queue are removed before commit. Idempotent: a project of that name in the
      region is returned as it is.
    """
    if not RegionIdentity.objects.filter(region=region, uses_guichet=True).exists():
        raise ValueError(f"La région {region} n’utilise pas le Guichet CPTS.")
    members = StaffMembership.objects.filter(
        institution__region=region, user__is_active=True
    ).select_related("user", "institution")
    existing = CptsProject.objects.filter(region=region, name=GUICHET_PROJECT_NAME).first()
    if existing is not None:
        return existing
    # The two-region demo's story already deposits a lettre d'intention in the region (the
    # Grand-Figeac answer's project): its URPS give their avis on that one.
    deposited = (
        CptsProject.objects.filter(region=region, stage=Stage.LETTER_DEPOSITED)
        .exclude(guichet_reviews__opinions__isnull=False)
        .order_by("pk")
        .first()
    )
    if deposited is not None:
        with transaction.atomic():
            last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first()
            give_demo_guichet_avis(deposited, members, answering, Timeline())
            OutgoingEmail.objects.filter(pk__gt=last_email or 0).delete()
        return deposited
    ars = next((m.user for m in members.order_by("pk") if m.institution.kind == Role.ARS), None)
    if ars is None:
        raise ValueError(f"La région {region} n’a pas d’agent de l’ARS pour créer le projet.")
    with transaction.atomic():
        last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first()
        timeline = Timeline()
        start = GUICHET_DEPOSIT_DAYS_AGO + 12
        communes = Commune.objects.filter(
            departement__region=region, epci__name__icontains="Figeac"
        )
        territory = None
        if communes.exists():
            territory = on(
                timeline,
                start,
                lambda: save_territory(
                    Territory(region=region), ars, name="Grand-Figeac", communes=communes
                ),
            )
        project = on(
            timeline,
            start,
            lambda: services.create_project(
                GUICHET_PROJECT_NAME, ars, territory=territory, region=region
            ),
        )
        invitation = on(
            timeline,
            start - 1,
            lambda: services.invite_to_project(
                project,
                ars,
                email="coordination@cpts-grand-figeac.example.org",
                first_name="Coordination",
                last_name=GUICHET_PROJECT_NAME,
                role=Role.COORDINATOR,
            ),
        )
        coordinator = invitation.user
        chapter = ProjectChapter("grand-figeac", Stage.LETTER_DEPOSITED, rna_number="W461001234")

        def letter() -> None:
            prepare_letter(project, chapter, coordinator)
            services.save_letter(
                project, coordinator, {**GUICHET_LETTER, "commits_to_core_missions": True}
            )

        on(timeline, GUICHET_DEPOSIT_DAYS_AGO + 1, letter)
        project = CptsProject.objects.get(pk=project.pk)  # the letter as saved
        on(
            timeline,
            GUICHET_DEPOSIT_DAYS_AGO,
            lambda: workflow.transition(project, Stage.LETTER_DEPOSITED, by=coordinator),
        )
        give_demo_guichet_avis(project, members, answering, timeline)
        OutgoingEmail.objects.filter(pk__gt=last_email or 0).delete()
    return project


def give_demo_guichet_avis(project: CptsProject, members, answering: int, timeline) -> None:
    """The avis of the first ``answering`` URPS of the region that have an agent."""
    agents = {}
    for membership in members.order_by("pk"):
        agents.setdefault(membership.institution_id, membership.user)
    answering_urps = [u for u in selectors.region_urps(project) if u.pk in agents][:answering]
    for i, urps in enumerate(answering_urps):
        on(
            timeline,
            GUICHET_DEPOSIT_DAYS_AGO - 3 - 2 * i,
            lambda u=urps, i=i: services.give_guichet_opinion(
                project, agents[u.pk], **GUICHET_AVIS[i % len(GUICHET_AVIS)]
            ),
        )
