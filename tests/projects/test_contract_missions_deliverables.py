"""Issue 17: mission deadlines met, late or missed; avenant 2's crisis plan as a deliverable."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects import contract_services, reminders, rules, selectors
from projects.models import (
    ContractDeliverable,
    FundingScale,
    Mission,
    MissionProgress,
    SentReminder,
)

from .contract_fixtures import SIGNED
from .helpers import pdf_file
from .test_contract_life import contract_url

pytestmark = pytest.mark.django_db
ON_TIME, LATE, MISSED, PENDING = "on_time", "late", "missed", "pending"


# --- Rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_by", "done_on", "today", "expected"),
    [
        (date(2024, 9, 15), date(2024, 9, 15), date(2025, 1, 1), ON_TIME),
        (date(2024, 9, 15), date(2024, 9, 16), date(2025, 1, 1), LATE),
        (date(2024, 9, 15), None, date(2024, 9, 16), MISSED),
        (date(2024, 9, 15), None, date(2024, 9, 15), PENDING),
        (None, date(2024, 9, 16), date(2025, 1, 1), None),
    ],
)
def test_deadline_status(due_by, done_on, today, expected):
    assert rules.deadline_status(due_by, done_on, today) == expected


def test_mission_progress_judges_each_step_from_the_frozen_schedule():
    terms = {
        "missions": [
            {
                "code": Mission.GP_ACCESS,
                "start_within_months": 6,
                "deployed_within_months": 18,
                "deadline_source": "ACI",
                "deadline_known": True,
                "deadline_source_status": "",
            },
            {
                "code": Mission.QUALITY,
                "start_within_months": None,
                "deployed_within_months": None,
                "deadline_source": "ACI",
                "deadline_known": True,
                "deadline_source_status": "",
            },
        ]
    }
    schedule = rules.mission_schedule(SIGNED, terms)
    progress = {Mission.GP_ACCESS.value: (date(2024, 9, 1), None, True)}
    access, quality = rules.mission_progress(schedule, progress, date(2025, 10, 1))
    assert (access.start_status, access.deployment_status) == (ON_TIME, MISSED)
    assert access.declared and access.missed
    assert (access.start_label, access.deployment_label) == (
        "dans les délais",
        "échéance dépassée",
    )
    assert (quality.start_status, quality.deployment_status) == (None, None)


def test_the_crisis_plan_is_required_by_the_scale_version_that_sets_a_delay():
    avenant = FundingScale(name="Avenant 2", source="Avenant 2", crisis_plan_within_months=6)
    [plan] = rules.contract_deliverables(avenant, date(2023, 8, 31))
    assert (plan["code"], plan["due_on"]) == ("plan_crise", "2024-02-29")
    assert plan["source"] == "Avenant 2"  # the scale's source when none of its own
    assert rules.contract_deliverables(FundingScale(name="ACI 2019"), SIGNED) == []
    assert rules.contract_deliverables(None, SIGNED) == []
    due = rules.deliverables_due({"deliverables": [plan]}, {}, date(2024, 3, 1))
    assert [(row.status, row.due_on) for row in due] == [("late", date(2024, 2, 29))]
    delivered = {"plan_crise": (date(2024, 3, 1), "recu")}
    [row] = rules.deliverables_due({"deliverables": [plan]}, delivered, date(2024, 3, 2))
    assert (row.status, row.delivered_late) == ("received", True)


def test_an_avenant_retaking_a_scale_with_the_plan_adds_it_from_its_date():
    previous = {"missions": [], "deliverables": []}
    fresh = {"missions": [], "deliverables": [{"code": "plan_crise", "due_on": "2022-06-20"}]}
    terms = rules.amended_terms(previous, fresh, [], retake_amounts=True)
    assert terms["deliverables"] == fresh["deliverables"]
    kept = {"missions": [], "deliverables": [{"code": "plan_crise", "due_on": "2021-01-01"}]}
    terms = rules.amended_terms(kept, fresh, [], retake_amounts=True)
    assert terms["deliverables"] == kept["deliverables"]
    assert "deliverables" not in rules.amended_terms(
        {"missions": []}, fresh, [], retake_amounts=False
    )


# --- Mission dates on the contract page ----------------------------------------------------------


def record(client, project, mission, started="", deployed=""):
    return client.post(
        contract_url(project),
        {
            "mission": mission,
            "started_on": started,
            "deployed_on": deployed,
            "progress_submit": "",
        },
    )


def test_staff_record_the_dates_and_the_page_says_met_late_or_missed(
    contract, clock, client, ars, am
):
    project = contract.project
    clock.at(date(2025, 10, 10))
    client.force_login(ars)
    # Accès au médecin traitant: start by 15/09/2024, deployed by 15/09/2025.
    response = record(client, project, Mission.GP_ACCESS, "2024-09-01", "2025-10-01")
    assert response.status_code == 302
    progress = MissionProgress.objects.get(mission=Mission.GP_ACCESS)
    assert (progress.declared, progress.recorded_by) == (False, ars)
    client.force_login(am)
    assert record(client, project, Mission.PREVENTION, "2025-01-10").status_code == 302
    page = client.get(contract_url(project)).content.decode()
    table = page.split('id="echeances-missions"')[1].split("</table>")[0]
    rows = {row.split("</th>")[0]: row for row in table.split('<th scope="row">')[1:]}
    access = rows["Accès aux soins : faciliter l’accès à un médecin traitant"]
    assert "dans les délais" in access and "en retard" in access
    # Crises sanitaires: nothing recorded, start deadline 15/09/2024 past.
    assert "échéance dépassée" in rows["Réponse aux crises sanitaires graves"]
    # Prévention: started 10/01/2025 before 15/03/2025; deployment due 15/03/2026.
    prevention = rows["Développement des actions territoriales de prévention"]
    assert "dans les délais" in prevention and "à venir" in prevention
    assert project.events.filter(comment__contains="démarrée le 01/09/2024").exists()


def test_coordinators_declare_dates_staff_confirm_them(
    contract, clock, client, owner, outsider, urps, ars
):
    project = contract.project
    clock.at(date(2024, 10, 1))
    client.force_login(owner)
    assert record(client, project, Mission.GP_ACCESS, "2024-09-20").status_code == 302
    assert MissionProgress.objects.get().declared
    page = client.get(contract_url(project)).content.decode()
    assert "dates déclarées par la CPTS" in page and "en retard" in page
    # Errors are shown next to the field, nothing saved.
    response = record(client, project, Mission.GP_ACCESS, "2024-01-01")
    assert response.status_code == 200
    assert "Cette date précède la signature du contrat." in response.content.decode()
    response = record(client, project, Mission.GP_ACCESS, "2024-09-20", "2024-09-10")
    assert "Le déploiement complet ne peut précéder le démarrage." in response.content.decode()
    assert record(client, project, Mission.GP_ACCESS, "2024-12-01").status_code == 200
    client.force_login(ars)
    assert record(client, project, Mission.GP_ACCESS, "2024-09-10").status_code == 302
    progress = MissionProgress.objects.get()
    assert (progress.started_on, progress.declared) == (date(2024, 9, 10), False)
    # Recorded by staff: the coordinators can no longer change the dates.
    client.force_login(owner)
    assert record(client, project, Mission.GP_ACCESS, "2024-09-01").status_code == 403
    client.force_login(urps)
    assert record(client, project, Mission.PREVENTION, "2024-09-01").status_code == 403
    client.force_login(outsider)
    assert record(client, project, Mission.PREVENTION, "2024-09-01").status_code == 404
    with pytest.raises(PermissionDenied):
        contract_services.record_mission_progress(
            contract, urps, mission=Mission.PREVENTION, started_on=None, deployed_on=None
        )
    contract.missions = [Mission.GP_ACCESS.value]
    with pytest.raises(ValidationError):
        contract_services.record_mission_progress(
            contract, ars, mission=Mission.PREVENTION, started_on=None, deployed_on=None
        )


# --- Crisis plan ---------------------------------------------------------------------------------


def deliver(client, project, name="plan.pdf"):
    return client.post(
        contract_url(project),
        {"code": "plan_crise", "file": pdf_file(name), "deliverable_submit": ""},
    )


def deliverables_table(page: str) -> str:
    return page.split('id="table-livrables"')[1].split("</table>")[0]


def mark(client, project, deliverable, status):
    return client.post(
        contract_url(project),
        {"deliverable": deliverable.pk, "status": status, "deliverable_review_submit": ""},
    )


def test_the_crisis_plan_is_due_delivered_and_validated(
    contract, clock, client, owner, colleague, outsider, ars, am, urps
):
    project = contract.project
    # Signed under avenant 2's scale: the plan is due 6 months after the signature.
    [plan] = selectors.current_terms(contract).terms["deliverables"]
    assert (plan["code"], plan["due_on"]) == ("plan_crise", "2024-09-15")
    clock.at(date(2024, 9, 20))
    client.force_login(ars)
    page = client.get(contract_url(project)).content.decode()
    table = deliverables_table(page)
    assert "Plan de gestion de crise sanitaire" in table and "En retard" in table
    assert "15 septembre 2024" in table
    assert "délai de 6 mois, celui du démarrage de la mission" in page  # its source
    # Only the coordinators deliver it.
    for user, expected in ((ars, 403), (am, 403), (urps, 403), (outsider, 404)):
        client.force_login(user)
        assert deliver(client, project).status_code == expected
    client.force_login(colleague)
    assert deliver(client, project, "plan-de-crise.pdf").status_code == 302
    file = ContractDeliverable.objects.get()
    assert (file.status, file.uploaded_by) == (ContractDeliverable.Status.DELIVERED, colleague)
    page = client.get(contract_url(project)).content.decode()
    table = deliverables_table(page)
    assert "plan-de-crise.pdf" in table and "remis après l’échéance" in table
    assert "Déposé, à examiner" in table and "En retard" not in table
    assert 'name="deliverable_review_submit"' not in page  # coordinators do not examine it
    for user in (owner, ars, am, urps):
        client.force_login(user)
        assert client.get(file.get_absolute_url()).status_code == 200
    client.force_login(outsider)
    assert client.get(file.get_absolute_url()).status_code == 404
    # The ARS marks it received then validated; the AM and coordinators cannot.
    for user in (am, owner):
        client.force_login(user)
        assert mark(client, project, file, "valide").status_code == 403
    client.force_login(ars)
    assert mark(client, project, file, "recu").status_code == 302
    assert mark(client, project, file, "valide").status_code == 302
    file.refresh_from_db()
    assert (file.status, file.reviewed_by) == (ContractDeliverable.Status.VALIDATED, ars)
    table = deliverables_table(client.get(contract_url(project)).content.decode())
    assert "Validé par l’ARS</p>" in table
    with pytest.raises(ValidationError):
        contract_services.review_deliverable(file, ars, status="depose")


def test_a_refused_plan_is_explained_next_to_the_field(contract, clock, client, owner):
    clock.at(date(2024, 6, 1))
    client.force_login(owner)
    response = client.post(
        contract_url(contract.project),
        {
            "code": "plan_crise",
            "file": pdf_file("plan.pdf", b"not a pdf"),
            "deliverable_submit": "",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_livrable_file"' in page and "n’est pas un document PDF" in page
    assert not ContractDeliverable.objects.exists()


def test_a_contract_whose_scale_sets_no_plan_requires_none(contract, clock, client, owner):
    terms = selectors.current_terms(contract)
    terms.terms["deliverables"] = []
    terms.save()
    client.force_login(owner)
    page = client.get(contract_url(contract.project)).content.decode()
    assert 'id="livrables"' not in page
    with pytest.raises(ValidationError):
        contract_services.add_deliverable(contract, owner, code="plan_crise", upload=pdf_file())


def test_the_plan_is_reminded_once_until_it_is_delivered(contract, clock, owner):
    reminders.send_reminders(date(2024, 8, 20))
    reminders.send_reminders(date(2024, 8, 21))
    sent = SentReminder.objects.filter(kind=SentReminder.Kind.DELIVERABLE_DUE)
    assert [(r.item, r.due_on) for r in sent] == [("plan_crise", date(2024, 9, 15))]
    SentReminder.objects.all().delete()
    clock.at(date(2024, 8, 22))
    contract_services.add_deliverable(contract, owner, code="plan_crise", upload=pdf_file())
    reminders.send_reminders(date(2024, 8, 23))
    assert not SentReminder.objects.filter(kind=SentReminder.Kind.DELIVERABLE_DUE).exists()
