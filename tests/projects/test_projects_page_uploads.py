"""Uploading on the projet de santé's page never loses the text typed (issue 14, item 8),
and staff who may add a file without writing the text keep the plain upload form."""

import pytest
from django.urls import reverse

from projects.models import ActionSheet, DocumentKind, Stage
from projects.models.choices import CORE_MISSIONS

from .helpers import advance_to, pdf_file

pytestmark = pytest.mark.django_db


def page_url(project) -> str:
    return reverse("projects:health_project", kwargs={"pk": project.pk})


def health_data(**extra) -> dict:
    return {
        "diagnostic": "Population âgée, 20 % sans médecin traitant",
        "governance": "Bureau de 6 libéraux",
        "missions": [m.value for m in CORE_MISSIONS],
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "30",
        "actions-0-title": "Accès au médecin traitant",
        "actions-0-mission": "acces_medecin_traitant",
        "actions-0-referents": "Dr Le Goff",
        "actions-0-tasks": "Liste des patients sans médecin traitant",
        "actions-0-indicators": "Patients orientés",
        "kind": DocumentKind.HEALTH_PROJECT,
        **extra,
    }


@pytest.fixture
def drafting(project, owner, ars, urps, am):
    return advance_to(project, Stage.LETTER_VALIDATED, coordinator=owner, ars=ars, urps=urps, am=am)


def test_uploading_saves_the_unsaved_health_project_first(client, drafting, owner):
    client.force_login(owner)
    response = client.post(page_url(drafting), health_data(televerser="", file=pdf_file("ps.pdf")))
    assert response.status_code == 302
    assert response.url.endswith("#document")
    drafting.health_project.refresh_from_db()
    assert drafting.health_project.diagnostic.startswith("Population âgée")
    assert ActionSheet.objects.get().title == "Accès au médecin traitant"
    assert drafting.documents.filter(kind=DocumentKind.HEALTH_PROJECT).count() == 1


def test_a_refused_file_stays_on_the_page_with_the_saved_text(client, drafting, owner):
    client.force_login(owner)
    fake = pdf_file("ps.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(page_url(drafting), health_data(televerser="", file=fake))
    assert response.status_code == 422
    assert response.context["document_form"].errors["file"]
    page = response.content.decode()
    assert "seul le fichier a été refusé" in page
    assert "Population âgée, 20 % sans médecin traitant" in page
    assert not drafting.documents.filter(kind=DocumentKind.HEALTH_PROJECT).exists()
    # The fiche-action is saved once, and shown as saved: sending the page again does not
    # add it twice.
    sheet = ActionSheet.objects.get()
    assert f'value="{sheet.pk}"' in page
    formset = response.context["formset"]
    assert not formset.is_bound


def test_staff_keep_the_plain_upload_form(client, drafting, ars):
    client.force_login(ars)
    page = client.get(page_url(drafting)).content.decode()
    assert reverse("projects:document_upload", kwargs={"pk": drafting.pk}) in page
    assert "<textarea" not in page
