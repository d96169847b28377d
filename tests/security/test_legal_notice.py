"""The legal notice page (« Mentions légales »)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ATTRIBUTION = (
    "INSEE (COG 2026, populations légales 2023), DGCL (EPCI 2026), La Poste (codes postaux), "
    "via @etalab/decoupage-administratif 6.0.0"
)


def legal_page(client) -> str:
    response = client.get(reverse("legal"))
    assert response.status_code == 200
    return response.content.decode()


def test_legal_notice_is_served_at_mentions_legales(client):
    assert reverse("legal") == "/mentions-legales/"
    assert "<h1>Mentions légales</h1>" in legal_page(client)


def test_legal_notice_names_publisher_director_and_host_from_settings(client, settings):
    settings.LEGAL_PUBLISHER = "Agence régionale de santé Bretagne"
    settings.LEGAL_PUBLISHER_ADDRESS = "6 place des Colombes, 35042 Rennes Cedex"
    settings.LEGAL_PUBLICATION_DIRECTOR = "La directrice générale de l’ARS Bretagne"
    settings.LEGAL_HOST_NAME = "Hébergeur Exemple SAS"
    settings.LEGAL_HOST_ADDRESS = "1 rue de l’Exemple, 75000 Paris"
    settings.LEGAL_HOST_PHONE = "01 23 45 67 89"
    page = legal_page(client)
    for value in [
        "Agence régionale de santé Bretagne",
        "6 place des Colombes, 35042 Rennes Cedex",
        "La directrice générale de l’ARS Bretagne",
        "Hébergeur Exemple SAS",
        "1 rue de l’Exemple, 75000 Paris",
        "01 23 45 67 89",
    ]:
        assert value in page


def test_missing_legal_details_show_a_placeholder(client, settings):
    settings.LEGAL_HOST_NAME = ""
    settings.LEGAL_HOST_ADDRESS = ""
    settings.LEGAL_HOST_PHONE = ""
    settings.LEGAL_PUBLICATION_DIRECTOR = ""
    page = legal_page(client)
    host = page.split("Hébergement", 1)[1].split("<h2>", 1)[0]
    assert host.count("à compléter") == 3
    director = page.split("Directeur de la publication", 1)[1].split("<h2>", 1)[0]
    assert "à compléter" in director


def test_legal_notice_credits_the_geography_as_the_licence_ouverte_requires(client):
    page = legal_page(client)
    assert ATTRIBUTION in page
    assert "Licence Ouverte" in page


def test_legal_notice_states_accessibility_is_not_compliant_until_audited(client):
    assert "<strong>non conforme</strong>" in legal_page(client)


def test_footer_of_every_page_links_to_the_legal_notice(client):
    home = client.get(reverse("ami:home")).content.decode()
    footer = home.split('id="pied-de-page"', 1)[1]
    assert f'href="{reverse("legal")}"' in footer
