"""Migration 0008: contracts signed before it get version 1 of their terms, from the tables
as they stand and the scale in force on their signature; the seeded sources are rewritten
in plain words (no internal note)."""

import importlib
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
# The 2019 scale and the mission deadlines are seeded by migration 0003: a transactional test
# run before this one in the same worker empties every table, so they are seeded again here.
SEED = importlib.import_module("projects.migrations.0003_seed_aci_figures")

BEFORE = [("projects", "0008_coordinator_invitations")]
AFTER = [("projects", "0009_contract_life")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_contracts_get_their_terms_frozen_from_todays_tables():
    apps = migrate(BEFORE)
    if not apps.get_model("projects", "FundingScale").objects.filter(name=SEED.SCALE_NAME):
        SEED.seed(apps, None)
    project = apps.get_model("projects", "CptsProject").objects.create(name="P")
    contract = apps.get_model("projects", "AciContract").objects.create(
        project=project,
        signed_on=date(2020, 1, 10),
        missions=["acces_medecin_traitant", "qualite_pertinence"],
    )
    apps = migrate(AFTER)
    terms = apps.get_model("projects", "ContractTerms").objects.get(contract_id=contract.pk)
    assert (terms.version, terms.effective_on) == (1, date(2020, 1, 10))
    assert terms.scale.name == "ACI 2019"  # in force on 10 January 2020
    assert terms.terms["functioning"]["fixed"] == "50000.00"
    assert terms.terms["tier"] == 1
    rows = {row["code"]: row for row in terms.terms["missions"]}
    assert (
        rows["acces_medecin_traitant"]["start_within_months"],
        rows["qualite_pertinence"]["start_within_months"],
    ) == (6, None)
    deadline = apps.get_model("projects", "MissionDeadline").objects.first()
    assert "à vérifier" not in deadline.source and deadline.source_status == "secondaire"
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # back to the latest
