"""Daily reminders through the outbox, each sent once per due item (the clock is frozen:
the selection takes ``today``, the task reads a patched ``timezone.localdate``)."""

from datetime import date

import pytest
from django.conf import settings

from notifications.models import OutgoingEmail
from projects import reminders, workflow
from projects.models import AnnualReport, ManagementDialogue, SentReminder, Stage
from projects.tasks import send_project_reminders

from .helpers import sign_contract

pytestmark = pytest.mark.django_db
Kind = SentReminder.Kind
SIGNED = date(2023, 8, 31)


def emails(kind: str | None = None) -> list[OutgoingEmail]:
    rows = OutgoingEmail.objects.filter(template="projects/emails/reminder").order_by("pk")
    if kind is None:
        return list(rows)
    return [row for row in rows if row.pk in sent_email_ids(kind)]


def sent_email_ids(kind: str) -> set[int]:
    """The outbox rows queued with reminders of ``kind`` (matched by their subject)."""
    words = {
        Kind.MILESTONE_OVERDUE: "en retard",
        Kind.MISSION_START: "démarrage de mission",
        Kind.MISSION_DEPLOYMENT: "déploiement de mission",
        Kind.DIALOGUE: "dialogue de gestion",
        Kind.CONTRACT_END: "fin du contrat",
        Kind.REPORT_DUE: "rapport annuel",
        Kind.PAYMENT_DUE: "versement",
    }[kind]
    return set(OutgoingEmail.objects.filter(subject__contains=words).values_list("pk", flat=True))


def run(day: date) -> int:
    return reminders.send_reminders(day)


@pytest.fixture
def contract(project, owner, ars, urps, am):
    return sign_contract(project, SIGNED, coordinator=owner, ars=ars, urps=urps, am=am)


# --- Overdue milestones ---------------------------------------------------------------


def test_overdue_milestone_is_reminded_once_the_day_after_its_due_date(project, owner, colleague):
    milestone = project.milestones.get(code="diagnostic")
    milestone.due_on = date(2024, 5, 10)
    milestone.save()
    assert run(date(2024, 5, 9)) == 0
    assert run(date(2024, 5, 10)) == 0  # due today: not late yet
    assert run(date(2024, 5, 11)) == 1
    sent = emails()
    assert sorted(email.recipient for email in sent) == sorted([owner.email, colleague.email])
    assert sent[0].subject == "Projet « CPTS du Pays de Douarnenez » : un jalon en retard"
    assert "Réaliser un diagnostic du territoire (échéance le 10 mai 2024)" in sent[0].body_text
    assert "#jalons" in sent[0].body_text
    # Once: the task runs again the same day, the next day, a week later.
    for day in (date(2024, 5, 11), date(2024, 5, 12), date(2024, 5, 18)):
        assert run(day) == 0
    assert len(emails()) == 2
    reminder = SentReminder.objects.get()
    assert (reminder.kind, reminder.item, reminder.due_on, reminder.recipient_count) == (
        Kind.MILESTONE_OVERDUE,
        str(milestone.pk),
        date(2024, 5, 10),
        2,
    )


def test_a_new_due_date_is_reminded_again_and_a_done_milestone_never(project):
    milestone = project.milestones.get(code="diagnostic")
    milestone.due_on = date(2024, 5, 10)
    milestone.save()
    assert run(date(2024, 5, 11)) == 1
    milestone.due_on = date(2024, 6, 1)
    milestone.save()
    assert run(date(2024, 5, 20)) == 0
    assert run(date(2024, 6, 2)) == 1
    milestone.done_on = date(2024, 6, 3)
    milestone.due_on = date(2024, 6, 2)
    milestone.save()
    assert run(date(2024, 6, 10)) == 0


def test_several_overdue_milestones_make_one_email_per_recipient(project, owner, colleague):
    project.milestones.filter(code__in=["diagnostic", "pilote", "association"]).update(
        due_on=date(2024, 5, 10)
    )
    assert run(date(2024, 6, 1)) == 3
    assert len(emails()) == 2  # owner and colleague
    assert emails()[0].subject.endswith(": 3 jalons en retard")
    assert SentReminder.objects.count() == 3


def test_abandoned_projects_are_not_reminded(project, owner):
    project.milestones.filter(code="diagnostic").update(due_on=date(2024, 5, 10))
    workflow.transition(project, Stage.ABANDONED, by=owner, comment="Fin")
    assert run(date(2024, 6, 1)) == 0


def test_nothing_is_recorded_while_nobody_can_be_told(project, owner, colleague):
    project.coordinators.clear()
    project.milestones.filter(code="diagnostic").update(due_on=date(2024, 5, 10))
    assert run(date(2024, 5, 11)) == 0
    assert not SentReminder.objects.exists()
    project.coordinators.add(owner)
    assert run(date(2024, 5, 12)) == 1
    assert [email.recipient for email in emails()] == [owner.email]


# --- ACI contract ------------------------------------------------------------------------


def test_mission_start_reminded_one_month_before_its_deadline(
    contract, owner, colleague, ars, am, urps
):
    # Accès aux soins and crises sanitaires: start within 6 months of 31/08/2023: 29/02/2024.
    assert run(date(2024, 1, 28)) == 0
    # Three mission starts, and avenant 2's crisis plan due the same day (6 months).
    assert run(date(2024, 1, 29)) == 4
    assert [r.item for r in SentReminder.objects.filter(kind=Kind.DELIVERABLE_DUE)] == [
        "plan_crise"
    ]
    sent = emails(Kind.MISSION_START)
    expected = {owner.email, colleague.email, ars.email, am.email}
    assert {email.recipient for email in sent} == expected
    assert urps.email not in {email.recipient for email in emails()}
    body = sent[0].body_text
    assert "faciliter l’accès à un médecin traitant : au plus tard le 29 février 2024" in body
    assert "Réponse aux crises sanitaires graves : au plus tard le 29 février 2024" in body
    assert "/contrat/" in body
    assert run(date(2024, 1, 29)) == 0
    assert run(date(2024, 2, 29)) == 0
    # Parcours and prévention: within 12 months, 31/08/2024; reminded from 31/07/2024.
    assert run(date(2024, 7, 30)) == 2  # the dialogue and the report of year 1 (see below)
    assert run(date(2024, 7, 31)) == 3  # and the advance of year 2 (Assurance Maladie)
    assert {r.item for r in SentReminder.objects.filter(kind=Kind.MISSION_START)} == {
        "acces_medecin_traitant",
        "soins_non_programmes",
        "crises_sanitaires",
        "parcours_pluriprofessionnels",
        "prevention",
    }


def test_full_deployment_reminded_one_month_before_and_optional_missions_never(contract):
    # Accès aux soins: fully deployed within 18 months of 31/08/2023: 28/02/2025.
    assert not [
        r for r in reminders.due_reminders(date(2025, 1, 27)) if r.kind == Kind.MISSION_DEPLOYMENT
    ]
    due = [
        r for r in reminders.due_reminders(date(2025, 1, 28)) if r.kind == Kind.MISSION_DEPLOYMENT
    ]
    assert {(r.item, r.due_on) for r in due} == {
        ("acces_medecin_traitant", date(2025, 2, 28)),
        ("soins_non_programmes", date(2025, 2, 28)),
        ("crises_sanitaires", date(2025, 2, 28)),
    }
    every_day = [
        reminder
        for month in range(1, 13)
        for reminder in reminders.due_reminders(date(2024, month, 15))
    ]
    assert not [r for r in every_day if r.item == "qualite_pertinence"]


def test_annual_dialogue_reminded_one_month_before_unless_recorded(contract, ars):
    # Year 1 runs from 31/08/2023 to 30/08/2024.
    assert run(date(2024, 7, 29)) == 0
    assert run(date(2024, 7, 30)) == 2  # the dialogue and the annual report
    [email] = [e for e in emails(Kind.DIALOGUE) if e.recipient == ars.email]
    assert "Le dialogue de gestion de l’année 1" in email.body_text
    assert "au plus tard le 30 août 2024" in email.body_text
    run(date(2024, 8, 15))  # parcours and prévention start by 31/08/2024: reminded now
    assert SentReminder.objects.filter(kind=Kind.DIALOGUE).count() == 1
    # Year 2: recorded in advance, so not reminded.
    ManagementDialogue.objects.create(
        contract=contract, year=2, held_on=date(2025, 6, 1), summary="Fait"
    )
    assert not [r for r in reminders.due_reminders(date(2025, 8, 1)) if r.kind == Kind.DIALOGUE]
    # Years 3 and 4: one pluriannual dialogue, recorded on its last year, covers both.
    ManagementDialogue.objects.create(
        contract=contract, first_year=3, year=4, held_on=date(2026, 6, 1), summary="Fait"
    )
    assert not [r for r in reminders.due_reminders(date(2026, 8, 1)) if r.kind == Kind.DIALOGUE]


def test_contract_end_reminded_six_months_before(contract, owner):
    assert contract.ends_on == date(2028, 8, 30)
    assert not [
        r for r in reminders.due_reminders(date(2028, 2, 28)) if r.kind == Kind.CONTRACT_END
    ]
    assert run(date(2028, 2, 29)) == 1
    [email] = [e for e in emails(Kind.CONTRACT_END) if e.recipient == owner.email]
    assert (
        email.subject
        == "Contrat ACI de « CPTS du Pays de Douarnenez » : fin du contrat le 30 août 2028"
    )
    assert "prend fin le 30 août 2028, dans moins de 6 mois" in email.body_text
    assert run(date(2028, 5, 1)) == 0
    assert SentReminder.objects.filter(kind=Kind.CONTRACT_END).count() == 1


def test_renewal_reminded_again_three_months_before_unless_decided(contract, owner, ars):
    from projects import contract_services

    run(date(2028, 2, 29))
    assert run(date(2028, 5, 29)) == 0
    assert run(date(2028, 5, 30)) == 1
    last = [e for e in emails(Kind.CONTRACT_END) if e.recipient == owner.email][-1]
    assert "dans moins de 3 mois" in last.body_text
    assert SentReminder.objects.filter(kind=Kind.CONTRACT_END).count() == 2
    # Once the ARS has decided, no reminder of the end.
    SentReminder.objects.filter(kind=Kind.CONTRACT_END).delete()
    contract_services.decide_renewal(contract, ars, outcome="termine", decided_on=date(2028, 1, 10))
    assert not [r for r in reminders.due_reminders(date(2028, 6, 1)) if r.kind == Kind.CONTRACT_END]


def test_annual_report_reminded_once_unless_submitted(contract, owner, ars):
    due = [r for r in reminders.due_reminders(date(2024, 7, 30)) if r.kind == Kind.REPORT_DUE]
    assert [(r.item, r.due_on) for r in due] == [("1", date(2024, 8, 30))]
    run(date(2024, 7, 30))
    [email] = [e for e in emails(Kind.REPORT_DUE) if e.recipient == owner.email]
    assert "Le rapport annuel de l’année 1" in email.body_text
    run(date(2024, 8, 1))
    assert SentReminder.objects.filter(kind=Kind.REPORT_DUE).count() == 1
    # A report submitted before its year ends is not reminded.
    AnnualReport.objects.create(contract=contract, year=2, status=AnnualReport.Status.SUBMITTED)
    assert not [r for r in reminders.due_reminders(date(2025, 8, 1)) if r.kind == Kind.REPORT_DUE]


def test_payment_due_reminded_to_the_assurance_maladie_only(contract, owner, am):
    due = [r for r in reminders.due_reminders(date(2024, 7, 31)) if r.kind == Kind.PAYMENT_DUE]
    assert [(r.item, r.due_on) for r in due] == [("avance-2", date(2024, 8, 31))]
    run(date(2024, 7, 31))
    sent = emails(Kind.PAYMENT_DUE)
    assert [email.recipient for email in sent] == [am.email]
    assert "Avance à la date anniversaire — 2" in sent[0].body_text


def test_a_missed_day_is_caught_up_until_the_deadline_not_after(contract):
    # The task did not run from 29/01 to 19/02: three mission starts and the crisis plan.
    assert run(date(2024, 2, 20)) == 4
    assert not [
        r for r in reminders.due_reminders(date(2025, 3, 1)) if r.kind == Kind.MISSION_DEPLOYMENT
    ]


def test_the_running_stage_keeps_the_contract_reminders(contract, project, ars):
    workflow.transition(project, Stage.RUNNING, by=ars)
    assert run(date(2024, 1, 29)) == 4  # three mission starts and the crisis plan


# --- Once, even when two runs overlap ------------------------------------------------------


def test_two_runs_that_selected_the_same_items_send_them_once(project, monkeypatch):
    project.milestones.filter(code="diagnostic").update(due_on=date(2024, 5, 10))
    stale = reminders.due_reminders(date(2024, 5, 11))  # both runs selected before sending
    monkeypatch.setattr(reminders, "due_reminders", lambda today: stale)
    assert run(date(2024, 5, 11)) == 1
    assert run(date(2024, 5, 11)) == 0
    assert len(emails()) == 2  # owner and colleague, once
    assert SentReminder.objects.count() == 1


def test_the_database_refuses_a_second_row_for_the_same_item(project):
    from django.db import IntegrityError, transaction

    SentReminder.objects.create(
        project=project, kind=Kind.CONTRACT_END, item="contrat", due_on=SIGNED
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SentReminder.objects.create(
            project=project, kind=Kind.CONTRACT_END, item="contrat", due_on=SIGNED
        )


# --- The Celery task -------------------------------------------------------------------


def test_daily_task_uses_the_local_date(project, monkeypatch):
    project.milestones.filter(code="diagnostic").update(due_on=date(2024, 5, 10))
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: date(2024, 5, 10)
    )
    assert send_project_reminders.delay().get() == 0
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: date(2024, 5, 11)
    )
    assert send_project_reminders.delay().get() == 1
    assert send_project_reminders.delay().get() == 0


def test_task_is_scheduled_daily_by_celery_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["send-project-reminders"]
    assert entry["task"] == "projects.tasks.send_project_reminders"
    assert entry["schedule"] == 24 * 60 * 60
