"""Who may publish a project and who may read the API.

The coordinator of a project gives (or withdraws) its consent to publication; the ARS of
the project's region validates a consent (or withdraws the publication). The publication
page and the read API are for the partner institutions' staff of the region and the
national level (read-only), each seeing what their pages show.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from ami.workflow import Action, can
from cpts_portal.roles import READER_ROLES, Role, has_role
from projects.models import CptsProject
from projects.permissions import acts_as, is_coordinator_of
from territories.permissions import in_region_scope

User = AbstractBaseUser | AnonymousUser


def reads_region_of(user: User, project: CptsProject) -> bool:
    """A reader of the staff pages (partner or national) whose scope holds the project."""
    return has_role(user, *READER_ROLES) and in_region_scope(user, project.region_id)


def can_see_publication(user: User, project: CptsProject) -> bool:
    return is_coordinator_of(user, project) or reads_region_of(user, project)


def can_consent(user: User, project: CptsProject) -> bool:
    """Give, change or withdraw the consent: the project's coordinators."""
    return project.is_active and acts_as(user, project, Role.COORDINATOR)


def can_validate(user: User, project: CptsProject) -> bool:
    """Validate a consent or withdraw a publication: the ARS of the project's region."""
    return has_role(user, Role.ARS) and in_region_scope(user, project.region_id)


def can_use_api(user: User) -> bool:
    """The API reads: partner institutions (their region) and the national level."""
    return has_role(user, *READER_ROLES)


def sees_personal_data(user: User) -> bool:
    """The answers' people (actors, référents): to the roles that read them on the staff
    pages of an answer (``ami.workflow``'s VIEW), never more through the API."""
    return can(user, Action.VIEW)
