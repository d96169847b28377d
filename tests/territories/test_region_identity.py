"""Pages, emails, PDFs and invitations name the ARS of the object's region
(``territories.selectors.region_identity``), the settings' operator when a region has no
identity saved (a single-region deployment upgraded as is)."""

import io

import pytest
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from ami.ics import exchange_calendar
from ami.pdf import submission_pdf
from ami.workflow import email_referents
from notifications.models import OutgoingEmail
from territories.models import RegionIdentity
from territories.selectors import region_identity
from tests.factories import (
    CampaignFactory,
    ExchangeFactory,
    RegionFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db

OCCITANIE_ARS = "Agence régionale de santé Occitanie"
BRETAGNE_ARS = "Agence régionale de santé Bretagne"


@pytest.fixture(autouse=True)
def operator(settings):
    # Neither region's name: a page naming the setting is told apart from both.
    settings.PORTAL_OPERATOR = "Agence régionale de santé de Démonstration"
    settings.PRIVACY_CONTROLLER = "Responsable par défaut"
    settings.PRIVACY_DPO_CONTACT = "dpd@defaut.example.org"
    return settings.PORTAL_OPERATOR


def identity(code: str, name: str, ars_name: str) -> RegionIdentity:
    region = RegionFactory(code=code, name=name)
    return RegionIdentity.objects.create(
        region=region,
        ars_name=ars_name,
        ars_short_name=ars_name.replace("Agence régionale de santé", "ARS"),
        privacy_controller=ars_name,
        privacy_contact=f"dpd@{name.lower()}.example.org",
    )


@pytest.fixture
def regions():
    return identity("76", "Occitanie", OCCITANIE_ARS), identity("53", "Bretagne", BRETAGNE_ARS)


def answer_in(code: str, name: str):
    campaign = CampaignFactory(region=RegionFactory(code=code, name=name))
    return SubmissionFactory(campaign=campaign)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# --- The selector ------------------------------------------------------------------------


def test_the_saved_identity_is_returned(regions):
    occitanie, _bretagne = regions
    assert region_identity(occitanie.region).ars_name == OCCITANIE_ARS
    assert region_identity(occitanie.region_id).ars_name == OCCITANIE_ARS


def test_a_region_without_identity_is_named_by_the_settings(operator):
    region = RegionFactory(code="76", name="Occitanie")
    for given in (region, region.pk):
        fallback = region_identity(given)
        assert fallback.pk is None  # never saved by a read
        assert fallback.ars_name == operator
        assert fallback.privacy_controller == "Responsable par défaut"
        assert fallback.privacy_contact == "dpd@defaut.example.org"
        assert not fallback.uses_guichet
    assert not RegionIdentity.objects.exists()


def test_a_region_loaded_with_its_identity_costs_no_query(regions, django_assert_num_queries):
    campaign = CampaignFactory(region=regions[0].region)
    loaded = type(campaign).objects.select_related("region__identity").get(pk=campaign.pk)
    with django_assert_num_queries(0):
        assert region_identity(loaded.region).ars_name == OCCITANIE_ARS


def test_a_missing_identity_is_looked_up_once_per_region_object(django_assert_num_queries):
    region = RegionFactory(code="76", name="Occitanie")
    with django_assert_num_queries(1):
        region_identity(region)
        region_identity(region)


# --- Pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, name, expected, other",
    [("76", "Occitanie", OCCITANIE_ARS, BRETAGNE_ARS), ("53", "Bretagne", BRETAGNE_ARS, None)],
)
def test_the_referents_page_names_the_answers_ars(client, regions, code, name, expected, other):
    submission = answer_in(code, name)
    page = client.get(submission.get_private_url()).content.decode()
    assert expected in page
    assert "de Démonstration" not in page
    if other:
        assert other not in page


def test_pages_of_no_region_name_the_portal_operator(client, regions, operator):
    page = client.get(reverse("legal")).content.decode()
    assert operator in page  # the header and footer: the portal's operator


def test_legal_and_privacy_pages_list_every_served_regions_ars(client, regions):
    legal = client.get(reverse("legal")).content.decode()
    privacy = client.get(reverse("privacy")).content.decode()
    for page in (legal, privacy):
        assert OCCITANIE_ARS in page
        assert BRETAGNE_ARS in page
    assert "dpd@occitanie.example.org" in privacy
    assert "dpd@bretagne.example.org" in privacy
    assert "Responsable par défaut" not in privacy


def test_a_single_region_portal_keeps_the_settings_controller(client):
    privacy = client.get(reverse("privacy")).content.decode()
    assert "Responsable par défaut" in privacy
    assert "dpd@defaut.example.org" in privacy


# --- Emails, PDF, invitation -------------------------------------------------------------


@pytest.mark.parametrize(
    "code, name, expected", [("76", "Occitanie", OCCITANIE_ARS), ("53", "Bretagne", BRETAGNE_ARS)]
)
def test_emails_to_the_referents_are_signed_by_the_answers_ars(regions, code, name, expected):
    submission = answer_in(code, name)
    with transaction.atomic():
        email_referents(submission, "ami/emails/in_review")
    email = OutgoingEmail.objects.get()
    assert expected in email.body_text
    assert expected in email.body_html
    assert "de Démonstration" not in email.body_text


def test_emails_fall_back_to_the_settings_operator(operator):
    submission = answer_in("76", "Occitanie")
    with transaction.atomic():
        email_referents(submission, "ami/emails/in_review")
    assert operator in OutgoingEmail.objects.get().body_text


@pytest.mark.parametrize(
    "code, name, expected", [("76", "Occitanie", OCCITANIE_ARS), ("53", "Bretagne", BRETAGNE_ARS)]
)
def test_the_answer_pdf_names_the_answers_ars(regions, code, name, expected):
    text = pdf_text(submission_pdf(answer_in(code, name)))
    assert expected in text
    assert "de Démonstration" not in text


def test_the_answer_pdf_falls_back_to_the_settings_operator(operator):
    assert operator in pdf_text(submission_pdf(answer_in("76", "Occitanie")))


@pytest.mark.parametrize(
    "code, name, expected", [("76", "Occitanie", OCCITANIE_ARS), ("53", "Bretagne", BRETAGNE_ARS)]
)
def test_the_invitation_is_organised_by_the_answers_ars(regions, code, name, expected):
    submission = answer_in(code, name)
    exchange = ExchangeFactory(submission=submission)
    text = exchange_calendar(exchange, submission, [("Anne", "anne@example.org")])
    assert f'ORGANIZER;CN="{expected}":mailto:' in text.replace("\r\n ", "")


def test_the_invitation_falls_back_to_the_settings_operator(operator):
    submission = answer_in("76", "Occitanie")
    text = exchange_calendar(ExchangeFactory(submission=submission), submission, [])
    assert f'ORGANIZER;CN="{operator}":mailto:' in text.replace("\r\n ", "")


def test_the_call_page_names_its_regions_ars(client, regions):
    campaign = CampaignFactory(region=regions[0].region)
    page = client.get(reverse("ami:answer", args=[campaign.slug])).content.decode()
    assert OCCITANIE_ARS in page
    assert BRETAGNE_ARS not in page


def test_the_header_names_the_agents_own_ars_and_the_portals_operator_otherwise(client, settings):
    """A partner agent's pages name their region's ARS; a visitor's and a coordinator's the
    portal's operator (the header of an Occitanie agent said « ARS Bretagne »)."""
    from cpts_portal.roles import Role
    from territories.models import RegionIdentity
    from tests.factories import CoordinatorFactory, RegionFactory, UserFactory

    settings.PORTAL_OPERATOR = "Opérateur du portail"
    occitanie = RegionFactory(code="76", name="Occitanie")
    RegionIdentity.objects.create(
        region=occitanie, ars_name="Agence régionale de santé Occitanie", ars_short_name="ARS"
    )
    agent = UserFactory(roles=[Role.ARS], region=occitanie)
    url = "/tableau-de-bord/"
    client.force_login(agent)
    header = client.get(url).content.decode().split('class="fr-header__operator"')[1][:300]
    assert "Agence régionale de santé Occitanie" in header
    client.force_login(CoordinatorFactory())
    assert "Opérateur du portail" in client.get("/projets/").content.decode()
    client.logout()
    home = client.get("/").content.decode().split('class="fr-header__operator"')[1][:300]
    assert "Opérateur du portail" in home
