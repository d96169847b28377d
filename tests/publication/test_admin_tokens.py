"""API tokens are created in the admin, their key shown once and stored hashed."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from publication.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def test_admin_creates_a_token_and_shows_its_key_once(admin_client, people):
    response = admin_client.post(
        reverse("admin:publication_apitoken_add"),
        {"user": people.ars.pk, "name": "Infocentre ARS"},
    )
    assert response.status_code == 302
    token = ApiToken.objects.get()
    (message,) = [str(m) for m in get_messages(response.wsgi_request)][:1]
    key = message.rsplit(" ", 1)[-1]
    assert token.key_hash == hash_token(key) and token.prefix == key[:8]
    change = reverse("admin:publication_apitoken_change", args=[token.pk])
    assert key in admin_client.get(change).content.decode()  # the page after the creation
    assert key not in admin_client.get(change).content.decode()  # never again


def test_admin_revokes_tokens(admin_client, people):
    from publication import services

    token, _key = services.create_api_token(people.ars, "SI")
    admin_client.post(
        reverse("admin:publication_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_staff_without_superuser_rights_cannot_manage_tokens(client, people):
    client.force_login(people.ars)
    response = client.get(reverse("admin:publication_apitoken_changelist"))
    assert response.status_code == 403
