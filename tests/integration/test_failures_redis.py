"""A Redis outage while professionals answer: nothing is lost, everything is sent afterwards.

The test runs its own ``redis-server`` (broker and cache of the portal, as REDIS_URL is in
production), a real Celery worker on it, and stops it between two answers.
"""

import time

import pytest
from django.urls import reverse

from ami.models import Submission
from notifications.models import OutgoingEmail
from notifications.tasks import requeue_pending_emails
from tests.ami.helpers import answer_data
from tests.conftest import wait_for_pong
from tests.factories import CampaignFactory

from .conftest import wait_until

pytestmark = pytest.mark.integration

ARS_ADDRESS = "ars-test@ars.sante.fr"
# The contract (cpts_portal/settings.py): a broker or cache outage, refusing or frozen, must
# not hold a professional's request: a frozen Redis cost 25 s before sockets had timeouts, a
# stopped one 4 s (kombu slept 2 s before giving up on each of the two publishes).
FROZEN_REDIS_BUDGET = 2.0  # seconds
BEFORE_OUTAGE = 3
DURING_OUTAGE = 7
RECIPIENTS_PER_ANSWER = 2  # the référent's acknowledgement and the ARS notification


def answer(client, campaign, number: int) -> float:
    """One professional sends a complete answer and reaches the confirmation page.

    Returns the seconds the POST took.
    """
    url = reverse("ami:answer", kwargs={"slug": campaign.slug})
    data = answer_data(**{"referents-0-email": f"pro{number}@example.org"})
    started = time.monotonic()
    response = client.post(url, data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(response["Location"]).status_code == 200
    return elapsed


def statuses() -> dict[str, int]:
    rows = OutgoingEmail.objects.values_list("status", flat=True)
    return {status: list(rows).count(status) for status in set(rows)}


def test_answers_sent_while_redis_is_down_are_stored_and_emailed_once_it_is_back(
    client, settings, private_redis, celery_worker_factory
):
    # Redis is the cache too (rate limits count there): the outage takes both away.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url,
        },
    }
    settings.RATELIMIT_ENABLED = True
    worker = celery_worker_factory(broker_url=private_redis.url)
    campaign = CampaignFactory(contact_email=ARS_ADDRESS)

    for number in range(BEFORE_OUTAGE):
        answer(client, campaign, number)
    before = BEFORE_OUTAGE * RECIPIENTS_PER_ANSWER
    worker.wait_for(lambda: statuses() == {"sent": before}, what=f"{before} emails sent")

    private_redis.stop()
    for number in range(BEFORE_OUTAGE, BEFORE_OUTAGE + DURING_OUTAGE):
        elapsed = answer(client, campaign, number)
        assert elapsed < FROZEN_REDIS_BUDGET, f"a stopped Redis held an answer {elapsed:.2f} s"

    total = BEFORE_OUTAGE + DURING_OUTAGE
    delayed = DURING_OUTAGE * RECIPIENTS_PER_ANSWER
    assert Submission.objects.count() == total
    assert statuses() == {"sent": before, "pending": delayed}
    assert not OutgoingEmail.objects.filter(status="pending").exclude(last_error="").exists()
    assert len(worker.emails()) == before

    private_redis.start()
    wait_for_pong(worker)  # the worker reconnected and consumes its queue again
    assert requeue_pending_emails() == delayed

    expected = total * RECIPIENTS_PER_ANSWER
    worker.wait_for(lambda: statuses() == {"sent": expected}, timeout=60, what="every email sent")
    messages = worker.wait_for_emails(expected)
    assert len(messages) == expected
    assert sorted(message["To"] for message in messages) == sorted(
        [f"pro{number}@example.org" for number in range(total)] + [ARS_ADDRESS] * total
    )
    # The sweep found nothing left to do.
    wait_until(lambda: requeue_pending_emails() == 0, 10, "an empty outbox")


def test_an_answer_sent_while_redis_hangs_is_stored_and_emailed_once_it_answers_again(
    client, settings, private_redis, celery_worker_factory
):
    # A hung server (SIGSTOP) accepts connections and never answers: the publish and the
    # cache give up on their socket timeouts instead of failing at once. The cache keeps
    # the options settings.py gives it (timeouts), on the private server.
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": private_redis.url},
    }
    settings.RATELIMIT_ENABLED = True
    worker = celery_worker_factory(broker_url=private_redis.url)
    campaign = CampaignFactory(contact_email=ARS_ADDRESS)
    answer(client, campaign, 0)  # connections to Redis are open and pooled, as in production
    worker.wait_for(
        lambda: statuses() == {"sent": RECIPIENTS_PER_ANSWER}, what="the first answer's emails"
    )
    OutgoingEmail.objects.all().delete()
    Submission.objects.all().delete()

    private_redis.freeze()
    elapsed = answer(client, campaign, 1)
    print(f"Answer POST with a frozen Redis: {elapsed:.2f} s")

    assert elapsed < FROZEN_REDIS_BUDGET, f"a frozen Redis held the answer {elapsed:.2f} s"
    assert Submission.objects.count() == 1
    assert statuses() == {"pending": RECIPIENTS_PER_ANSWER}

    private_redis.thaw()
    wait_for_pong(worker)
    # The publish that timed out may still be in the thawed server's socket buffer and reach
    # the worker: the sweep then finds one row fewer, and claiming keeps each email single.
    assert 1 <= requeue_pending_emails() <= RECIPIENTS_PER_ANSWER
    worker.wait_for(
        lambda: statuses() == {"sent": RECIPIENTS_PER_ANSWER}, timeout=60, what="emails sent"
    )
    messages = worker.wait_for_emails(2 * RECIPIENTS_PER_ANSWER)
    assert sorted(m["To"] for m in messages) == sorted(
        [ARS_ADDRESS, "pro0@example.org", ARS_ADDRESS, "pro1@example.org"]
    )
