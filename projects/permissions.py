"""Admin permissions of the models added to the projects app after its first round.

``cpts_portal.roles.PROJECTS_PERMISSIONS`` grants the first ones; these are granted the
same way, after every ``migrate`` (see ``ProjectsConfig.ready``). They belong in that
table: move them there when it is next edited, and delete this module.
"""

from django.contrib.auth.models import Group, Permission

from cpts_portal.roles import Role

_READ = (
    "view_missiondeadline",
    "view_fundingscale",
    "view_amendment",
)
EXTRA_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # The ARS keeps the ACI figures (deadlines, funding scale versions) with their source.
    Role.ARS: (
        *_READ,
        "add_missiondeadline",
        "change_missiondeadline",
        "add_fundingscale",
        "change_fundingscale",
        "delete_fundingscale",
        "view_sentreminder",
    ),
    Role.URPS: _READ,
    Role.ASSURANCE_MALADIE: (*_READ, "view_sentreminder"),
}


def grant_extra_permissions(**kwargs) -> None:
    """Grant ``EXTRA_PERMISSIONS`` to the role groups (idempotent)."""
    for role, codenames in EXTRA_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="projects", codename__in=codenames)
        )
