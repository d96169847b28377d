"""Staff roles: one Django group per partner institution, plus project coordinators.

The groups and their model permissions are (re)created after every ``migrate``,
so a fresh database and an upgraded one end with the same rights.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.db import DEFAULT_DB_ALIAS, models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ARS = "ARS", _("Agence régionale de santé")
    URPS = "URPS", _("Union régionale des professionnels de santé")
    ASSURANCE_MALADIE = "Assurance Maladie", _("Assurance Maladie")
    COORDINATOR = "Coordinateur", _("Coordinateur de projet CPTS")
    # The ministry or the Caisse nationale: reads every region, changes nothing.
    NATIONAL = "National", _("Niveau national (lecture seule)")


# The partner institutions of a region: their agents work on that region's data only.
STAFF_ROLES = (Role.ARS, Role.URPS, Role.ASSURANCE_MALADIE)
# Who may read the staff pages: the partners of a region, and the national level (every
# region, read-only). Write actions check a partner role, never this tuple.
READER_ROLES = (*STAFF_ROLES, Role.NATIONAL)

# Model permissions of each group in the Django admin ("app_label.codename"): the one table,
# granted by ``ensure_role_groups`` after every ``migrate``. The pipeline itself is on the
# /projets/ pages and checked by ``projects.permissions``.
_AMI_READ = ("ami.view_campaign", "ami.view_submission", "ami.view_actor", "ami.view_referent")
_PROJECTS_READ = (
    "projects.view_cptsproject",
    "projects.view_milestone",
    "projects.view_document",
    "projects.view_territoryoverlapoverride",
    "projects.view_acicontract",
    "projects.view_fundingrate",
    # ACI figures: mission deadlines and funding scale versions, with their source.
    "projects.view_missiondeadline",
    "projects.view_fundingscale",
    "projects.view_amendment",
)
_MANAGEMENT_DIALOGUES = (
    "projects.view_managementdialogue",
    "projects.add_managementdialogue",
    "projects.change_managementdialogue",
)
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.ARS: (
        *_AMI_READ,
        "ami.add_campaign",
        "ami.change_campaign",
        "ami.change_submission",
        "ami.view_submissionevent",
        "ami.view_accesslog",  # the access log of personal data
        "notifications.view_outgoingemail",
        *_PROJECTS_READ,
        "projects.change_cptsproject",
        "projects.view_legalholder",
        "projects.add_legalholder",
        "projects.change_legalholder",
        "projects.change_milestone",
        "projects.view_projectevent",
        "projects.change_acicontract",
        *_MANAGEMENT_DIALOGUES,
        "projects.add_fundingrate",
        "projects.change_fundingrate",
        "projects.delete_fundingrate",
        # The ARS keeps the ACI figures.
        "projects.add_missiondeadline",
        "projects.change_missiondeadline",
        "projects.add_fundingscale",
        "projects.change_fundingscale",
        "projects.delete_fundingscale",
        "projects.view_sentreminder",
    ),
    Role.URPS: (*_AMI_READ, *_PROJECTS_READ),
    Role.ASSURANCE_MALADIE: (
        *_AMI_READ,
        *_PROJECTS_READ,
        *_MANAGEMENT_DIALOGUES,
        "projects.view_sentreminder",
    ),
    Role.COORDINATOR: (),
    Role.NATIONAL: (*_AMI_READ, *_PROJECTS_READ),
}


def ensure_role_groups(
    sender=None, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs
) -> None:
    """Create the role groups and grant them ``ROLE_PERMISSIONS`` (idempotent).

    Connected once to ``post_migrate`` (``CptsPortalConfig.ready``). Django creates each
    app's permissions in that app's own ``post_migrate``, and this app comes before the
    ones of the table: their permissions are created here first (idempotent too).
    """
    wanted_apps = {name.split(".")[0] for names in ROLE_PERMISSIONS.values() for name in names}
    for app_config in global_apps.get_app_configs():
        if app_config.label in wanted_apps:
            create_permissions(app_config, verbosity=0, using=using, apps=apps)
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using)
        .filter(content_type__app_label__in=wanted_apps)
        .values_list("pk", "content_type__app_label", "codename")
    }
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.add(*(by_name[name] for name in perm_names if name in by_name))


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


def institution_of(user: AbstractBaseUser | AnonymousUser) -> str:
    """The institutions the user works for, by their role groups' short names (« ARS »),
    for the header."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser:
        return str(_("Administration du portail"))
    roles = roles_of(user)
    return ", ".join(role.value for role in Role if role.value in roles)


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    """Whether the user belongs to one of the role groups (superusers have every role)."""
    return not roles_of(user).isdisjoint(roles)
