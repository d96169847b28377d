"""Issue #13 item 4: the ARS asks for a correction; the answer goes back to the référents,
who edit and resubmit it; staff are told of every edit; the history shows each round."""

import pytest
from django.urls import reverse

from ami import corrections, workflow
from ami.models import Submission, SubmissionEvent
from ami.staff.selectors import timeline
from notifications.models import OutgoingEmail
from tests.ami.helpers import answer_data
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status
Kind = SubmissionEvent.Kind


@pytest.fixture
def answer(owner):
    return SubmissionFactory(assignee=owner, status=Status.IN_REVIEW)


def ask(client, submission, message="Ajoutez la liste des professionnels."):
    return client.post(
        reverse("staff:request_correction", args=[submission.pk]),
        {"correction-message": message},
    )


def edit_data(submission: Submission, **overrides: str) -> dict[str, str]:
    """The edit form as the référent sends it back, with the rows already stored."""
    actor, referent = submission.actors.first(), submission.referents.first()
    data = answer_data(
        **{
            "actors-INITIAL_FORMS": "1",
            "actors-0-id": str(actor.pk),
            "referents-INITIAL_FORMS": "1",
            "referents-0-id": str(referent.pk),
            "referents-0-email": referent.email,
        }
    )
    data.pop("consent")
    data.update(overrides)
    return data


def test_ars_agent_requests_a_correction_and_the_referents_are_told(as_user, owner, answer):
    response = ask(as_user(owner), answer)
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.status == Status.CORRECTION_REQUESTED
    assert answer.is_editable_by_professional()
    event = answer.events.get(kind=Kind.CORRECTION_REQUESTED)
    assert event.data == {"message": "Ajoutez la liste des professionnels.", "round": 1}
    email = OutgoingEmail.objects.get(template="ami/emails/correction_requested")
    assert "Ajoutez la liste des professionnels." in email.body_text
    page = as_user(None).get(answer.get_private_url()).content.decode()
    assert "Ajoutez la liste des professionnels." in page
    assert "Renvoyer ma réponse corrigée" in page


@pytest.mark.parametrize("role_fixture", ["urps_member", "am_agent", "outsider"])
def test_only_ars_agents_request_corrections(request, as_user, answer, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert ask(as_user(user), answer).status_code == 403
    answer.refresh_from_db()
    assert answer.status == Status.IN_REVIEW


def test_an_empty_request_is_refused_next_to_its_field(as_user, owner, answer):
    response = ask(as_user(owner), answer, message="")
    assert response.status_code == 200
    assert 'href="#id_correction-message"' in response.content.decode()
    answer.refresh_from_db()
    assert answer.status == Status.IN_REVIEW


def test_referents_cannot_send_back_an_answer_nobody_asked_to_correct(as_user, answer):
    client = as_user(None)
    client.post(reverse("ami:referent_resubmit", args=[answer.access_token]), {})
    answer.refresh_from_db()
    assert answer.status == Status.IN_REVIEW
    assert not answer.events.filter(kind=Kind.RESUBMITTED).exists()


def test_staff_cannot_take_the_referents_action():
    assert not workflow.can(None, workflow.Action.CLOSE)
    assert workflow.can(None, workflow.Action.RESUBMIT)


def test_correction_round_edit_then_resubmit(as_user, owner, answer):
    ask(as_user(owner), answer)
    client = as_user(None)
    edit_url = reverse("ami:edit", args=[answer.access_token])
    response = client.post(edit_url, edit_data(answer, context="Contexte complété."))
    assert response.status_code == 302
    edited = OutgoingEmail.objects.get(template="ami/emails/referent_edited")
    assert edited.recipient == owner.email
    assert "« Contexte » modifié" in edited.body_text
    client.post(
        reverse("ami:referent_resubmit", args=[answer.access_token]),
        {"renvoi-message": "C’est complété."},
    )
    answer.refresh_from_db()
    assert answer.status == Status.IN_REVIEW
    assert not answer.is_editable_by_professional()
    event = answer.events.get(kind=Kind.RESUBMITTED)
    assert event.author is None
    assert "« Contexte » modifié" in event.data["changes"]
    resubmitted = OutgoingEmail.objects.get(template="ami/emails/answer_resubmitted")
    assert resubmitted.recipient == owner.email
    assert "C’est complété." in resubmitted.body_text
    # A second round: numbered, both shown in the history.
    ask(as_user(owner), answer, message="Encore une précision.")
    assert answer.events.filter(kind=Kind.CORRECTION_REQUESTED).latest("pk").data["round"] == 2
    page = client.get(answer.get_private_url()).content.decode()
    assert "demande nº 1" in page and "demande nº 2" in page
    titles = [entry.title for entry in timeline(answer)]
    assert titles.count("Correction demandée par l’ARS") == 2
    assert "Réponse corrigée renvoyée par les référents" in titles


def test_edit_before_analysis_notifies_the_ars_address(as_user):
    submission = SubmissionFactory()
    client = as_user(None)
    client.post(
        reverse("ami:edit", args=[submission.access_token]),
        edit_data(submission, context="Nouveau contexte."),
    )
    email = OutgoingEmail.objects.get(template="ami/emails/referent_edited")
    assert email.recipient == submission.campaign.contact_email


def test_resubmit_through_a_wrong_token_is_404(as_user, owner, answer):
    corrections.request_correction(answer, owner, message="x")
    wrong = answer.access_token[:-2] + "zz"
    response = as_user(None).post(reverse("ami:referent_resubmit", args=[wrong]), {})
    assert response.status_code == 404
    answer.refresh_from_db()
    assert answer.status == Status.CORRECTION_REQUESTED


def test_ars_can_take_the_answer_back_without_waiting(as_user, owner, answer):
    """Two actions make the same move: the agent's is « Remettre en analyse »."""
    corrections.request_correction(answer, owner, message="x")
    response = as_user(owner).post(
        reverse("staff:change_status", args=[answer.pk]), {"statut-to": Status.IN_REVIEW}
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.status == Status.IN_REVIEW
    event = answer.events.latest("pk")
    assert (event.kind, event.author) == (Kind.STATUS_CHANGED, owner)


def test_a_correction_asked_of_an_answer_that_moved_on_is_refused_with_a_message(
    as_user, owner, answer
):
    """The answer was closed in another tab: no form full of errors that the page hides."""
    workflow.transition(answer, to=Status.CLOSED, by=owner, comment="Hors périmètre")
    response = ask(as_user(owner), answer, message="")
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.status == Status.CLOSED
    assert not answer.events.filter(kind=Kind.CORRECTION_REQUESTED).exists()
