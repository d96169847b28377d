"""Staff roles: one Django group per partner institution, plus project coordinators.

The groups and their model permissions are (re)created after every ``migrate``,
so a fresh database and an upgraded one end with the same rights.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ARS = "ARS", _("Agence régionale de santé")
    URPS = "URPS", _("Union régionale des professionnels de santé")
    ASSURANCE_MALADIE = "Assurance Maladie", _("Assurance Maladie")
    COORDINATOR = "Coordinateur", _("Coordinateur de projet CPTS")


STAFF_ROLES = (Role.ARS, Role.URPS, Role.ASSURANCE_MALADIE)

# Model permissions given to each group in the Django admin ("app_label.codename").
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.ARS: (
        "ami.view_campaign",
        "ami.add_campaign",
        "ami.change_campaign",
        "ami.view_submission",
        "ami.change_submission",
        "ami.view_actor",
        "ami.view_referent",
        "ami.view_submissionevent",
        "notifications.view_outgoingemail",
    ),
    Role.URPS: ("ami.view_campaign", "ami.view_submission", "ami.view_actor", "ami.view_referent"),
    Role.ASSURANCE_MALADIE: (
        "ami.view_campaign",
        "ami.view_submission",
        "ami.view_actor",
        "ami.view_referent",
    ),
    Role.COORDINATOR: (),
}

# CPTS projects in the admin (the pipeline itself is on the /projets/ pages, see projects.rules).
_PROJECTS_READ = (
    "projects.view_cptsproject",
    "projects.view_milestone",
    "projects.view_document",
    "projects.view_territoryoverlapoverride",
    "projects.view_acicontract",
    "projects.view_fundingrate",
)
PROJECTS_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.ARS: (
        *_PROJECTS_READ,
        "projects.change_cptsproject",
        "projects.view_legalholder",
        "projects.add_legalholder",
        "projects.change_legalholder",
        "projects.change_milestone",
        "projects.view_projectevent",
        "projects.change_acicontract",
        "projects.view_managementdialogue",
        "projects.add_managementdialogue",
        "projects.change_managementdialogue",
        "projects.add_fundingrate",
        "projects.change_fundingrate",
        "projects.delete_fundingrate",
    ),
    Role.URPS: _PROJECTS_READ,
    Role.ASSURANCE_MALADIE: (
        *_PROJECTS_READ,
        "projects.view_managementdialogue",
        "projects.add_managementdialogue",
        "projects.change_managementdialogue",
    ),
    Role.COORDINATOR: (),
}
for _role, _names in PROJECTS_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_names)


def ensure_role_groups(**kwargs) -> None:
    """Create the role groups and grant them their permissions (idempotent)."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for name in perm_names:
            app_label, codename = name.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.add(*wanted)


def roles_of(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The user's role groups (every role for a superuser), read once per user object.

    Cached on the instance: a page asks for many permissions, and ``request.user`` lives
    for one request. ``forget_roles`` drops the cache when the user's groups change.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(Role.values)
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
        user._roles = cached
    return cached


def forget_roles(sender, instance, **kwargs) -> None:
    """Connected to ``m2m_changed`` of the users' groups."""
    instance.__dict__.pop("_roles", None)


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    """Whether the user belongs to one of the role groups (superusers have every role)."""
    return not roles_of(user).isdisjoint(roles)
