"""The one table of group permissions (``cpts_portal.roles.ROLE_PERMISSIONS``)."""

import pytest
from django.contrib.auth.models import Group, Permission

from cpts_portal.roles import ROLE_PERMISSIONS, Role, ensure_role_groups

pytestmark = pytest.mark.django_db


def granted(role: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_every_permission_of_the_table_exists():
    names = {name for names in ROLE_PERMISSIONS.values() for name in names}
    existing = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert names - existing == set()


def test_migrate_grants_each_group_its_table_row():
    for role, names in ROLE_PERMISSIONS.items():
        assert granted(role) >= set(names)
    assert "ami.view_accesslog" in granted(Role.ARS)
    assert "projects.change_fundingscale" in granted(Role.ARS)
    assert "projects.view_missiondeadline" in granted(Role.URPS)
    assert "projects.view_sentreminder" in granted(Role.ASSURANCE_MALADIE)
    assert "projects.view_sentreminder" not in granted(Role.URPS)


def test_granting_again_changes_nothing():
    before = {role: granted(role) for role in ROLE_PERMISSIONS}
    ensure_role_groups()
    assert {role: granted(role) for role in ROLE_PERMISSIONS} == before
