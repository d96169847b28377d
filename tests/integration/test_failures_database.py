"""PostgreSQL lost in the middle of an answer: nothing half-written, a clear French page.

The connection of the request is terminated by the server (``pg_terminate_backend``, from
another connection) after the submission, its actors and référents are written and just
before the outbox rows are: the transaction must vanish as a whole.
"""

import psycopg
import pytest
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from ami.models import Actor, Referent, Submission, SubmissionEvent
from notifications import services
from notifications.models import OutgoingEmail
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ERROR_TITLE = "Erreur inattendue"
RESEND_ADVICE = "une réponse déjà reçue n’est jamais enregistrée deux fois"


def terminate_backend(pid: int) -> None:
    """End a server process from another connection, as an administrator or a crash would."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    ) as other:
        (terminated,) = other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()
    assert terminated, f"backend {pid} was not terminated"


@pytest.fixture
def connection_dropped_before_the_outbox(monkeypatch) -> list[int]:
    """Terminate the request's connection once the first email is rendered, before its row
    is inserted (``queue_email`` renders, then writes). Yields the pids terminated."""
    render_email = services.render_email
    terminated: list[int] = []

    def render_then_lose_the_connection(template: str, context: dict):
        rendered = render_email(template, context)
        if not terminated:
            pid = connection.connection.info.backend_pid
            terminate_backend(pid)
            terminated.append(pid)
        return rendered

    monkeypatch.setattr(services, "render_email", render_then_lose_the_connection)
    return terminated


def assert_french_error_page(response) -> None:
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="fr"' in page
    assert ERROR_TITLE in page and RESEND_ADVICE in page
    assert "/static/dsfr/" in page  # the design system's stylesheet
    assert "<style" not in page and "<script" not in page  # the CSP allows neither inline


def test_connection_lost_while_queueing_emails_leaves_no_trace_of_the_answer(
    connection_dropped_before_the_outbox,
):
    campaign = CampaignFactory()
    client = Client(raise_request_exception=False)

    response = client.post(reverse("ami:answer", kwargs={"slug": campaign.slug}), answer_data())

    assert connection_dropped_before_the_outbox, "the connection was not dropped"
    assert_french_error_page(response)
    assert not Submission.objects.exists()
    assert not Actor.objects.exists()
    assert not Referent.objects.exists()
    assert not SubmissionEvent.objects.exists()
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


def test_answer_sent_again_after_the_lost_connection_is_stored_once(
    connection_dropped_before_the_outbox,
):
    campaign = CampaignFactory(contact_email="ars-test@ars.sante.fr")
    client = Client(raise_request_exception=False)
    url = reverse("ami:answer", kwargs={"slug": campaign.slug})
    data = answer_data()  # the same form_token each time, as after the "Back" button

    assert client.post(url, data).status_code == 500
    again = client.post(url, data)
    assert again.status_code == 302
    assert client.post(url, data).status_code == 302  # a third time: still one answer

    submission = Submission.objects.get()
    assert again["Location"] == reverse(
        "ami:confirmation", kwargs={"slug": campaign.slug, "pk": submission.pk}
    )
    assert submission.actors.count() == 1 and submission.referents.count() == 1
    assert sorted(OutgoingEmail.objects.values_list("recipient", flat=True)) == [
        "anne.legoff@example.org",
        "ars-test@ars.sante.fr",
    ]
    assert len(mail.outbox) == 2


@pytest.fixture
def database_unreachable(monkeypatch, closed_port):
    """The next connections of this process go to a port where nothing listens."""
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", str(closed_port))
    yield
    connection.close()


def test_form_page_with_postgresql_unreachable_is_the_french_error_page(database_unreachable):
    response = Client(raise_request_exception=False).get(
        reverse("ami:answer", kwargs={"slug": "ami-cpts"})
    )

    assert_french_error_page(response)


def test_error_page_renders_without_a_single_query(django_assert_num_queries):
    request = RequestFactory().get("/ami/ami-cpts/")

    with django_assert_num_queries(0):
        response = server_error(request)

    assert_french_error_page(response)
