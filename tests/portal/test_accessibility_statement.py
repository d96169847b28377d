"""The accessibility statement (/accessibilite/), required of French public services."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def statement(client) -> str:
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    return response.content.decode()


def test_statement_gives_the_compliance_status_the_date_and_the_tests_done(client):
    page = statement(client)
    assert "<h1>Déclaration d’accessibilité</h1>" in page
    assert "<strong>non conforme</strong>" in page
    assert "RGAA), version 4.1" in page
    assert "pas encore fait l’objet d’un audit" in page
    assert "Cette déclaration a été établie le 23 novembre 2026." in page
    assert "axe-core" in page and "clavier seul" in page
    assert "Technologies utilisées" in page and "HTML5" in page
    assert "Contenus non accessibles" in page and "PDF" in page


def test_statement_gives_a_contact_defaulting_to_the_data_protection_officer(client, settings):
    assert settings.ACCESSIBILITY_CONTACT == settings.PRIVACY_DPO_CONTACT
    contact = settings.ACCESSIBILITY_CONTACT
    assert f'<a href="mailto:{contact}">{contact}</a>' in statement(client)

    settings.ACCESSIBILITY_CONTACT = "accessibilite@ars.sante.fr"
    assert 'href="mailto:accessibilite@ars.sante.fr"' in statement(client)


def test_statement_gives_the_recourse_to_the_defenseur_des_droits(client):
    page = statement(client)
    assert "Voies de recours" in page
    assert "https://formulaire.defenseurdesdroits.fr/" in page
    assert "https://www.defenseurdesdroits.fr/carte-des-delegues" in page
    assert "Libre réponse 71120" in page


def test_footer_of_every_page_links_to_the_statement(client):
    for url in (reverse("ami:home"), reverse("legal"), "/nulle-part/"):
        footer = client.get(url).content.decode().split('id="pied-de-page"', 1)[1]
        link = f'<a class="fr-footer__bottom-link" href="{reverse("accessibility")}">'
        assert f"{link}Accessibilité : non conforme</a>" in footer, url


def test_legal_notice_points_to_the_statement(client):
    legal = client.get(reverse("legal")).content.decode()
    assert f'href="{reverse("accessibility")}"' in legal.split('id="pied-de-page"', 1)[0]
