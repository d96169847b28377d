"""Migration 0002: each account's API token becomes its institution's (or the national
level's) and keeps working; tokens that could not read the API are deleted."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("publication", "0001_initial"), ("territories", "0006_territory_region_required")]
AFTER = [
    ("publication", "0002_api_token_per_institution"),
    ("territories", "0006_territory_region_required"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_old_tokens_are_mapped_to_their_accounts_institution():
    apps = migrate(BEFORE)
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    region = apps.get_model("territories", "Region").objects.create(code="53", name="Bretagne")
    institution = apps.get_model("territories", "Institution").objects.create(
        region=region, kind="URPS", name="URPS Bretagne"
    )
    agent = User.objects.create(username="urps")
    apps.get_model("territories", "StaffMembership").objects.create(
        user=agent, institution=institution
    )
    national = User.objects.create(username="ministere")
    national.groups.add(Group.objects.get_or_create(name="National")[0])
    admin = User.objects.create(username="admin", is_superuser=True)
    coordinator = User.objects.create(username="coordinatrice")
    ApiToken = apps.get_model("publication", "ApiToken")
    for user in (agent, national, admin, coordinator):
        ApiToken.objects.create(
            user=user, name=user.username, prefix=user.username[:8], key_hash=user.username
        )

    apps = migrate(AFTER)
    rows = apps.get_model("publication", "ApiToken").objects.order_by("name")
    assert list(rows.values_list("name", "institution_id", "national", "created_by_id")) == [
        ("admin", None, True, admin.pk),
        ("ministere", None, True, national.pk),
        ("urps", institution.pk, False, agent.pk),
    ]
    # The key is unchanged: the same hash authenticates as before.
    assert rows.get(name="urps").key_hash == "urps"
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # back to the latest
