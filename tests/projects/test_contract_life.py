"""The ACI contract's five years (issue 17): frozen terms, payments, annual reports with
indicators, dialogue de gestion, avenant, renewal — under a frozen clock (``clock``)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingEmail
from projects import contract_services, reminders, rules, selectors, services
from projects.models import (
    AciContract,
    AnnualReport,
    ContractPayment,
    ContractTerms,
    FundingRate,
    FundingScale,
    Mission,
    MissionDeadline,
    MissionIndicator,
    SentReminder,
)

from .contract_fixtures import SIGNED, in_force_scale
from .helpers import pdf_file

pytestmark = pytest.mark.django_db
Kind = ContractPayment.Kind


def contract_url(project) -> str:
    return reverse("projects:contract", kwargs={"pk": project.pk})


def report_url(project, year: int) -> str:
    return reverse("projects:contract_report", kwargs={"pk": project.pk, "year": year})


def schedule_of(contract: AciContract, today: date) -> dict[tuple[int, str], rules.PaymentDue]:
    versions = selectors.terms_versions(contract)
    rows = selectors.payment_schedule(
        contract, versions, selectors.contract_reports(contract), today
    )
    return {(row.year, row.kind): row for row in rows}


# --- Frozen terms ------------------------------------------------------------------------------


def test_signature_freezes_the_terms_in_force(contract):
    [terms] = ContractTerms.objects.filter(contract=contract)
    assert (terms.version, terms.effective_on, terms.scale) == (1, SIGNED, in_force_scale())
    frozen = terms.terms
    assert frozen["tier"] == 1 and frozen["term_years"] == 5
    assert frozen["functioning"]["fixed"] == "87500.00"
    assert frozen["scale"]["name"] == "Avenant 2 à l’ACI"
    access = next(row for row in frozen["missions"] if row["code"] == Mission.GP_ACCESS)
    assert (access["fixed"], access["variable"]) == ("10000.00", "20000.00")
    assert (access["start_within_months"], access["deployed_within_months"]) == (6, 18)
    assert [i["target"] for i in access["indicators"]] == ["200.00", "10.00"]
    # A mission whose amounts the ARS has not entered is copied as unknown, not zero.
    quality = next(row for row in frozen["missions"] if row["code"] == Mission.QUALITY)
    assert quality["fixed"] is None


def test_editing_the_tables_after_the_signature_leaves_the_contract_unchanged(
    contract, client, owner
):
    before = selectors.current_terms(contract).terms
    schedule_before = schedule_of(contract, date(2025, 3, 15))
    deadlines_before = selectors.mission_schedule(contract)
    # The ARS edits every table the contract was built from.
    FundingRate.objects.filter(scale=in_force_scale()).update(fixed_amount=1, variable_amount=1)
    MissionDeadline.objects.update(start_within_months=1, deployed_within_months=2)
    MissionIndicator.objects.update(target=1)
    in_force_scale().rates.filter(item=FundingRate.FUNCTIONING).delete()
    contract.refresh_from_db()
    assert selectors.current_terms(contract).terms == before
    assert schedule_of(contract, date(2025, 3, 15)) == schedule_before
    assert selectors.mission_schedule(contract) == deadlines_before
    client.force_login(owner)
    page = client.get(contract_url(project := contract.project)).content.decode()
    assert "87" in page and "500,00" in page  # the signature payment, from the frozen terms
    assert project.name in page


# --- Funding shown with its source (issue 14, item 8) -------------------------------------------


def test_coordinators_read_the_source_in_plain_words_staff_read_how_sure_it_is(
    contract, client, owner, ars, am
):
    client.force_login(owner)
    page = client.get(contract_url(contract.project)).content.decode()
    assert "Barème appliqué : Avenant 2 à l’ACI." in page
    assert "Source : Presse spécialisée et projet d’avenant d’un syndicat" in page
    assert "Source : Saisie de l’ARS (test)" in page
    assert "à confirmer" not in page
    assert "cahier des charges" not in page and "issue" not in page
    assert "Montants non connus à la signature :" in page  # no placeholder figure
    for user in (ars, am):
        client.force_login(user)
        page = client.get(contract_url(contract.project)).content.decode()
        assert "source : presse spécialisée, à confirmer" in page
        assert "source : source institutionnelle (rapport, site d’ARS), à confirmer" in page


# --- Five years under a frozen clock ------------------------------------------------------------


def checked(response):
    """A redirect must not be to the sign-in page (a session expired by the moved clock)."""
    if response.status_code == 302:
        assert "/connexion" not in response["Location"]
    return response


def submit_report(client, project, year: int, values: list[str], comment: str = "Fait"):
    data = {f"value_{i}": value for i, value in enumerate(values)}
    return checked(
        client.post(report_url(project, year), {**data, "comment": comment, "report_submit": ""})
    )


def review(client, project, year: int, decision: str = "valider", comment: str = ""):
    return checked(
        client.post(
            report_url(project, year),
            {"decision": decision, "review_comment": comment, "review_submit": ""},
        )
    )


def pay(client, year: int, kind: str, on: date, amount: str, project):
    return checked(
        client.post(
            contract_url(project),
            {
                "year": year,
                "kind": kind,
                "paid_on": on.isoformat(),
                "amount": amount,
                "reference": f"VIR-{year}-{kind}",
                "payment_submit": "",
            },
        )
    )


def test_one_contract_through_five_years(contract, clock, client, owner, ars, am, urps):
    project = contract.project
    ends = date(2029, 3, 14)
    assert contract.ends_on == ends
    # Signature: the functioning amount is due the same day; the AM pays it.
    clock.at(SIGNED)
    client.force_login(am)
    assert pay(client, 1, Kind.SIGNATURE, SIGNED, "87500", project).status_code == 302
    row = schedule_of(contract, SIGNED)[(1, Kind.SIGNATURE)]
    assert (row.amount, row.paid, row.status) == (Decimal("87500.00"), Decimal(87_500), "paid")

    # Mission deadlines, from the frozen terms: accès aux soins starts by 15/09/2024.
    access = {row.mission: row for row in selectors.mission_schedule(contract)}[Mission.GP_ACCESS]
    assert (access.start_by, access.deployed_by) == (date(2024, 9, 15), date(2025, 9, 15))
    due = [r for r in reminders.due_reminders(date(2024, 8, 15)) if r.item == Mission.GP_ACCESS]
    assert [(r.kind, r.due_on) for r in due] == [("demarrage_mission", date(2024, 9, 15))]

    # Year 1: the coordinator reports (targets half reached for access, all for prevention).
    clock.at(date(2025, 3, 1))
    client.force_login(owner)
    page = client.get(report_url(project, 1)).content.decode()
    assert "Objectif du contrat : 200.00 patients" in page
    response = submit_report(client, project, 1, ["100", "5", "4"], "Année de lancement")
    assert response.status_code == 302
    report = AnnualReport.objects.get(contract=contract, year=1)
    assert report.status == AnnualReport.Status.SUBMITTED
    assert {
        e.recipient for e in OutgoingEmail.objects.filter(template__contains="annual_report")
    } == {
        ars.email,
        am.email,
    }
    # Submitted: the coordinator can no longer change it; URPS cannot review it.
    assert submit_report(client, project, 1, ["200", "10", "4"]).status_code == 403
    client.force_login(urps)
    assert review(client, project, 1).status_code == 403
    # The ARS validates: variable part = 20,000 × 50 % + 10,000 × 100 % = 20,000.
    client.force_login(ars)
    assert review(client, project, 1).status_code == 302
    report.refresh_from_db()
    variable = selectors.report_variable_part(contract, selectors.terms_versions(contract), report)
    assert variable.total == Decimal("20000.00")
    assert variable.missing  # the missions the ARS has no amounts or indicators for
    # Balance of year 1: fixed parts 87,500 + 10,000 + 5,000, plus 20,000, minus 87,500.
    balance = schedule_of(contract, date(2025, 3, 1))[(1, Kind.BALANCE)]
    assert (balance.due_on, balance.amount, balance.status) == (
        date(2025, 3, 1),
        Decimal("35000.00"),
        "due",
    )

    # Year 2 starts on the anniversary: advance of 75 % of the fixed parts (102,500).
    advance = schedule_of(contract, date(2025, 3, 15))[(2, Kind.ADVANCE)]
    assert (advance.due_on, advance.amount) == (date(2025, 3, 15), Decimal("76875.00"))
    # Not paid a month later: late, and counted as such.
    assert schedule_of(contract, date(2025, 4, 15))[(2, Kind.ADVANCE)].status == "late"
    clock.at(date(2025, 4, 20))
    client.force_login(am)
    assert pay(client, 1, Kind.BALANCE, date(2025, 4, 20), "35000", project).status_code == 302
    response = pay(client, 2, Kind.ADVANCE, date(2025, 4, 20), "76875", project)
    assert response.status_code == 302
    assert schedule_of(contract, date(2025, 4, 20))[(2, Kind.ADVANCE)].status == "paid"

    # Year 2's report is submitted; a pluriannual dialogue de gestion (years 1 and 2)
    # validates it and decides year 2's balance: 45,000 instead of the formula's
    # 102,500 + (20,000 + 10,000 × 50 %) − 76,875 = 50,625.
    clock.at(date(2026, 2, 1))
    client.force_login(owner)
    assert submit_report(client, project, 2, ["200", "10", "2"]).status_code == 302
    assert schedule_of(contract, date(2026, 2, 1))[(2, Kind.BALANCE)].status == "waiting"
    clock.at(date(2026, 2, 10))
    client.force_login(ars)
    response = client.post(
        contract_url(project),
        {
            "first_year": 1,
            "year": 2,
            "held_on": "2026-02-10",
            "participants": "CPTS, ARS, CPAM",
            "summary": "Valeurs des années 1 et 2 examinées",
            "decisions": "Solde de l’année 2 ramené à 45 000 €",
            "balance": "45000",
            "dialogue_submit": "",
        },
    )
    assert response.status_code == 302
    report_2 = AnnualReport.objects.get(contract=contract, year=2)
    assert (report_2.status, report_2.reviewed_by) == (AnnualReport.Status.VALIDATED, ars)
    assert "dialogue de gestion du 10/02/2026" in report_2.review_comment
    [dialogue] = contract.dialogues.all()
    assert dialogue.decided_balances == {"1": "35000.00", "2": "45000.00"}
    assert [v["variable"] for v in dialogue.validated_values] == ["20000.00", "25000.00"]
    assert dialogue.validated_values[1]["results"][2]["value"] == "2"
    schedule = schedule_of(contract, date(2026, 2, 10))
    balance_2 = schedule[(2, Kind.BALANCE)]
    assert (balance_2.due_on, balance_2.amount, balance_2.status) == (
        date(2026, 2, 10),
        Decimal("45000.00"),
        "due",
    )
    assert schedule[(1, Kind.BALANCE)].status == "paid"  # 35,000, paid in April 2025
    emails = OutgoingEmail.objects.filter(template="projects/emails/dialogue")
    recipients = {email.recipient for email in emails}
    assert owner.email in recipients and not recipients & {ars.email, am.email}
    assert "dialogue de gestion (années 1 à 2)" in emails[0].subject
    assert "année 2 : 45" in emails[0].body_text
    page = client.get(contract_url(project)).content.decode()
    assert "Valeurs validées de l’année 2" in page and "solde décidé 45" in page
    # The missions the ARS entered no amounts or indicators for are named, not silently 0.
    assert dialogue.validated_values[1]["missing"]
    assert "Non compté dans la part variable (données manquantes)" in page
    assert dialogue.validated_values[1]["missing"][0] in page
    client.force_login(am)
    assert pay(client, 2, Kind.BALANCE, date(2026, 2, 20), "45000", project).status_code == 302
    assert schedule_of(contract, date(2026, 2, 20))[(2, Kind.BALANCE)].status == "paid"

    # Year 3: an avenant retakes the amounts of a new scale version (effective 1 June 2026).
    new_scale_from = date(2026, 6, 1)
    current = in_force_scale()
    current.valid_until = new_scale_from - timedelta(days=1)
    current.save()
    avenant_3 = FundingScale.objects.create(
        name="Avenant 3 (test)", source="Avenant 3 (test)", valid_from=new_scale_from
    )
    FundingRate.objects.create(
        scale=avenant_3, tier=1, item=FundingRate.FUNCTIONING, fixed_amount=100_000
    )
    clock.at(date(2026, 6, 10))
    services.add_amendment(
        contract,
        ars,
        date(2026, 6, 10),
        "Revalorisation du fonctionnement",
        pdf_file("avenant-3.pdf"),
        retake_amounts=True,
    )
    versions = selectors.terms_versions(contract)
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].terms["functioning"]["fixed"] == "100000.00"
    # Kept missions keep their frozen deadlines; amounts of missions not in the new scale
    # are unknown from now on (the avenant says so).
    schedule = schedule_of(contract, date(2026, 6, 10))
    # Year 3 started before the avenant: its advance is unchanged; year 4 takes the new terms.
    assert schedule[(3, Kind.ADVANCE)].amount == Decimal("76875.00")
    assert schedule[(4, Kind.ADVANCE)].amount == Decimal("75000.00")
    assert schedule[(1, Kind.SIGNATURE)].amount == Decimal("87500.00")

    # Years 3 to 5: reports submitted and validated.
    for year in range(3, 6):
        clock.at(rules.contract_end(SIGNED, year) - timedelta(days=10))
        client.force_login(owner)
        values = ["200", "10", "2"] if year < 4 else ["100", "10", "4"]
        assert submit_report(client, project, year, values).status_code == 302
        client.force_login(am)
        assert review(client, project, year).status_code == 302
    assert (
        AnnualReport.objects.filter(contract=contract, status=AnnualReport.Status.VALIDATED).count()
        == 5
    )
    final = schedule_of(contract, ends)
    assert all(final[(year, Kind.BALANCE)].amount is not None for year in range(1, 6))

    # The renewal is reminded 6 months before the term, then the ARS renews.
    due = [r for r in reminders.due_reminders(date(2028, 9, 14)) if r.kind == "fin_contrat"]
    assert [(r.item, r.due_on) for r in due] == [("contrat-6", ends)]
    clock.at(date(2029, 1, 10))
    client.force_login(ars)
    response = client.post(
        contract_url(project),
        {"outcome": "renouvele", "decided_on": "2029-01-10", "renewal_submit": ""},
    )
    assert response.status_code == 302
    # The renewal signs the next contract from the last terms (the avenant's); this one
    # stays, as history, in force until its term.
    contract.refresh_from_db()
    assert (contract.outcome, contract.is_current, contract.ends_on) == ("renouvele", False, ends)
    following = contract.next_contract
    assert (following.signed_on, following.ends_on, following.term_years) == (
        date(2029, 3, 15),
        date(2034, 3, 14),
        5,
    )
    assert (following.missions, following.cpts_name) == (contract.missions, contract.cpts_name)
    [renewal] = selectors.terms_versions(following)
    assert (renewal.version, renewal.effective_on) == (1, date(2029, 3, 15))
    assert renewal.terms["functioning"] == versions[1].terms["functioning"]
    assert selectors.terms_versions(contract)[-1].version == 2  # unchanged
    assert project.contract == contract  # until its term
    clock.at(date(2029, 3, 15))
    assert project.contract == following
    # Every step is in the history.
    comments = list(project.events.filter(kind="contract").values_list("comment", flat=True))
    assert any("Rapport annuel de l’année 5 validé" in c for c in comments)
    assert any("Avenant du 10/06/2026" in c for c in comments)
    assert any("Issue du contrat ACI : Renouvelé pour 5 ans" in c for c in comments)
    assert any("Solde après le rapport annuel de l’année 1" in c for c in comments)
    assert any(
        "Dialogue de gestion (années 1 à 2) du 10/02/2026 ; solde décidé" in c for c in comments
    )


# --- Rules ---------------------------------------------------------------------------------------


def test_variable_part_is_the_mean_share_of_the_targets_capped_at_one():
    terms = {"missions": [{"code": Mission.PREVENTION, "variable": "1000.00"}]}
    results = [
        {"mission": Mission.PREVENTION, "name": "a", "target": "10", "value": "20"},
        {"mission": Mission.PREVENTION, "name": "b", "target": "10", "value": "5"},
    ]
    part = rules.variable_part(terms, results)
    assert part.total == Decimal("750.00")
    results[1]["value"] = None
    part = rules.variable_part(terms, results)
    assert part.total == 0 and part.missing


def test_payment_schedule_without_functioning_amount_says_unknown():
    rows = rules.payment_schedule(SIGNED, [(SIGNED, {"missions": []})], {}, [], SIGNED)
    assert rows[0].amount is None and rows[0].kind == Kind.SIGNATURE
    assert len(rows) == 10  # five years, two lines each


def test_a_balance_decided_in_dialogue_replaces_the_computed_one_from_its_date():
    terms = {"functioning": {"fixed": "100.00"}, "missions": [], "advance_rate": "0.75"}
    validated = {1: rules.YearResult(date(2025, 3, 1), Decimal(40))}
    decided = {
        1: rules.DecidedBalance(Decimal(10), date(2025, 5, 2)),
        2: rules.DecidedBalance(Decimal(7), date(2026, 5, 2)),  # a year without a result
    }
    plain = rules.payment_schedule(SIGNED, [(SIGNED, terms)], validated, [], date(2025, 6, 1))
    assert (plain[1].amount, plain[1].due_on) == (Decimal(40), date(2025, 3, 1))  # 100 + 40 − 100
    assert plain[3].amount is None  # year 2 waits for its report
    rows = rules.payment_schedule(
        SIGNED, [(SIGNED, terms)], validated, [], date(2025, 6, 1), decided
    )
    one, two = rows[1], rows[3]
    assert (one.kind, one.amount, one.due_on, one.status) == (
        Kind.BALANCE,
        Decimal(10),
        date(2025, 5, 2),
        "late",
    )
    assert (two.kind, two.amount, two.due_on, two.status) == (
        Kind.BALANCE,
        Decimal(7),
        date(2026, 5, 2),
        "upcoming",
    )
    assert rules.computed_balance(SIGNED, [(SIGNED, terms)], 2, Decimal(5)) == Decimal(30)


# --- Dialogues de gestion ------------------------------------------------------------------------


def report_of(contract, year: int, status: str, values: tuple = ("200", "10", "4")):
    report = contract_services.report_for_year(contract, year)
    for entry, value in zip(report.results, values, strict=True):
        entry["value"] = value
    report.status = status
    report.save()
    return report


def test_a_pluriannual_dialogue_validates_the_submitted_reports_of_the_years_it_covers(
    contract, clock, client, ars
):
    clock.at(date(2026, 3, 1))
    report_of(contract, 1, AnnualReport.Status.SUBMITTED)
    report_of(contract, 2, AnnualReport.Status.SUBMITTED, ("100", "5", "2"))
    dialogue = contract_services.record_dialogue(
        contract, ars, first_year=1, year=2, held_on=date(2026, 3, 1), summary="Deux années"
    )
    assert list(dialogue.covered_years) == [1, 2]
    statuses = dict(contract.reports.values_list("year", "status"))
    assert statuses == {1: AnnualReport.Status.VALIDATED, 2: AnnualReport.Status.VALIDATED}
    # Computed balances: 102,500 + 30,000 − 87,500; 102,500 + 15,000 − 76,875.
    assert dialogue.decided_balances == {"1": "45000.00", "2": "40625.00"}
    assert [entry["year"] for entry in dialogue.validated_values] == [1, 2]
    client.force_login(ars)
    page = client.get(contract_url(contract.project)).content.decode()
    assert "(années 1 à 2)" in page
    assert page.count(f'href="#dialogue-{dialogue.pk}"') == 2  # in the rows of both years
    assert "Valeurs validées de l’année 1" in page and "Valeurs validées de l’année 2" in page
    assert "Rapport de l’année 1 : déjà validé." in page  # the form's notes


def test_a_dialogue_leaves_draft_and_to_complete_reports_unvalidated(
    contract, clock, client, ars, am
):
    clock.at(date(2027, 3, 20))
    report_of(contract, 1, AnnualReport.Status.DRAFT)
    report_of(contract, 2, AnnualReport.Status.TO_COMPLETE)
    report_of(contract, 3, AnnualReport.Status.SUBMITTED)
    client.force_login(ars)
    page = client.get(contract_url(contract.project)).content.decode()
    assert "Rapport de l’année 1 : en cours de saisie : ne sera pas validé." in page
    assert "Rapport de l’année 3 : transmis : sera validé" in page
    # No balance can be decided for a year whose report is a draft.
    with pytest.raises(ValidationError) as refused:
        contract_services.record_dialogue(
            contract, am, year=1, held_on=date(2027, 3, 20), summary="x", balance=Decimal(1)
        )
    assert "balance" in refused.value.error_dict
    # Nor a negative one, whoever calls the service.
    with pytest.raises(ValidationError) as refused:
        contract_services.record_dialogue(
            contract, am, year=3, held_on=date(2027, 3, 20), summary="x", balance=Decimal(-1)
        )
    assert refused.value.error_dict["balance"][0].messages == [
        "Un solde décidé ne peut être négatif."
    ]
    assert contract.reports.get(year=3).status == AnnualReport.Status.SUBMITTED
    response = client.post(
        contract_url(contract.project),
        {
            "first_year": 3,
            "year": 1,
            "held_on": "2027-03-20",
            "summary": "x",
            "dialogue_submit": "",
        },
    )
    assert response.status_code == 200
    assert "La première année couverte ne peut suivre la dernière." in response.content.decode()
    dialogue = contract_services.record_dialogue(
        contract, am, first_year=1, year=3, held_on=date(2027, 3, 20), summary="Trois années"
    )
    statuses = dict(contract.reports.values_list("year", "status"))
    assert statuses == {
        1: AnnualReport.Status.DRAFT,
        2: AnnualReport.Status.TO_COMPLETE,
        3: AnnualReport.Status.VALIDATED,
    }
    assert list(dialogue.decided_balances) == ["3"]
    assert [(entry["year"], "results" in entry) for entry in dialogue.validated_values] == [
        (1, False),
        (2, False),
        (3, True),
    ]
    page = client.get(contract_url(contract.project)).content.decode()
    assert "Année 1 : rapport non validé (En cours de saisie)" in page
    assert "Année 2 : rapport non validé (À compléter)" in page


def test_coordinators_and_urps_cannot_record_a_dialogue_nor_validate_through_it(
    contract, clock, client, owner, urps
):
    clock.at(date(2025, 3, 20))
    report_of(contract, 1, AnnualReport.Status.SUBMITTED)
    data = {
        "first_year": 1,
        "year": 1,
        "held_on": "2025-03-20",
        "summary": "x",
        "balance": "1",
        "dialogue_submit": "",
    }
    for user in (owner, urps):
        client.force_login(user)
        assert client.post(contract_url(contract.project), data).status_code == 403
        with pytest.raises(PermissionDenied):
            contract_services.record_dialogue(
                contract, user, year=1, held_on=date(2025, 3, 20), summary="x"
            )
    assert not contract.dialogues.exists()
    assert contract.reports.get().status == AnnualReport.Status.SUBMITTED


# --- Permissions ---------------------------------------------------------------------------------


def test_only_the_assurance_maladie_records_payments(
    contract, client, owner, outsider, ars, urps, am
):
    project = contract.project
    for user, expected in ((owner, 403), (ars, 403), (urps, 403), (outsider, 404)):
        client.force_login(user)
        assert pay(client, 1, Kind.SIGNATURE, SIGNED, "1", project).status_code == expected
    assert not ContractPayment.objects.exists()
    with pytest.raises(PermissionDenied):
        contract_services.record_payment(
            contract, ars, year=1, kind=Kind.SIGNATURE, paid_on=SIGNED, amount=Decimal(1)
        )
    client.force_login(am)
    response = pay(client, 1, Kind.SIGNATURE, date(2024, 1, 1), "1", project)
    assert response.status_code == 200
    assert "Un versement ne peut précéder la signature" in response.content.decode()
    assert pay(client, 1, Kind.SIGNATURE, SIGNED, "1", project).status_code == 302


def test_the_report_is_written_by_the_projects_coordinators_only(
    contract, clock, client, owner, colleague, outsider, ars, urps, am
):
    project = contract.project
    clock.at(date(2025, 3, 1))
    for user, expected in ((ars, 403), (urps, 403), (am, 403), (outsider, 404)):
        client.force_login(user)
        assert submit_report(client, project, 1, ["1", "1", "1"]).status_code == expected
        assert client.get(report_url(project, 1)).status_code == (404 if user == outsider else 200)
    assert not AnnualReport.objects.exists()
    client.force_login(colleague)
    response = client.post(report_url(project, 1), {"value_0": "12", "report_save": ""})
    assert response.status_code == 302
    assert AnnualReport.objects.get().status == AnnualReport.Status.DRAFT
    # Submitting needs every value; what was typed stays on the page.
    response = client.post(report_url(project, 1), {"value_0": "15", "report_submit": ""})
    assert response.status_code == 200
    assert "Indiquez la valeur atteinte de chaque indicateur" in response.content.decode()
    assert 'value="15"' in response.content.decode()
    # A year that has not begun cannot be reported; a year outside the contract is a 404.
    client.force_login(owner)
    assert submit_report(client, project, 3, ["1", "1", "1"]).status_code == 403
    assert client.get(report_url(project, 6)).status_code == 404


def test_a_report_sent_back_needs_a_comment_and_can_be_completed(
    contract, clock, client, owner, ars
):
    project = contract.project
    clock.at(date(2025, 3, 1))
    client.force_login(owner)
    submit_report(client, project, 1, ["1", "1", "1"])
    client.force_login(ars)
    response = review(client, project, 1, decision="completer")
    assert response.status_code == 200
    assert "Indiquez ce qui est à compléter." in response.content.decode()
    assert review(client, project, 1, "completer", "Justificatifs ?").status_code == 302
    assert AnnualReport.objects.get().status == AnnualReport.Status.TO_COMPLETE
    client.force_login(owner)
    assert submit_report(client, project, 1, ["2", "2", "2"]).status_code == 302
    assert AnnualReport.objects.get().status == AnnualReport.Status.SUBMITTED


def test_coordinators_and_urps_cannot_amend_renew_or_record_dialogues(
    contract, client, owner, urps
):
    project = contract.project
    for user in (owner, urps):
        client.force_login(user)
        for data in (
            {"outcome": "termine", "decided_on": "2029-01-10", "renewal_submit": ""},
            {"year": 1, "held_on": "2025-01-10", "summary": "x", "dialogue_submit": ""},
        ):
            assert client.post(contract_url(project), data).status_code == 403
    with pytest.raises(PermissionDenied):
        contract_services.decide_renewal(
            contract, owner, outcome="termine", decided_on=date(2029, 1, 10)
        )


def test_the_am_records_dialogues_but_only_the_ars_decides_the_renewal(contract, client, am):
    client.force_login(am)
    data = {"outcome": "termine", "decided_on": "2029-01-10", "renewal_submit": ""}
    assert client.post(contract_url(contract.project), data).status_code == 403
    with pytest.raises(ValidationError):
        contract_services.record_dialogue(
            contract, am, year=6, held_on=date(2025, 1, 1), summary="x"
        )


def test_an_ended_contract_cannot_be_renewed(contract, ars):
    contract_services.decide_renewal(contract, ars, outcome="termine", decided_on=date(2029, 1, 10))
    with pytest.raises(ValidationError):
        contract_services.decide_renewal(
            contract, ars, outcome="renouvele", decided_on=date(2029, 1, 11)
        )


# --- Query budget ---------------------------------------------------------------------------------


def test_the_contract_page_reads_in_the_same_queries_with_one_or_many_rows(
    contract, clock, client, am, ars, owner, django_assert_num_queries
):
    project = contract.project

    def add_year(year: int) -> None:
        ContractPayment.objects.create(
            contract=contract, year=year, kind=Kind.ADVANCE, paid_on=SIGNED, amount=1
        )
        AnnualReport.objects.create(
            contract=contract,
            year=year,
            status=AnnualReport.Status.VALIDATED,
            reviewed_at=timezone.now(),
            reviewed_by=ars,
            results=[
                {
                    "mission": Mission.PREVENTION,
                    "name": "a",
                    "unit": "",
                    "target": "4",
                    "value": "2",
                }
            ],
        )
        contract_services.record_dialogue(contract, ars, year=year, held_on=SIGNED, summary="x")

    add_year(1)
    for user in (owner, am):
        client.force_login(user)
        client.get(contract_url(project))  # warm the caches (session, site settings)
        with CaptureQueriesContext(connection) as one:
            assert client.get(contract_url(project)).status_code == 200
        if user == owner:
            for year in range(2, 6):
                add_year(year)
        with django_assert_num_queries(len(one)):
            assert client.get(contract_url(project)).status_code == 200
        if user == owner:
            for year in range(2, 6):
                ContractPayment.objects.filter(year=year).delete()
                AnnualReport.objects.filter(year=year).delete()
                contract.dialogues.filter(year=year).delete()


def test_reminders_are_sent_once_for_reports_payments_and_renewal(contract):
    ends = contract.ends_on
    for day in (date(2025, 2, 20), date(2025, 3, 1), date(2028, 9, 20), date(2028, 12, 20)):
        reminders.send_reminders(day)
        reminders.send_reminders(day)
    kinds = list(SentReminder.objects.values_list("kind", "item"))
    assert len(kinds) == len(set(kinds))
    assert ("rapport_annuel", "1") in kinds
    assert ("versement_aci", "avance-2") in kinds
    assert ("fin_contrat", "contrat-6") in kinds and ("fin_contrat", "contrat-3") in kinds
    assert ends == date(2029, 3, 14)


def test_the_admin_shows_a_dialogues_years_values_and_balances_read_only(
    contract, clock, client, ars
):
    clock.at(date(2025, 3, 20))
    report_of(contract, 1, AnnualReport.Status.SUBMITTED)
    contract_services.record_dialogue(
        contract, ars, first_year=1, year=1, held_on=date(2025, 3, 20), summary="x"
    )
    client.force_login(ars)
    url = reverse("admin:projects_acicontract_change", args=[contract.pk])
    page = client.get(url).content.decode()
    assert "45000.00" in page  # the decided balance of year 1, shown
    for name in ("first_year", "validated_values", "decided_balances"):
        assert f'name="dialogues-0-{name}"' not in page  # and not editable
    assert 'name="dialogues-0-summary"' in page
