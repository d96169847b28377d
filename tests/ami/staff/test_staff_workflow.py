"""ami.workflow's tables: actions by role and status, and the emails of each move."""

import pytest
from django.db import transaction

from ami import workflow
from ami.models import Submission
from ami.workflow import Action
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from tests.factories import SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.RECEIVED, {Action.TAKE_INTO_REVIEW, Action.CLOSE}),
        (
            Status.IN_REVIEW,
            {Action.PLAN_EXCHANGE, Action.ORIENT, Action.CLOSE, Action.REQUEST_CORRECTION},
        ),
        (Status.CORRECTION_REQUESTED, {Action.BACK_TO_REVIEW, Action.CLOSE}),
        (
            Status.EXCHANGE_PLANNED,
            {Action.PLAN_EXCHANGE, Action.BACK_TO_REVIEW, Action.ORIENT, Action.CLOSE},
        ),
        (Status.ORIENTED, {Action.CLOSE}),
        (Status.CLOSED, {Action.BACK_TO_REVIEW}),
    ],
)
def test_ars_moves_follow_the_status(status, expected):
    moves = {t.action for t in workflow.TRANSITIONS}
    allowed = workflow.allowed_actions(
        SubmissionFactory(status=status), UserFactory(roles=[Role.ARS])
    )
    assert allowed & moves == expected
    assert allowed - moves == {
        Action.VIEW, Action.COMMENT, Action.GIVE_OPINION, Action.ASSIGN, Action.MESSAGE,
        Action.RESEND_LINK, Action.PERSONAL_DATA,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.URPS, {Action.VIEW, Action.COMMENT, Action.GIVE_OPINION}),
        (Role.ASSURANCE_MALADIE, {Action.VIEW, Action.COMMENT}),
        (Role.COORDINATOR, set()),
    ],
)
def test_partners_read_comment_and_give_opinions_only(role, expected):
    user = UserFactory(roles=[role])
    for status in Status:
        assert workflow.allowed_actions(SubmissionFactory(status=status), user) == expected


def test_moving_the_exchange_is_not_offered_as_a_status_change_in_the_admin():
    submission = SubmissionFactory(status=Status.EXCHANGE_PLANNED)
    targets = workflow.allowed_targets(submission, UserFactory(roles=[Role.ARS]))
    assert targets == [Status.IN_REVIEW, Status.ORIENTED, Status.CLOSED]


def test_role_refusal_names_the_action():
    with pytest.raises(workflow.ActionNotAllowed, match="« Écrire aux référents »"):
        workflow.require(UserFactory(roles=[Role.URPS]), Action.MESSAGE)


@pytest.mark.parametrize(
    ("path", "template", "subject"),
    [
        ([Status.IN_REVIEW], "in_review", "est en cours d’analyse"),
        ([Status.IN_REVIEW, Status.EXCHANGE_PLANNED], "exchange_planned", "Un échange est prévu"),
        ([Status.IN_REVIEW, Status.ORIENTED], "oriented", "Suite donnée à votre réponse"),
        ([Status.CLOSED], "closed", "Clôture de votre réponse"),
    ],
)
def test_moves_made_from_the_admin_still_tell_the_referents(path, template, subject):
    """The admin moves statuses without the staff page's details: the emails still read."""
    agent = UserFactory(roles=[Role.ARS])
    submission = SubmissionFactory()
    for status in path:
        workflow.transition(submission, status, by=agent)
    email = OutgoingEmail.objects.get(template=f"ami/emails/{template}")
    assert subject in email.subject
    assert email.recipient == submission.referents.get().email
    assert submission.get_private_url() in email.body_text
    assert "{{" not in email.body_text and "{{" not in email.body_html


def test_back_to_review_sends_nothing():
    agent = UserFactory(roles=[Role.ARS])
    submission = SubmissionFactory(status=Status.CLOSED)
    workflow.transition(submission, Status.IN_REVIEW, by=agent)
    assert not OutgoingEmail.objects.exists()


def test_email_is_written_in_the_transaction_of_the_move():
    agent = UserFactory(roles=[Role.ARS])
    submission = SubmissionFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.transition(submission, Status.IN_REVIEW, by=agent)
        assert OutgoingEmail.objects.count() == 1
        raise RuntimeError
    assert not OutgoingEmail.objects.exists()
    assert Submission.objects.get(pk=submission.pk).status == Status.RECEIVED
