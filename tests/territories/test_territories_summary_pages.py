"""The one territory summary on the four pages that show an answer's territory: the public
confirmation and follow-up pages, the staff answer page and the PDF."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from ami import pdf
from ami.views import SESSION_SUBMITTED
from cpts_portal.roles import Role
from territories.models import Epci
from tests.factories import (
    CommuneFactory,
    DepartementFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission():
    departement = DepartementFactory(code="35", name="Ille-et-Vilaine")
    epci = Epci.objects.create(code="243500634", name="Fougères Agglomération", kind="CA")
    fougeres = CommuneFactory(
        insee_code="35115",
        name="Fougères",
        postal_codes="35300",
        population=20_418,
        departement=departement,
        epci=epci,
    )
    territory = TerritoryFactory(communes=[fougeres], name="Territoire envisagé")
    TerritoryFactory(name="Territoire d’une autre réponse", communes=[fougeres])
    return SubmissionFactory(territory=territory)


def check(text: str, *, overlaps: bool) -> None:
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    assert "Fougères (35300)" in text
    assert "Fougères (35115)" not in text
    assert "Fougères Agglomération" in text
    assert "20 418 habitants" in text
    assert "Taille 1 : moins de 40 000 habitants" in text
    assert ("Territoire d’une autre réponse" in text) is overlaps


def test_confirmation_page_shows_the_summary_without_other_answers(client, submission):
    session = client.session
    session[SESSION_SUBMITTED] = [submission.pk]
    session.save()
    url = reverse("ami:confirmation", args=[submission.campaign.slug, submission.pk])
    check(client.get(url).content.decode(), overlaps=False)


def test_follow_up_page_shows_the_summary_without_other_answers(client, submission):
    check(client.get(submission.get_private_url()).content.decode(), overlaps=False)


def test_staff_answer_page_shows_the_summary_with_overlaps(submission):
    client = Client()
    client.force_login(UserFactory(roles=[Role.ARS]))
    page = client.get(reverse("staff:submission", args=[submission.pk])).content.decode()
    check(page, overlaps=True)


def test_pdf_shows_the_summary(submission):
    reader = PdfReader(io.BytesIO(pdf.submission_pdf(submission)))
    check(
        "\n".join(page.extract_text() for page in reader.pages).replace("\n", " "), overlaps=False
    )
