"""Issue 17, item 6: a renewal signs the next contract from the last terms; the previous
one stays as history, reachable and still followed until its term."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import contract_services, reminders, rules, selectors
from projects.models import AciContract, ContractPayment, Mission, SentReminder

from .test_contract_life import contract_url, report_url

pytestmark = pytest.mark.django_db
ENDS = date(2029, 3, 14)
NEXT = date(2029, 3, 15)


def renew(client, project) -> None:
    response = client.post(
        contract_url(project),
        {"outcome": "renouvele", "decided_on": "2029-01-10", "renewal_submit": ""},
    )
    assert response.status_code == 302


def test_renewal_terms_keep_amounts_and_indicators_without_new_deadlines():
    last = {
        "term_years": 5,
        "advance_rate": "0.75",
        "functioning": {"fixed": "100000.00"},
        "missions": [
            {
                "code": Mission.GP_ACCESS,
                "start_within_months": 6,
                "deployed_within_months": 18,
                "deadline_known": True,
                "deadline_source": "ACI",
                "deadline_source_status": "secondaire",
                "fixed": "10000.00",
                "variable": "20000.00",
                "indicators": [{"name": "a", "unit": "", "target": "4.00"}],
            }
        ],
        "deliverables": [{"code": "plan_crise", "due_on": "2024-09-15"}],
    }
    terms = rules.renewal_terms(last)
    [access] = terms["missions"]
    assert (access["fixed"], access["variable"], access["indicators"]) == (
        "10000.00",
        "20000.00",
        [{"name": "a", "unit": "", "target": "4.00"}],
    )
    assert (access["start_within_months"], access["deployed_within_months"]) == (None, None)
    assert terms["functioning"] == {"fixed": "100000.00"} and terms["deliverables"] == []
    assert last["missions"][0]["start_within_months"] == 6  # the previous terms untouched
    [schedule] = rules.mission_schedule(NEXT, terms)
    assert schedule.free and "Contrat renouvelé" in schedule.source


def test_the_renewal_creates_the_next_contract_and_keeps_the_previous_one(
    contract, clock, client, owner, ars, am
):
    project = contract.project
    clock.at(date(2029, 1, 10))
    client.force_login(ars)
    renew(client, project)
    following = AciContract.objects.get(previous=contract)
    contract.refresh_from_db()
    assert (contract.is_current, following.is_current) == (False, True)
    assert (following.signed_on, following.ends_on) == (NEXT, date(2034, 3, 14))
    # Frozen copy: later tables or a new avenant on one contract never change the other.
    assert (
        selectors.current_terms(following).terms["missions"][0]["fixed"]
        == (selectors.current_terms(contract).terms["missions"][0]["fixed"])
    )
    # Until the term, the project's contract page is the previous contract, with a link to
    # the next one; the renewal form is gone.
    page = client.get(contract_url(project)).content.decode()
    assert "Renouvelé pour 5 ans" in page and 'name="renewal_submit"' not in page
    assert following.page_url() in page and "Contrat suivant (renouvellement)" in page
    assert following.page_url() == reverse(
        "projects:contract_of", kwargs={"pk": project.pk, "contract_pk": following.pk}
    )
    page = client.get(following.page_url()).content.decode()
    assert "15 mars 2029" in page and "Contrat précédent" in page
    assert contract.page_url() in page
    # The previous contract is still followed: its last report and payment.
    clock.at(date(2029, 3, 1))
    client.force_login(owner)
    response = client.post(
        contract.report_url(5),
        {"value_0": "1", "value_1": "1", "value_2": "1", "comment": "x", "report_submit": ""},
    )
    assert response.status_code == 302 and response["Location"] == contract.report_url(5)
    assert contract.reports.get(year=5).status == "transmis"
    assert not following.reports.exists()
    client.force_login(am)
    response = client.post(
        contract.page_url(),
        {
            "year": 5,
            "kind": ContractPayment.Kind.ADVANCE,
            "paid_on": "2029-03-01",
            "amount": "10",
            "payment_submit": "",
        },
    )
    assert response.status_code == 302 and response["Location"].startswith(contract.page_url())
    assert contract.payments.get().amount == Decimal(10)
    # From the term on, the project's contract is the new one.
    clock.at(NEXT)
    client.force_login(am)  # the session expired with the moved clock
    page = client.get(contract_url(project)).content.decode()
    assert "Contrat précédent" in page and "14 mars 2034" in page
    client.force_login(owner)
    page = client.get(report_url(project, 1)).content.decode()  # the new contract's year 1
    assert "Année du contrat du 15 mars 2029 au 14 mars 2030" in page


def test_the_contracts_of_another_project_are_not_reachable(
    contract, clock, client, ars, outsider, other_project
):
    project = contract.project
    clock.at(date(2029, 1, 10))
    following = contract_services.decide_renewal(
        contract, ars, outcome="renouvele", decided_on=date(2029, 1, 10)
    )
    client.force_login(outsider)
    assert client.get(following.page_url()).status_code == 404
    assert client.get(contract.report_url(1)).status_code == 404
    client.force_login(ars)
    wrong = reverse(
        "projects:contract_of", kwargs={"pk": other_project.pk, "contract_pk": contract.pk}
    )
    assert client.get(wrong).status_code == 404
    wrong = reverse(
        "projects:contract_report_of",
        kwargs={"pk": other_project.pk, "contract_pk": contract.pk, "year": 1},
    )
    assert client.get(wrong).status_code == 404
    assert client.get(following.report_pdf_url(1)).status_code == 200
    assert project.contracts.count() == 2


def test_an_ended_contract_signs_nothing_and_an_outcome_is_recorded_once(contract, ars):
    assert (
        contract_services.decide_renewal(
            contract, ars, outcome="termine", decided_on=date(2029, 1, 10)
        )
        is None
    )
    assert contract.project.contracts.count() == 1
    with pytest.raises(ValidationError):
        contract_services.decide_renewal(
            contract, ars, outcome="renouvele", decided_on=date(2029, 1, 11)
        )


def test_the_next_contract_is_reminded_of_its_own_years_not_of_new_mission_deadlines(
    contract, clock, ars
):
    following = contract_services.decide_renewal(
        contract, ars, outcome="renouvele", decided_on=date(2029, 1, 10)
    )
    reminders.send_reminders(date(2029, 8, 20))  # 6 months after the next signature
    assert not SentReminder.objects.filter(kind__in=["demarrage_mission", "livrable_aci"])
    reminders.send_reminders(date(2030, 2, 20))
    sent = set(SentReminder.objects.values_list("kind", "item", "due_on"))
    assert ("rapport_annuel", "1", date(2030, 3, 14)) in sent
    # Its own renewal, 6 months before its term.
    reminders.send_reminders(date(2033, 9, 20))
    assert ("fin_contrat", "contrat-6") in set(SentReminder.objects.values_list("kind", "item"))
    assert following.ends_on == date(2034, 3, 14)
