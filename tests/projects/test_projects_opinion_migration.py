"""Migration 0007: the pipeline's avis take the AMI's stored values, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("projects", "0006_one_history")]
AFTER = [("projects", "0007_shared_opinion_values")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def verdicts(apps) -> list[tuple[str, ...]]:
    urps = apps.get_model("projects", "UrpsOpinion").objects.values_list(
        "objectives_verdict", "mobilisation_verdict", "territory_verdict"
    )
    am = apps.get_model("projects", "AssuranceMaladieOpinion").objects.values_list("verdict")
    return [*urps, *am]


def test_stored_verdicts_are_renamed_both_ways():
    apps = migrate(BEFORE)
    project = apps.get_model("projects", "CptsProject").objects.create(name="P")
    apps.get_model("projects", "UrpsOpinion").objects.create(
        project=project,
        objectives_verdict="favorable",
        mobilisation_verdict="reserve",
        territory_verdict="defavorable",
    )
    apps.get_model("projects", "AssuranceMaladieOpinion").objects.create(
        project=project, verdict="reserve"
    )
    apps = migrate(AFTER)
    assert verdicts(apps) == [("favorable", "reserved", "unfavorable"), ("reserved",)]
    apps = migrate(BEFORE)
    assert verdicts(apps) == [("favorable", "reserve", "defavorable"), ("reserve",)]
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # back to the latest
