"""projects.workflow: the table of stage changes, its roles, history and notifications."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from notifications.models import OutgoingEmail
from projects import workflow
from projects.models import CptsProject, Milestone, ProjectEvent, Stage
from projects.models.choices import ACTIVE_STAGES
from tests.factories import UserFactory

from .helpers import advance_to, complete_letter

pytestmark = pytest.mark.django_db


def people(owner, ars, urps, am):
    return {"coordinator": owner, "ars": ars, "urps": urps, "am": am}


def test_coordinator_deposits_a_complete_letter_with_history_and_key_date(project, owner):
    complete_letter(project, owner)
    event = workflow.transition(project, Stage.LETTER_DEPOSITED, by=owner, comment="Voici")
    project.refresh_from_db()
    assert project.stage == Stage.LETTER_DEPOSITED
    assert project.letter_deposited_on == timezone.localdate()
    assert (event.kind, event.from_state, event.to_state, event.author, event.comment) == (
        ProjectEvent.Kind.STAGE_CHANGED,
        Stage.DRAFT,
        Stage.LETTER_DEPOSITED,
        owner,
        "Voici",
    )


def test_deposit_marks_the_memo_milestones_done(project, owner):
    complete_letter(project, owner)
    workflow.transition(project, Stage.LETTER_DEPOSITED, by=owner)
    done = set(
        Milestone.objects.filter(project=project, done_on__isnull=False).values_list(
            "code", flat=True
        )
    )
    assert done == {"rediger_lettre", "cerfa", "deposer_lettre"}


@pytest.mark.parametrize("who", ["ars", "urps", "am", "outsider"])
def test_only_the_projects_own_coordinators_deposit_the_letter(project, owner, who, request):
    complete_letter(project, owner)
    user = request.getfixturevalue(who)
    with pytest.raises(workflow.TransitionNotAllowed, match="Votre rôle"):
        workflow.transition(project, Stage.LETTER_DEPOSITED, by=user)
    assert CptsProject.objects.get(pk=project.pk).stage == Stage.DRAFT


def test_colleague_coordinator_may_deposit(project, owner, colleague):
    complete_letter(project, owner)
    workflow.transition(project, Stage.LETTER_DEPOSITED, by=colleague)
    assert project.stage == Stage.LETTER_DEPOSITED


def test_coordinator_removed_from_the_group_can_no_longer_act(project, owner):
    complete_letter(project, owner)
    owner.groups.clear()
    with pytest.raises(workflow.TransitionNotAllowed, match="Votre rôle"):
        workflow.transition(project, Stage.LETTER_DEPOSITED, by=owner)


def test_move_absent_from_the_table_is_refused_with_a_message(project, ars):
    with pytest.raises(
        workflow.TransitionNotAllowed,
        match="« Avant-projet » ne peut pas passer à l’étape « Contrat ACI signé »",
    ):
        workflow.transition(project, Stage.CONTRACT_SIGNED, by=ars, signed_on=timezone.localdate())


@pytest.mark.parametrize(
    ("stage", "target", "allowed", "refused"),
    [
        (Stage.LETTER_DEPOSITED, Stage.LETTER_TO_COMPLETE, ["urps", "ars"], ["am", "coordinator"]),
        (Stage.URPS_OPINION, Stage.LETTER_VALIDATED, ["ars"], ["urps", "am", "coordinator"]),
        (
            Stage.LETTER_VALIDATED,
            Stage.HEALTH_PROJECT_DRAFTING,
            ["coordinator", "ars"],
            ["urps", "am"],
        ),
        (
            Stage.HEALTH_PROJECT_DRAFTING,
            Stage.HEALTH_PROJECT_DEPOSITED,
            ["coordinator"],
            ["ars", "urps", "am"],
        ),
        (
            Stage.HEALTH_PROJECT_DEPOSITED,
            Stage.HEALTH_PROJECT_TO_COMPLETE,
            ["ars", "am"],
            ["urps", "coordinator"],
        ),
        (
            Stage.HEALTH_PROJECT_DEPOSITED,
            Stage.HEALTH_PROJECT_VALIDATED,
            ["ars"],
            ["urps", "am", "coordinator"],
        ),
        (
            Stage.HEALTH_PROJECT_VALIDATED,
            Stage.CONTRACT_SIGNED,
            ["ars", "am"],
            ["urps", "coordinator"],
        ),
        (Stage.CONTRACT_SIGNED, Stage.RUNNING, ["ars", "am"], ["urps", "coordinator"]),
        (Stage.RUNNING, Stage.ABANDONED, ["ars", "coordinator"], ["urps", "am"]),
    ],
)
def test_allowed_targets_follow_the_table_by_role(
    project, owner, ars, urps, am, stage, target, allowed, refused
):
    everyone = people(owner, ars, urps, am)
    advance_to(project, stage, coordinator=owner, ars=ars, urps=urps, am=am)
    for who in allowed:
        assert target in workflow.allowed_targets(project, everyone[who]), who
    for who in refused:
        assert target not in workflow.allowed_targets(project, everyone[who]), who


def test_the_whole_pipeline_from_draft_to_running(project, owner, ars, urps, am):
    advance_to(project, Stage.RUNNING, coordinator=owner, ars=ars, urps=urps, am=am)
    project.refresh_from_db()
    assert project.fir_amount == Decimal("30000.00")
    assert project.contract.missions == project.health_project.missions
    stages = list(project.events.filter(kind="stage_changed").values_list("to_state", flat=True))
    assert stages == [
        Stage.LETTER_DEPOSITED,
        Stage.URPS_OPINION,
        Stage.LETTER_VALIDATED,
        Stage.HEALTH_PROJECT_DRAFTING,
        Stage.HEALTH_PROJECT_DEPOSITED,
        Stage.HEALTH_PROJECT_VALIDATED,
        Stage.CONTRACT_SIGNED,
        Stage.RUNNING,
    ]


def test_letter_validation_needs_the_fir_amount_and_date(project, owner, ars, urps, am):
    advance_to(project, Stage.URPS_OPINION, coordinator=owner, ars=ars, urps=urps, am=am)
    with pytest.raises(workflow.TransitionNotAllowed) as refusal:
        workflow.transition(project, Stage.LETTER_VALIDATED, by=ars, fir_amount=Decimal("1"))
    assert refusal.value.missing == ["La date du financement FIR"]


def test_health_project_validation_waits_for_the_assurance_maladie_opinion(
    project, owner, ars, urps, am
):
    advance_to(
        project, Stage.HEALTH_PROJECT_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am
    )
    with pytest.raises(workflow.TransitionNotAllowed) as refusal:
        workflow.transition(project, Stage.HEALTH_PROJECT_VALIDATED, by=ars)
    assert refusal.value.missing == ["L’avis de l’Assurance Maladie sur le projet de santé déposé"]


def test_sending_back_needs_reasons_and_the_coordinator_deposits_again(
    project, owner, ars, urps, am
):
    advance_to(project, Stage.LETTER_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am)
    with pytest.raises(workflow.TransitionNotAllowed, match="motif"):
        workflow.transition(project, Stage.LETTER_TO_COMPLETE, by=urps, comment="  ")
    workflow.transition(
        project, Stage.LETTER_TO_COMPLETE, by=urps, comment="Préciser la mobilisation"
    )
    assert project.stage == Stage.LETTER_TO_COMPLETE
    assert workflow.allowed_targets(project, owner) == [Stage.LETTER_DEPOSITED, Stage.ABANDONED]
    workflow.transition(project, Stage.LETTER_DEPOSITED, by=owner)
    assert project.stage == Stage.LETTER_DEPOSITED


@pytest.mark.parametrize("stage", ACTIVE_STAGES)
def test_every_active_stage_can_be_abandoned_with_a_reason(stage):
    assert any(
        t.source == stage and t.target == Stage.ABANDONED and t.needs_comment
        for t in workflow.TRANSITIONS
    )


def test_abandonment_records_reason_and_stage_left(project, owner):
    workflow.transition(project, Stage.ABANDONED, by=owner, comment="Pas assez de médecins")
    project.refresh_from_db()
    assert (project.stage, project.abandoned_from, project.abandoned_on) == (
        Stage.ABANDONED,
        Stage.DRAFT,
        timezone.localdate(),
    )
    assert workflow.allowed_targets(project, owner) == []


def test_every_stage_is_reachable():
    targets = {t.target for t in workflow.TRANSITIONS}
    assert targets | {Stage.DRAFT} == set(Stage)


def test_stale_copy_cannot_overwrite_a_concurrent_change(project, owner, colleague):
    complete_letter(project, owner)
    stale = CptsProject.objects.get(pk=project.pk)
    workflow.transition(project, Stage.ABANDONED, by=owner, comment="Arrêt")
    with pytest.raises(workflow.TransitionNotAllowed, match="vient d’être modifiée"):
        workflow.transition(stale, Stage.LETTER_DEPOSITED, by=colleague)


# --- Notifications ------------------------------------------------------------------------


def test_deposit_notifies_urps_ars_and_the_other_coordinator_in_french(
    project, owner, colleague, ars, urps, am, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(username="urps-inactif", is_active=False, roles=["URPS"])
    complete_letter(project, owner)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(project, Stage.LETTER_DEPOSITED, by=owner)
    rows = OutgoingEmail.objects.filter(template="projects/emails/stage_changed")
    assert sorted(rows.values_list("recipient", flat=True)) == sorted(
        [colleague.email, urps.email, ars.email]
    )
    assert all(row.related == project for row in rows)
    row = rows.get(recipient=urps.email)
    assert (
        row.subject == "Projet « CPTS du Pays de Douarnenez » : Lettre d’intention déposée"
    )
    assert (
        "est passé de l’étape « Avant-projet » à l’étape « Lettre d’intention déposée »"
        in row.body_text
    )
    assert f"/projets/{project.pk}/" in row.body_text
    assert f"/projets/{project.pk}/" in row.body_html
    assert sorted(m.to[0] for m in mailoutbox) == sorted([colleague.email, urps.email, ars.email])


def test_sent_back_letter_tells_the_coordinators_what_to_complete(
    project, owner, colleague, ars, urps, am
):
    advance_to(project, Stage.LETTER_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am)
    OutgoingEmail.objects.all().delete()
    workflow.transition(project, Stage.LETTER_TO_COMPLETE, by=urps, comment="Décrire le diagnostic")
    recipients = set(OutgoingEmail.objects.values_list("recipient", flat=True))
    assert recipients == {owner.email, colleague.email, ars.email}
    body = OutgoingEmail.objects.get(recipient=owner.email).body_text
    assert "À compléter :\nDécrire le diagnostic" in body


def test_letter_validation_email_gives_the_fir_funding(project, owner, ars, urps, am):
    advance_to(project, Stage.LETTER_VALIDATED, coordinator=owner, ars=ars, urps=urps, am=am)
    row = OutgoingEmail.objects.filter(
        recipient=owner.email, subject__endswith="Lettre d’intention validée"
    ).get()
    assert re.search(r"Financement FIR : 30\s000,00 €, accordé le \d+ \w+ 20\d\d", row.body_text)


def test_assurance_maladie_opinion_is_sent_to_the_ars(project, owner, ars, urps, am):
    advance_to(
        project, Stage.HEALTH_PROJECT_VALIDATED, coordinator=owner, ars=ars, urps=urps, am=am
    )
    row = OutgoingEmail.objects.get(template="projects/emails/am_opinion")
    assert row.recipient == ars.email
    assert "avis « Favorable »" in row.body_text


def test_a_refused_transition_writes_nothing(project, owner):
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.transition(project, Stage.LETTER_DEPOSITED, by=owner)
    assert not project.events.filter(kind="stage_changed").exists()
    assert not OutgoingEmail.objects.exists()
