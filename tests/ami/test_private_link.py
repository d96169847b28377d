"""The référent's private link: consult, follow and correct the answer."""

import pytest
from django.test import Client
from django.urls import reverse

from ami import workflow
from ami.models import Submission, SubmissionEvent
from cpts_portal.roles import Role
from tests.ami.helpers import answer_data
from tests.factories import SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db


def edit_data(submission: Submission, **overrides: str) -> dict[str, str]:
    """The edit form as the référent receives it, with some changes."""
    actor = submission.actors.get()
    referent = submission.referents.get()
    data = answer_data(
        **{
            "actors-INITIAL_FORMS": "1",
            "actors-0-id": str(actor.pk),
            "actors-0-name": actor.name,
            "actors-0-structure_name": "",
            "referents-INITIAL_FORMS": "1",
            "referents-0-id": str(referent.pk),
            "referents-0-name": referent.name,
            "referents-0-function": referent.function,
            "referents-0-email": referent.email,
            "referents-0-phone": referent.phone.as_e164,
            "context": submission.context,
            "territory_text": submission.territory_text,
            "meeting_wish": submission.meeting_wish,
            "form_token": str(submission.form_token),
            "consent": None,
        }
    )
    data.update(overrides)
    return data


def test_private_link_shows_answer_and_status():
    submission = SubmissionFactory(context="Contexte très particulier")
    page = Client().get(submission.get_private_url()).content.decode()
    assert "Contexte très particulier" in page
    assert "Reçue" in page
    assert submission.reference in page


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:20],
        lambda token: "x" * 43,
        lambda token: token + "0",
    ],
)
def test_wrong_or_altered_token_is_404(client, mangle):
    submission = SubmissionFactory()
    token = mangle(submission.access_token)
    assert client.get(reverse("ami:follow", kwargs={"token": token})).status_code == 404
    assert client.get(reverse("ami:edit", kwargs={"token": token})).status_code == 404


def test_tokens_are_unguessable_and_distinct():
    tokens = {SubmissionFactory().access_token for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(token) >= 43 for token in tokens)


def test_referent_corrects_received_answer_and_change_is_recorded(client):
    submission = SubmissionFactory()
    url = reverse("ami:edit", kwargs={"token": submission.access_token})
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(submission, territory_text="Pays de Douarnenez"))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.territory_text == "Pays de Douarnenez"
    event = submission.events.get(kind=SubmissionEvent.Kind.EDITED)
    assert event.changes == ["« Territoire de projet » modifié"]
    follow = client.get(submission.get_private_url()).content.decode()
    assert "« Territoire de projet » modifié" in follow


def test_referent_adds_an_actor_and_history_names_it(client):
    submission = SubmissionFactory()
    url = reverse("ami:edit", kwargs={"token": submission.access_token})
    data = edit_data(
        submission,
        **{
            "actors-TOTAL_FORMS": "2",
            "actors-1-name": "Maëlle Riou",
            "actors-1-profession": "infirmier",
            "actors-1-practice_place": "Pouldergat",
            "actors-1-practice_setting": "exercice_isole",
        },
    )
    client.post(url, data)
    assert submission.actors.count() == 2
    assert submission.events.get(kind="edited").changes == ["Acteur ajouté : Maëlle Riou"]


def test_unchanged_edit_records_nothing(client):
    submission = SubmissionFactory()
    url = reverse("ami:edit", kwargs={"token": submission.access_token})
    client.post(url, edit_data(submission))
    assert not submission.events.filter(kind="edited").exists()


def test_invalid_edit_keeps_the_stored_answer(client):
    submission = SubmissionFactory(context="Contexte d'origine")
    url = reverse("ami:edit", kwargs={"token": submission.access_token})
    response = client.post(url, edit_data(submission, context="", **{"referents-0-email": "faux"}))
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.context == "Contexte d'origine"
    assert submission.referents.get().email != "faux"


def test_answer_in_review_can_no_longer_be_edited(client):
    submission = SubmissionFactory()
    workflow.transition(submission, Submission.Status.IN_REVIEW, by=UserFactory(roles=[Role.ARS]))
    url = reverse("ami:edit", kwargs={"token": submission.access_token})
    response = client.post(url, edit_data(submission, context="Tentative tardive"))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.context != "Tentative tardive"
    page = client.get(submission.get_private_url()).content.decode()
    assert "En cours d&#x27;analyse" in page or "En cours d'analyse" in page
    assert reverse("ami:edit", kwargs={"token": submission.access_token}) not in page


def test_private_link_hides_staff_comments():
    submission = SubmissionFactory()
    workflow.transition(
        submission,
        Submission.Status.IN_REVIEW,
        by=UserFactory(roles=[Role.ARS]),
        comment="Commentaire interne confidentiel",
    )
    page = Client().get(submission.get_private_url()).content.decode()
    assert "Commentaire interne confidentiel" not in page
