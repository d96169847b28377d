"""Rate limits of the public form and the private links (cpts_portal/ratelimit.py)."""

import threading

import pytest
from django.core.cache import cache
from django.urls import reverse

from ami.models import Submission
from cpts_portal import ratelimit
from cpts_portal.client_ip import client_ip, client_network
from cpts_portal.ratelimit import Rule, count_hit
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def limits(settings):
    """Rate limiting on, with small limits; returns pytest-django's settings to adjust."""
    settings.RATELIMIT_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 0
    settings.RATELIMIT_RULES = {
        "ami:answer": ("POST", 3, 3600),
        "ami:follow": ("GET", 2, 3600),
        "ami:edit": ("GET,POST", 2, 3600),
    }
    return settings


def answer_url(campaign) -> str:
    return reverse("ami:answer", kwargs={"slug": campaign.slug})


def test_answer_posts_over_the_limit_get_a_french_429_page_with_retry_after(client, limits):
    campaign = CampaignFactory()
    for _ in range(3):
        assert client.post(answer_url(campaign), {"context": ""}).status_code == 200

    response = client.post(answer_url(campaign), answer_data())

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    page = response.content.decode()
    assert "Trop de demandes en peu de temps" in page
    assert 'id="pied-de-page"' in page  # the page extends base.html
    assert not Submission.objects.exists()  # the view did not run


def test_reading_the_form_is_not_limited_only_sending_it(client, limits):
    campaign = CampaignFactory()
    for _ in range(6):
        assert client.get(answer_url(campaign)).status_code == 200


def test_another_client_is_still_served_when_one_is_limited(client, limits):
    campaign = CampaignFactory()
    url = answer_url(campaign)
    for _ in range(3):
        client.post(url, {"context": ""}, REMOTE_ADDR="203.0.113.7")
    assert client.post(url, {"context": ""}, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.post(url, {"context": ""}, REMOTE_ADDR="203.0.113.8").status_code == 200


def test_private_link_reads_are_limited_including_unknown_tokens(client, limits):
    submission = SubmissionFactory()
    assert client.get("/suivi/devine-1/").status_code == 404
    assert client.get(submission.get_private_url()).status_code == 200
    response = client.get(submission.get_private_url())
    assert response.status_code == 429
    assert "Retry-After" in response


def test_private_link_edits_are_limited_on_get_and_post(client, limits):
    submission = SubmissionFactory()
    url = reverse("ami:edit", kwargs={"token": submission.access_token})
    assert client.get(url).status_code == 200
    assert client.post(url, {"context": ""}).status_code == 200
    assert client.post(url, {"context": ""}).status_code == 429


def test_limits_are_off_when_disabled(client, limits):
    limits.RATELIMIT_ENABLED = False
    campaign = CampaignFactory()
    for _ in range(5):
        assert client.post(answer_url(campaign), {"context": ""}).status_code == 200


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, limits):
    campaign = CampaignFactory()
    for number in range(3):
        client.post(answer_url(campaign), {}, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    response = client.post(answer_url(campaign), {}, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_clients_are_told_apart_and_cannot_spoof(client, limits):
    limits.TRUSTED_PROXY_COUNT = 1
    campaign = CampaignFactory()
    for number in range(3):
        # The client writes whatever it likes on the left; the proxy appends the real address.
        client.post(answer_url(campaign), {}, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, 192.0.2.1")
    spoofed = client.post(answer_url(campaign), {}, HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.1")
    other = client.post(answer_url(campaign), {}, HTTP_X_FORWARDED_FOR="192.0.2.2")
    assert spoofed.status_code == 429
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "127.0.0.1"),
        (1, "", "127.0.0.1"),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.2", "192.0.2.1"),
        (2, "192.0.2.1", "127.0.0.1"),  # fewer hops than proxies: the peer
        (1, "not-an-address", "127.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_believes_only_the_addresses_written_by_trusted_proxies(
    rf, settings, trusted, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == expected


def test_ipv6_clients_are_counted_per_64_network():
    assert client_network("2001:db8:1:2:aaaa::1") == client_network("2001:db8:1:2:bbbb::2")
    assert client_network("2001:db8:1:2::1") != client_network("2001:db8:1:3::1")
    assert client_network("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_network("192.0.2.1") != client_network("192.0.2.2")


def test_counter_window_ends_after_its_period_and_says_when():
    rule = Rule.parse(("POST", 2, 60))
    assert count_hit("k", rule, now=600.0).count == 1
    second = count_hit("k", rule, now=630.5)
    assert (second.count, second.retry_after) == (2, 30)
    assert count_hit("k", rule, now=660.0).count == 1  # next window


def test_counter_is_atomic_under_concurrent_requests():
    rule = Rule.parse(("POST", 1000, 3600))
    counts = []
    barrier = threading.Barrier(20)

    def hit():
        barrier.wait()
        for _ in range(10):
            counts.append(count_hit("concurrent", rule, now=1_000.0).count)

    threads = [threading.Thread(target=hit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 201))


def test_cache_key_does_not_hold_the_client_address(rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.123")
    key = ratelimit.client_key(request, "ami:answer")
    assert "192.0.2.123" not in key
    assert key.startswith("ratelimit:ami:answer:")


def test_cache_outage_lets_requests_through(client, limits, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(ratelimit, "count_hit", broken)
    campaign = CampaignFactory()
    for _ in range(5):
        assert client.post(answer_url(campaign), {"context": ""}).status_code == 200


def test_rules_of_the_settings_cover_the_form_and_the_private_links(settings):
    assert Rule.parse(settings.RATELIMIT_RULES["ami:answer"]).applies_to("POST")
    assert not Rule.parse(settings.RATELIMIT_RULES["ami:answer"]).applies_to("GET")
    assert Rule.parse(settings.RATELIMIT_RULES["ami:follow"]).applies_to("HEAD")
    assert Rule.parse(settings.RATELIMIT_RULES["ami:edit"]).applies_to("POST")
