"""Who may see and do what on a project: small named predicates, used by views, services
and workflow (the group permissions of the admin are granted in ``cpts_portal.roles``).

Staff of the three partner institutions (ARS, URPS, Assurance Maladie) see the projects
of their institution's region only (``territories.permissions.in_region_scope``: another
region's project is a 404); the national role reads every region and changes nothing; a
coordinator sees only the projects they are a coordinator of, and only while they are in
the « Coordinateur » group. Superusers have every role.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from cpts_portal.roles import READER_ROLES, STAFF_ROLES, Role, has_role
from territories.permissions import in_region_scope

from .models import AnnualReport, CptsProject, DocumentKind, Stage

User = AbstractBaseUser | AnonymousUser

# Stages where the coordinators may still edit each document.
LETTER_EDITABLE = (Stage.DRAFT, Stage.LETTER_TO_COMPLETE)
HEALTH_PROJECT_EDITABLE = (
    Stage.LETTER_VALIDATED,
    Stage.HEALTH_PROJECT_DRAFTING,
    Stage.HEALTH_PROJECT_TO_COMPLETE,
)
CONTRACT_STAGES = (Stage.HEALTH_PROJECT_VALIDATED, Stage.CONTRACT_SIGNED, Stage.RUNNING)
CONTRACT_DOCUMENTS = (DocumentKind.ACI_CONTRACT, DocumentKind.AMENDMENT)


def is_partner_staff(user: User) -> bool:
    return has_role(user, *STAFF_ROLES)


def is_reader(user: User) -> bool:
    """Partner staff or the national level: who reads the staff pages of the projects."""
    return has_role(user, *READER_ROLES)


def staff_of(user: User, project: CptsProject, *roles: str) -> bool:
    """Whether ``user`` holds one of ``roles`` and works on the project's region."""
    return has_role(user, *roles) and in_region_scope(user, project.region_id)


def is_coordinator_of(user: User, project: CptsProject) -> bool:
    """A member of the project's coordinators who is (still) in the Coordinateur group."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not any(coordinator.pk == user.pk for coordinator in project.coordinators.all()):
        return False
    return has_role(user, Role.COORDINATOR)


def acts_as(user: User, project: CptsProject, role: str) -> bool:
    """Whether ``user`` holds ``role`` for this project (a coordinator: of this very project)."""
    if role == Role.COORDINATOR:
        return (user.is_authenticated and user.is_superuser) or is_coordinator_of(user, project)
    return staff_of(user, project, role)


def can_view(user: User, project: CptsProject) -> bool:
    """Staff of the project's region, the national level, its coordinators."""
    return staff_of(user, project, *READER_ROLES) or is_coordinator_of(user, project)


def can_manage(user: User, project: CptsProject | None = None) -> bool:
    """Create projects, change their name, territory and coordinators, decide overrides:
    the ARS (of the project's region, when there is a project)."""
    if project is None:
        return has_role(user, Role.ARS)
    return staff_of(user, project, Role.ARS)


def can_edit_holder(user: User, project: CptsProject) -> bool:
    return project.is_active and (can_manage(user, project) or is_coordinator_of(user, project))


def can_edit_letter(user: User, project: CptsProject) -> bool:
    return project.stage in LETTER_EDITABLE and acts_as(user, project, Role.COORDINATOR)


def can_edit_health_project(user: User, project: CptsProject) -> bool:
    return project.stage in HEALTH_PROJECT_EDITABLE and acts_as(user, project, Role.COORDINATOR)


def can_give_urps_opinion(user: User, project: CptsProject) -> bool:
    return project.stage == Stage.LETTER_DEPOSITED and staff_of(user, project, Role.URPS)


def can_give_am_opinion(user: User, project: CptsProject) -> bool:
    return project.stage == Stage.HEALTH_PROJECT_DEPOSITED and staff_of(
        user, project, Role.ASSURANCE_MALADIE
    )


def can_follow_contract(user: User, project: CptsProject) -> bool:
    """Record dialogues de gestion and change the contracted missions: ARS and AM."""
    return project.stage in (Stage.CONTRACT_SIGNED, Stage.RUNNING) and staff_of(
        user, project, Role.ARS, Role.ASSURANCE_MALADIE
    )


def can_record_payment(user: User, project: CptsProject) -> bool:
    """Record what the Assurance Maladie paid under the contract: the Assurance Maladie."""
    return project.stage in (Stage.CONTRACT_SIGNED, Stage.RUNNING) and staff_of(
        user, project, Role.ASSURANCE_MALADIE
    )


def can_write_report(user: User, project: CptsProject, status: str | None) -> bool:
    """Enter and submit an annual report: this project's coordinators, while the report is
    not started, in progress or sent back (``status``: the report's, ``None`` if none)."""
    editable = status in (None, AnnualReport.Status.DRAFT, AnnualReport.Status.TO_COMPLETE)
    return (
        editable
        and project.stage in (Stage.CONTRACT_SIGNED, Stage.RUNNING)
        and acts_as(user, project, Role.COORDINATOR)
    )


def can_review_report(user: User, project: CptsProject, status: str | None) -> bool:
    """Validate a submitted annual report or send it back: ARS and Assurance Maladie."""
    return status == AnnualReport.Status.SUBMITTED and can_follow_contract(user, project)


def can_decide_renewal(user: User, project: CptsProject) -> bool:
    """Record whether the contract is renewed or ends at its term: the ARS."""
    return project.stage in (Stage.CONTRACT_SIGNED, Stage.RUNNING) and staff_of(
        user, project, Role.ARS
    )


def can_edit_territory(user: User, project: CptsProject) -> bool:
    """Build the project's territory commune by commune: the ARS, while the project lives."""
    return project.is_active and can_manage(user, project)


def can_edit_milestones(user: User, project: CptsProject) -> bool:
    return project.is_active and (can_manage(user, project) or is_coordinator_of(user, project))


def uploadable_kinds(user: User, project: CptsProject) -> list[DocumentKind]:
    """The kinds of document this user may add to this project now.

    A deposited lettre d'intention or projet de santé is frozen until it is sent back
    « à compléter »; statuts may be replaced at any time; the contract and its avenants
    are uploaded by the ARS or the Assurance Maladie once the projet de santé is validated.
    """
    if not project.is_active:
        return []
    kinds: list[DocumentKind] = []
    if acts_as(user, project, Role.COORDINATOR) or can_manage(user, project):
        if project.stage in LETTER_EDITABLE:
            kinds += [DocumentKind.LETTER, DocumentKind.CERFA]
        kinds.append(DocumentKind.STATUTES)
        if project.stage in HEALTH_PROJECT_EDITABLE:
            kinds.append(DocumentKind.HEALTH_PROJECT)
    if project.stage in CONTRACT_STAGES and staff_of(
        user, project, Role.ARS, Role.ASSURANCE_MALADIE
    ):
        kinds += CONTRACT_DOCUMENTS
    return kinds


def generic_upload_kinds(user: User, project: CptsProject) -> list[DocumentKind]:
    """The kinds offered by the plain upload form: an avenant is recorded with its date and
    object on the contract page (``services.add_amendment``), never as a bare file."""
    return [kind for kind in uploadable_kinds(user, project) if kind != DocumentKind.AMENDMENT]


# --- The contract's life: evidence, mission progress, deliverables, boards ---------------------


def can_add_report_evidence(user: User, project: CptsProject, status: str | None) -> bool:
    """Attach pièces justificatives to an annual report: whoever may write it, while it is."""
    return can_write_report(user, project, status)


def can_record_mission_progress(user: User, project: CptsProject) -> bool:
    """Record when a mission started and was deployed: the ARS and the Assurance Maladie."""
    return can_follow_contract(user, project)


def can_declare_mission_progress(user: User, project: CptsProject) -> bool:
    """Declare those dates, read as declared until staff record them: the coordinators."""
    return project.stage in (Stage.CONTRACT_SIGNED, Stage.RUNNING) and acts_as(
        user, project, Role.COORDINATOR
    )


def can_deliver(user: User, project: CptsProject) -> bool:
    """Upload a deliverable of the contract (the crisis plan): the coordinators."""
    return can_declare_mission_progress(user, project)


def can_review_deliverable(user: User, project: CptsProject) -> bool:
    """Mark a deliverable received or validated: the ARS."""
    return can_decide_renewal(user, project)


def can_see_contract_board(user: User) -> bool:
    """The board and export of the signed contracts: the ARS and the Assurance Maladie (of
    their region's contracts), the national level (every region's)."""
    return has_role(user, Role.ARS, Role.ASSURANCE_MALADIE, Role.NATIONAL)


def hides_neighbour(user: User, other: CptsProject, region_id: int | None) -> bool:
    """Whether ``other``, overlapping a territory of the region ``region_id``, shows only as
    « un projet existe dans la région voisine »: it lies in another region that ``user``
    may not read (a coordinator reads the names of their own project's region)."""
    return other.region_id != region_id and not in_region_scope(user, other.region_id)


# --- The Guichet CPTS (regions with ``RegionIdentity.uses_guichet``) --------------------------


def uses_guichet(project: CptsProject) -> bool:
    """Whether the project's region has its lettre d'intention examined by the Guichet CPTS
    (kept on the project object). No query for a project loaded with its region's identity
    (``views.common.project_queryset``), one otherwise."""
    if "_uses_guichet" not in project.__dict__:
        from territories.models import RegionIdentity
        from territories.selectors import region_identity

        if CptsProject.region.is_cached(project) and project.region is not None:
            uses = region_identity(project.region).uses_guichet
        else:
            uses = RegionIdentity.objects.filter(
                region_id=project.region_id, uses_guichet=True
            ).exists()
        project.__dict__["_uses_guichet"] = uses
    return project.__dict__["_uses_guichet"]


def guichet_urps(user: User, project: CptsProject):
    """The URPS of the project's region this user is an agent of, or ``None``."""
    if not user.is_authenticated or not user.is_active or not has_role(user, Role.URPS):
        return None
    from territories.models import Institution, InstitutionKind

    return Institution.objects.filter(
        members__user_id=user.pk, kind=InstitutionKind.URPS, region_id=project.region_id
    ).first()


def can_give_guichet_opinion(user: User, project: CptsProject) -> bool:
    """Give their URPS's avis on the deposited lettre d'intention, in a Guichet region: an
    agent of one of the region's URPS (each URPS gives one avis)."""
    return (
        project.stage == Stage.LETTER_DEPOSITED
        and uses_guichet(project)
        and guichet_urps(user, project) is not None
    )


def can_transmit_guichet_opinion(user: User, project: CptsProject) -> bool:
    """Send the consolidated avis to the ARS: the ARS of the region or an agent of one of its
    URPS (the service also wants at least one URPS avis)."""
    from territories.permissions import in_region_scope

    if project.stage != Stage.LETTER_DEPOSITED or not uses_guichet(project):
        return False
    if has_role(user, Role.ARS) and in_region_scope(user, project.region_id):
        return True
    return guichet_urps(user, project) is not None


def can_give_urps_opinion_here(user: User, project: CptsProject) -> bool:
    """The avis page of the URPS: per URPS with the Guichet, the single avis without it."""
    if uses_guichet(project):
        return can_give_guichet_opinion(user, project)
    return can_give_urps_opinion(user, project)
