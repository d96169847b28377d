"""API tokens are an institution's (or the national level's): created in the admin, their
key shown once and stored hashed, revoked there."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from publication import services
from publication.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def add_token(admin_client, **data):
    return admin_client.post(reverse("admin:publication_apitoken_add"), data)


def test_admin_creates_an_institution_token_and_shows_its_key_once(admin_client, people):
    institution = people.ars.staff_membership.institution
    response = add_token(admin_client, institution=institution.pk, name="Infocentre ARS")
    assert response.status_code == 302
    token = ApiToken.objects.get()
    assert token.institution == institution and not token.national
    assert token.created_by.is_superuser  # who created it, for the record: not its holder
    (message,) = [str(m) for m in get_messages(response.wsgi_request)][:1]
    key = message.rsplit(" ", 1)[-1]
    assert token.key_hash == hash_token(key) and token.prefix == key[:8]
    change = reverse("admin:publication_apitoken_change", args=[token.pk])
    assert key in admin_client.get(change).content.decode()  # the page after the creation
    assert key not in admin_client.get(change).content.decode()  # never again


def test_admin_creates_a_national_token(admin_client, db):
    response = add_token(admin_client, national="on", name="Infocentre national")
    assert response.status_code == 302
    token = ApiToken.objects.get()
    assert token.national and token.institution is None


@pytest.mark.parametrize("both", [True, False])
def test_a_token_has_exactly_one_holder(admin_client, people, both):
    data = {"name": "SI"}
    if both:
        data |= {"national": "on", "institution": people.ars.staff_membership.institution.pk}
    response = add_token(admin_client, **data)
    assert response.status_code == 200  # the form again, with the error
    assert "Un jeton appartient à une institution ou au niveau national." in (
        response.content.decode()
    )
    assert not ApiToken.objects.exists()


def test_admin_revokes_tokens(admin_client, people):
    token, _key = services.create_api_token(
        "SI", institution=people.ars.staff_membership.institution
    )
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
