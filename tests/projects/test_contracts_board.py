"""Issue 17, item 7: the ARS's and the Assurance Maladie's board of the signed contracts
(committed, due, paid and late per contract and per year, reports late, deadlines missed)
and its CSV export."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import contract_selectors, contract_services, rules, selectors
from projects.models import (
    AciContract,
    AnnualReport,
    ContractPayment,
    ContractTerms,
    ManagementDialogue,
    MissionProgress,
    Stage,
)
from tests.factories import CptsProjectFactory

from .contract_fixtures import SIGNED

pytestmark = pytest.mark.django_db
BOARD = "projects:contracts_board"
CSV = "projects:contracts_board_csv"
TODAY = date(2025, 4, 1)  # year 2: the advance of 15/03/2025 is due, year 1's report late
Kind = ContractPayment.Kind


def test_contract_year_figures_per_year():
    schedule = [
        rules.PaymentDue(1, Kind.SIGNATURE, SIGNED, Decimal(100), Decimal(100), SIGNED, "paid"),
        rules.PaymentDue(1, Kind.BALANCE, None, None, Decimal(0), None, "waiting"),
        rules.PaymentDue(2, Kind.ADVANCE, date(2025, 3, 15), Decimal(75), Decimal(0), None, "late"),
    ]
    one, two, three = rules.contract_year_figures(SIGNED, 3, schedule, {2: "brouillon"}, TODAY)
    assert (one.due, one.paid, one.late, one.report_late) == (100, 100, 0, True)
    assert (two.due, two.paid, two.late, two.report_status) == (75, 0, 75, "brouillon")
    assert not two.report_late  # year 2 is not over
    assert (three.due, three.report_late) == (0, False)


def test_the_board_shows_each_contracts_figures(contract, clock, client, ars, am):
    clock.at(TODAY)
    ContractPayment.objects.create(
        contract=contract, year=1, kind=Kind.SIGNATURE, paid_on=SIGNED, amount=87_500
    )
    [row] = contract_selectors.contracts_board(ars, TODAY)
    assert row.current_year == 2
    # Due so far: 87,500 at the signature, the advance of year 2 (75 % of 102,500).
    assert (row.due, row.paid, row.late) == (
        Decimal("164375.00"),
        Decimal(87_500),
        Decimal("76875.00"),
    )
    assert row.late_reports == [1]
    assert "Réponse aux crises sanitaires graves — échéance dépassée" in row.missed_deadlines
    assert row.late_deliverables == ["plan_crise"]
    assert row.committed == sum(
        (
            line.amount
            for line in selectors.payment_schedule(
                contract, selectors.terms_versions(contract), {}, TODAY
            )
            if line.amount is not None
        ),
        Decimal(0),
    )
    for user in (ars, am):
        client.force_login(user)
        page = client.get(reverse(BOARD)).content.decode()
        assert contract.project.name in page
        assert "76\u00a0875,00" in page  # late: the advance of year 2
        assert "Plan de gestion de crise sanitaire en retard" in page
        assert reverse(CSV) in page


def test_only_the_ars_and_the_assurance_maladie_see_the_board(
    contract, client, owner, outsider, urps
):
    for user in (owner, outsider, urps):
        client.force_login(user)
        assert client.get(reverse(BOARD)).status_code == 403
        assert client.get(reverse(CSV)).status_code == 403
    client.logout()
    assert client.get(reverse(BOARD)).status_code == 302
    assert client.get(reverse(CSV)).status_code == 302


def test_the_export_has_a_line_per_contract_and_year_with_neutralised_cells(
    contract, clock, client, am
):
    clock.at(TODAY)
    project = contract.project
    project.name = "=HYPERLINK(1)"
    project.save(update_fields=["name"])
    client.force_login(am)
    response = client.get(reverse(CSV))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert rows[0][:4] == ["Projet", "Signé le", "Échéance", "Année du contrat"]
    assert len(rows) == 1 + 5
    year_2 = rows[2]
    assert year_2[0] == "'=HYPERLINK(1)"
    assert year_2[3:9] == ["2", "2025-03-15", "2026-03-14", "76875.00", "0.00", "76875.00"]
    assert rows[1][9:11] == ["Non commencé", "oui"]
    assert "Réponse aux crises sanitaires graves — échéance dépassée" in year_2[11]
    assert year_2[12] == "Plan de gestion de crise sanitaire"


def add_contract(model: AciContract, name: str, ars) -> AciContract:
    """Another signed contract with a row of each kind the figures read."""
    project = CptsProjectFactory(name=name, by=ars)
    project.stage = Stage.CONTRACT_SIGNED
    project.save(update_fields=["stage"])
    other = AciContract.objects.create(project=project, signed_on=SIGNED, missions=model.missions)
    terms = selectors.current_terms(model)
    ContractTerms.objects.create(
        contract=other, version=1, effective_on=SIGNED, reason="Signature", terms=terms.terms
    )
    ContractPayment.objects.create(
        contract=other, year=1, kind=Kind.SIGNATURE, paid_on=SIGNED, amount=1
    )
    AnnualReport.objects.create(
        contract=other,
        year=1,
        status=AnnualReport.Status.VALIDATED,
        reviewed_at=timezone.now(),
        results=[],
    )
    MissionProgress.objects.create(contract=other, mission=model.missions[0], started_on=SIGNED)
    ManagementDialogue.objects.create(
        contract=other, year=1, held_on=SIGNED, summary="x", decided_balances={"1": "10.00"}
    )
    return other


def test_the_board_and_export_read_in_the_same_queries_with_one_or_many_contracts(
    contract, clock, client, ars, django_assert_num_queries
):
    clock.at(TODAY)
    add_contract(contract, "CPTS Témoin", ars)
    client.force_login(ars)
    for name in (BOARD, CSV):
        client.get(reverse(name))  # warm the caches (session, site settings)
        with CaptureQueriesContext(connection) as one:
            assert client.get(reverse(name)).status_code == 200
        for n in range(4):
            add_contract(contract, f"CPTS Témoin {n}", ars)
        with django_assert_num_queries(len(one)):
            response = client.get(reverse(name))
        assert response.status_code == 200
        assert "CPTS Témoin 3" in response.content.decode()
        AciContract.objects.filter(project__name__startswith="CPTS Témoin ").delete()


def test_a_renewed_projects_two_contracts_are_labelled_the_one_in_force_first(
    contract, clock, client, ars, am, django_assert_num_queries
):
    after_term = date(2029, 4, 1)
    clock.at(date(2029, 1, 10))
    contract_services.decide_renewal(
        contract, ars, outcome="renouvele", decided_on=date(2029, 1, 10)
    )
    # Before the term the renewed contract is still in force; the next one waits.
    first, second = contract_selectors.contracts_board(ars, date(2029, 1, 10))
    assert (first.contract, first.in_force) == (contract, True)
    assert first.standing == "Contrat en cours, renouvelé — remplacé le 15 mars 2029"
    assert second.standing.startswith("Contrat suivant (renouvellement)")
    clock.at(after_term)
    following, previous = contract_selectors.contracts_board(ars, after_term)
    assert (following.contract, previous.contract) == (contract.next_contract, contract)
    assert following.standing == "Contrat en cours"
    assert previous.standing == "Contrat précédent (renouvelé) — remplacé le 15 mars 2029"
    assert previous.late > 0  # its unpaid amounts still count
    client.force_login(am)
    page = client.get(reverse(BOARD)).content.decode()
    assert page.index("Contrat en cours") < page.index("Contrat précédent (renouvelé)")
    rows = list(csv.reader(io.StringIO(client.get(reverse(CSV)).content.decode()), delimiter=";"))
    assert rows[0][-1] == "Contrat en cours"
    assert [row[-1] for row in rows[1:]] == ["oui"] * 5 + ["non"] * 5
    assert [row[1] for row in rows[1:]] == ["2029-03-15"] * 5 + ["2024-03-15"] * 5
    # Another renewed project: the same number of queries.
    for name in (BOARD, CSV):
        with CaptureQueriesContext(connection) as one:
            client.get(reverse(name))
        other = add_contract(contract, "CPTS Témoin", ars)
        other.signed_on = date(2023, 1, 1)
        other.save(update_fields=["signed_on"])
        contract_services.renew(other, ars)
        with django_assert_num_queries(len(one)):
            response = client.get(reverse(name))
        # Two contracts: two rows on the board, ten lines (five years each) in the export.
        assert response.content.decode().count("CPTS Témoin") == (2 if name == BOARD else 10)
        AciContract.objects.filter(project__name="CPTS Témoin", previous__isnull=False).delete()
        AciContract.objects.filter(project__name="CPTS Témoin").delete()
