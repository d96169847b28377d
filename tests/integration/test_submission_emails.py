"""The real path of an answer's emails: PostgreSQL, Redis and a Celery worker process."""

import pytest
from django.urls import reverse

from ami.models import Submission
from notifications.models import OutgoingEmail
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory

pytestmark = pytest.mark.integration


def test_answer_emails_are_sent_by_a_real_worker_through_redis(client, celery_worker_process):
    campaign = CampaignFactory(contact_email="ars-test@ars.sante.fr")
    response = client.post(reverse("ami:answer", kwargs={"slug": campaign.slug}), answer_data())
    assert response.status_code == 302
    submission = Submission.objects.get()

    messages = celery_worker_process.wait_for_emails(2)
    assert sorted(message["To"] for message in messages) == [
        "anne.legoff@example.org",
        "ars-test@ars.sante.fr",
    ]
    acknowledgement = next(m for m in messages if m["To"] == "anne.legoff@example.org")
    assert submission.get_private_url() in acknowledgement.get_body(("plain",)).get_content()
    celery_worker_process.wait_for(
        lambda: set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"},
        what="outbox rows marked sent",
    )
