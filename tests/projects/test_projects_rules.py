"""The domain rules of ``projects.rules``, on plain instances: no database."""

from datetime import date
from decimal import Decimal

from projects import rules
from projects.forms import LetterForm
from projects.models import (
    CptsProject,
    DocumentKind,
    FundingRate,
    HealthProject,
    LetterOfIntent,
    Mission,
    MissionDeadline,
    Stage,
)
from projects.models.choices import CORE_MISSIONS


def project(pk: int | None, stage: Stage = Stage.DRAFT) -> CptsProject:
    return CptsProject(pk=pk, name=f"P{pk}", stage=stage)


def test_the_project_created_first_keeps_its_place():
    first, later = project(1), project(2)
    assert rules.overlap_blocks(later, first, overridden=False)
    assert not rules.overlap_blocks(first, later, overridden=False)
    assert rules.overlap_blocks(project(None), first, overridden=False)


def test_an_override_or_an_abandoned_project_does_not_block():
    assert not rules.overlap_blocks(project(2), project(1), overridden=True)
    assert not rules.overlap_blocks(project(2), project(1, Stage.ABANDONED), overridden=False)


def test_the_letter_form_asks_for_what_the_deposit_needs():
    assert tuple(LetterForm._meta.fields) == rules.LETTER_FIELDS


def test_an_empty_letter_lacks_every_item_and_both_documents():
    missing = rules.letter_missing_items(
        LetterOfIntent(), document_kinds=set(), has_legal_holder=False
    )
    assert len(missing) == 1 + len(rules.LETTER_FIELDS) + len(rules.LETTER_DOCUMENTS)
    assert missing[0] == "L’association porteuse (nom et numéro RNA)"
    complete = LetterOfIntent(commits_to_core_missions=True)
    for name in rules.LETTER_TEXT_FIELDS:
        setattr(complete, name, "Texte")
    assert (
        rules.letter_missing_items(complete, set(rules.LETTER_DOCUMENTS), has_legal_holder=True)
        == []
    )


def test_a_health_project_needs_every_core_mission():
    health_project = HealthProject(
        diagnostic="D", governance="G", missions=[m.value for m in CORE_MISSIONS]
    )
    kinds = {DocumentKind.HEALTH_PROJECT}
    assert not rules.health_project_missing_items(
        health_project, has_action_sheet=True, document_kinds=kinds
    )
    health_project.missions = health_project.missions[1:]
    missing = rules.health_project_missing_items(
        health_project, has_action_sheet=True, document_kinds=kinds
    )
    assert len(missing) == 1


def test_funding_uses_the_rates_of_the_size_tier_and_lists_the_missing_ones():
    rates = [
        FundingRate(
            tier=1,
            item=FundingRate.FUNCTIONING,
            fixed_amount=Decimal(50_000),
            variable_amount=Decimal(0),
            source="S",
        ),
        FundingRate(
            tier=2,
            item=FundingRate.FUNCTIONING,
            fixed_amount=Decimal(60_000),
            variable_amount=Decimal(0),
            source="S",
        ),
    ]
    simulation = rules.funding_simulation(30_000, [Mission.PREVENTION], None, rates)
    assert (simulation.tier.number, simulation.total) == (1, Decimal(50_000))
    assert simulation.missing_items == [str(Mission.PREVENTION.label)]


def test_mission_deadlines_count_months_from_the_signature():
    deadlines = {
        Mission.PREVENTION: MissionDeadline(
            mission=Mission.PREVENTION,
            start_within_months=6,
            deployed_within_months=18,
            source="S",
            source_status="presse",
        )
    }
    terms = rules.build_terms(
        population=30_000,
        missions=[Mission.PREVENTION],
        scale=None,
        rates=[],
        deadlines=deadlines,
        indicators=[],
    )
    [row] = rules.mission_schedule(date(2023, 8, 31), terms)
    assert (row.start_by, row.deployed_by) == (date(2024, 2, 29), date(2025, 2, 28))
    assert rules.schedule_sources([row]) == [("S", "source : presse spécialisée, à confirmer")]
