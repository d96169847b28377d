"""Error pages in French, in the portal's layout."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_form_without_csrf_token_gets_the_french_expired_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Le formulaire a expiré" in page
    assert "<style" not in page
