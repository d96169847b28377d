"""ami.workflow: the one function that changes a submission's status."""

import pytest

from ami import workflow
from ami.models import Submission, SubmissionEvent
from cpts_portal.roles import Role
from tests.factories import SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status


@pytest.fixture
def ars_agent():
    return UserFactory(roles=[Role.ARS])


def test_transition_saves_status_and_writes_history(ars_agent):
    submission = SubmissionFactory()
    event = workflow.transition(
        submission, Status.IN_REVIEW, by=ars_agent, comment="Prise en charge"
    )
    submission.refresh_from_db()
    assert submission.status == Status.IN_REVIEW
    assert (event.kind, event.from_state, event.to_state) == (
        SubmissionEvent.Kind.STATUS_CHANGED,
        Status.RECEIVED,
        Status.IN_REVIEW,
    )
    assert event.author == ars_agent
    assert event.comment == "Prise en charge"


def test_transition_absent_from_the_table_is_refused_with_a_message(ars_agent):
    submission = SubmissionFactory()
    with pytest.raises(
        workflow.TransitionNotAllowed, match="« Reçue » ne peut pas passer au statut « Orientée »"
    ):
        workflow.transition(submission, Status.ORIENTED, by=ars_agent)
    submission.refresh_from_db()
    assert submission.status == Status.RECEIVED
    assert not submission.events.filter(kind="status_changed").exists()


@pytest.mark.parametrize("role", [Role.URPS, Role.ASSURANCE_MALADIE, Role.COORDINATOR])
def test_roles_other_than_ars_cannot_change_status(role):
    submission = SubmissionFactory()
    with pytest.raises(workflow.TransitionNotAllowed, match="Votre rôle"):
        workflow.transition(submission, Status.IN_REVIEW, by=UserFactory(roles=[role]))
    assert workflow.allowed_targets(submission, UserFactory(roles=[role])) == []


def test_stale_copy_cannot_overwrite_a_concurrent_change(ars_agent):
    submission = SubmissionFactory()
    stale = Submission.objects.get(pk=submission.pk)
    workflow.transition(submission, Status.CLOSED, by=ars_agent)
    with pytest.raises(workflow.TransitionNotAllowed, match="vient d'être modifié"):
        workflow.transition(stale, Status.IN_REVIEW, by=ars_agent)


def test_allowed_targets_follow_the_table(ars_agent):
    submission = SubmissionFactory()
    assert workflow.allowed_targets(submission, ars_agent) == [Status.IN_REVIEW, Status.CLOSED]
    workflow.transition(submission, Status.IN_REVIEW, by=ars_agent)
    assert workflow.allowed_targets(submission, ars_agent) == [
        Status.EXCHANGE_PLANNED,
        Status.ORIENTED,
        Status.CLOSED,
        Status.CORRECTION_REQUESTED,
    ]


def test_every_status_is_reachable_and_can_be_left():
    targets = {t.target for t in workflow.TRANSITIONS}
    sources = {t.source for t in workflow.TRANSITIONS}
    assert targets | {Status.RECEIVED} == set(Status)
    assert sources == set(Status)
