"""Brute-force protection of staff logins (django-axes)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Un mot de passe assez long 42"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agent():
    user = UserFactory(username="agent.ars")
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client, username, password, address="192.0.2.10"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def fail(client, username, times, address="192.0.2.10"):
    return [login(client, username, "mauvais", address) for _ in range(times)]


def test_axes_checks_lockouts_before_any_password_is_checked():
    assert settings.AUTHENTICATION_BACKENDS[0] == "cpts_portal.auth_backends.AxesLockoutBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_admin_login_through_the_form_works(client, agent):
    response = login(client, agent.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_test_client_login_and_force_login_still_work(client, agent):
    assert client.login(username=agent.username, password=PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    client.force_login(agent)
    assert client.get(reverse("admin:index")).status_code == 200


def test_failures_below_the_limit_leave_the_login_open(client, agent):
    responses = fail(client, agent.username, settings.AXES_FAILURE_LIMIT - 1)
    assert all(response.status_code == 200 for response in responses)  # the form again
    assert login(client, agent.username, PASSWORD).status_code == 302


def test_username_is_locked_out_from_that_address_after_the_failure_limit(client, agent):
    responses = fail(client, agent.username, settings.AXES_FAILURE_LIMIT)
    assert responses[-1].status_code == 429
    locked = login(client, agent.username, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_page_is_in_french_and_says_when_to_retry(client, agent):
    response = fail(client, agent.username, settings.AXES_FAILURE_LIMIT)[-1]
    page = response.content.decode()
    assert "Connexion temporairement bloquée" in page
    assert f"Après {settings.AXES_FAILURE_LIMIT} tentatives de connexion échouées" in page
    assert "réessayer dans 15 minutes" in page
    assert 'id="pied-de-page"' in page  # extends base.html


def test_lockout_is_per_username_and_address_pair(client, agent):
    fail(client, agent.username, settings.AXES_FAILURE_LIMIT, address="192.0.2.10")
    # The same account from another address, and another account from the same address.
    assert login(client, agent.username, PASSWORD, address="192.0.2.11").status_code == 302
    client.logout()
    other = UserFactory(username="autre.agent")
    other.set_password(PASSWORD)
    other.save()
    assert login(client, other.username, PASSWORD, address="192.0.2.10").status_code == 302


def test_lockout_ends_after_the_cool_off(client, agent):
    fail(client, agent.username, settings.AXES_FAILURE_LIMIT)
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert login(client, agent.username, PASSWORD).status_code == 302


def test_lockout_counts_the_client_behind_a_trusted_proxy(client, agent, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": agent.username, "password": "mauvais"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.50",
        )
    assert AccessAttempt.objects.get().ip_address == "192.0.2.50"
    other_client = client.post(
        reverse("admin:login"),
        {"username": agent.username, "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.51",
    )
    assert other_client.status_code == 302
