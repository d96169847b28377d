"""The « fiche projet » PDF: for the project's coordinators and the partner staff only."""

import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from projects import pdf
from projects.models import Stage
from tests.factories import UserFactory

from .helpers import advance_to, sign_contract

pytestmark = pytest.mark.django_db


def pdf_url(project) -> str:
    return reverse("projects:pdf", kwargs={"pk": project.pk})


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """pypdf breaks lines where the PDF does: compare with single spaces."""
    return " ".join(text.split())


@pytest.mark.parametrize("who", ["owner", "colleague", "ars", "urps", "am"])
def test_coordinators_and_staff_download_the_fiche(client, project, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(pdf_url(project))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="fiche-projet-cpts-du-pays-de-douarnenez.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    text = flat(pdf_text(response.content))
    assert "CPTS du Pays de Douarnenez" in text
    assert "Avant-projet" in text
    assert "Alice Le Goff (alice@cpts-exemple.fr)" in text
    assert "bob@cpts-exemple.fr" in text
    assert "Page 1 sur" in text


def test_outsiders_and_anonymous_do_not_get_it(client, project, outsider):
    response = client.get(pdf_url(project))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(pdf_url(project)).status_code == 404
    client.force_login(UserFactory(username="personne"))
    assert client.get(pdf_url(project)).status_code == 404


def test_the_fiche_follows_the_project_to_its_contract(project, owner, ars, urps, am):
    sign_contract(
        project,
        date(2023, 8, 31),
        coordinator=owner,
        ars=ars,
        urps=urps,
        am=am,
        cpam_name="CPAM du Finistère",
    )
    text = flat(pdf_text(pdf.project_pdf(pdf.fiche_project(project.pk))))
    assert "Contrat ACI signé" in text
    assert "CPAM du Finistère" in text
    assert "31 août 2023" in text and "30 août 2028" in text  # French dates
    assert "29 février 2024" in text  # accès aux soins: start within 6 months
    assert "Peu de pharmaciens" in text  # the URPS avis
    assert "15 200 habitants" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "Douarnenez (29046)" in text


def test_the_fiche_of_a_deposited_letter(project, owner, ars, urps, am):
    advance_to(project, Stage.LETTER_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am)
    text = flat(pdf_text(pdf.project_pdf(pdf.fiche_project(project.pk))))
    assert "Lettre d’intention déposée" in text
    assert "lettre.pdf" in text and "cerfa.pdf" in text


def test_the_pdf_fetches_nothing_from_the_network(project, monkeypatch):
    import cpts_portal.pdf

    fetched = []
    original = cpts_portal.pdf.local_path

    def spy(url):
        fetched.append(url)
        return original(url)

    monkeypatch.setattr(cpts_portal.pdf, "local_path", spy)
    pdf.project_pdf(pdf.fiche_project(project.pk))
    assert fetched and all(url.startswith("file://") for url in fetched)


def test_every_label_of_the_fiche_is_spaced_from_its_value(project, owner, ars, urps, am):
    """Issue 14: the fiche printed « déposée le5 décembre 2026 »."""
    import re

    from projects.models import LegalHolder

    LegalHolder.objects.create(
        project=project, name="Association CPTS Douarnenez", rna_number="W291000123"
    )
    sign_contract(
        project,
        date(2023, 8, 31),
        coordinator=owner,
        ars=ars,
        urps=urps,
        am=am,
        cpam_name="CPAM du Finistère",
    )
    text = pdf_text(pdf.project_pdf(pdf.fiche_project(project.pk)))
    for label in (
        "Territoire",
        "Association porteuse",
        "Coordinateurs",
        "Créé le",
        "Lettre d’intention déposée le",
        "Lettre d’intention validée le",
        "Projet de santé déposé le",
        "Projet de santé validé le",
        "Signé le",
        "Échéance (5 ans)",
    ):
        assert re.search(re.escape(label) + r"\s+\S", text), label
    glued = re.findall(r"(?:le|ans\)|porteuse|Territoire|Coordinateurs)(?=\d|[A-Z])", text)
    assert glued == [], glued
    assert not re.search(r"le\d", text)
