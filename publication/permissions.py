"""Who may publish a project and who may read the API.

The coordinator of a project gives (or withdraws) its consent to publication; the ARS
validates a consent (or withdraws the publication). The read API is for the staff of the
partner institutions (ARS, URPS, Assurance Maladie), each seeing what their pages show.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from cpts_portal.roles import STAFF_ROLES, Role, has_role
from projects.models import CptsProject
from projects.permissions import acts_as, can_view

User = AbstractBaseUser | AnonymousUser


def can_see_publication(user: User, project: CptsProject) -> bool:
    return can_view(user, project)


def can_consent(user: User, project: CptsProject) -> bool:
    """Give, change or withdraw the consent: the project's coordinators."""
    return project.is_active and acts_as(user, project, Role.COORDINATOR)


def can_validate(user: User, project: CptsProject) -> bool:
    """Validate a consent or withdraw a publication: the ARS."""
    return has_role(user, Role.ARS)


def can_use_api(user: User) -> bool:
    return has_role(user, *STAFF_ROLES)
