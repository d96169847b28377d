"""Issue 17: the annual report's pièces justificatives and the report as a PDF."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import contract_services
from projects.models import AnnualReport, ReportEvidence

from .helpers import PDF_BYTES, odt_bytes, pdf_file
from .test_contract_life import report_url, review, submit_report
from .test_projects_pdf import flat, pdf_text

pytestmark = pytest.mark.django_db
YEAR_1 = date(2025, 3, 1)


def upload(client, project, year: int, file, position="", title="Liste des patients"):
    return client.post(
        report_url(project, year),
        {"file": file, "position": position, "title": title, "evidence_submit": ""},
    )


def pdf_url(project, year: int) -> str:
    return reverse("projects:contract_report_pdf", kwargs={"pk": project.pk, "year": year})


def test_a_coordinator_attaches_evidence_to_an_indicator_and_staff_download_it(
    contract, clock, client, owner, colleague, outsider, ars, urps, am
):
    project = contract.project
    clock.at(YEAR_1)
    client.force_login(colleague)
    response = upload(client, project, 1, pdf_file("patients.pdf"), position="0")
    assert response.status_code == 302
    assert response["Location"].endswith("#justificatifs")
    evidence = ReportEvidence.objects.get()
    # The report did not exist: it is started as a draft to hold the file.
    assert evidence.report.status == AnnualReport.Status.DRAFT and evidence.report.year == 1
    assert (evidence.position, evidence.indicator_name()) == (
        0,
        "Patients sans médecin traitant orientés",
    )
    assert (evidence.original_name, evidence.uploaded_by) == ("patients.pdf", colleague)
    # A file for the whole report, ODT this time.
    odt = SimpleUploadedFile("bilan.odt", odt_bytes(), content_type="application/zip")
    assert upload(client, project, 1, odt, title="Bilan").status_code == 302
    page = client.get(report_url(project, 1)).content.decode()
    assert "patients.pdf" in page and "bilan.odt" in page
    assert "Le rapport dans son ensemble" in page
    url = evidence.get_absolute_url()
    for user in (owner, colleague, ars, urps, am):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert "justificatif-annee-1-cpts-du-pays-de-douarnenez-" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    # The file of another year's URL is not served under this one.
    client.force_login(owner)
    wrong = reverse(
        "projects:report_evidence_download",
        kwargs={"pk": project.pk, "year": 2, "file_pk": evidence.pk},
    )
    assert client.get(wrong).status_code == 404
    # Every step is in the history.
    assert project.events.filter(comment__contains="Pièce justificative du rapport").count() == 2


def test_a_refused_file_is_explained_next_to_the_field(contract, clock, client, owner, settings):
    project = contract.project
    clock.at(YEAR_1)
    client.force_login(owner)
    fake = SimpleUploadedFile("preuve.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = upload(client, project, 1, fake)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_justificatif_file"' in page
    assert "n’est pas un document PDF, ODT ou DOCX valide" in page
    assert "Erreur" in page.split("</title>")[0]
    settings.PROJECTS_UPLOAD_MAX_BYTES = 10
    response = upload(client, project, 1, pdf_file("gros.pdf"))
    assert "la limite est de" in response.content.decode()
    # No file chosen: the field says so.
    response = client.post(report_url(project, 1), {"position": "", "evidence_submit": ""})
    assert response.status_code == 200
    assert not ReportEvidence.objects.exists()


def test_only_the_projects_coordinators_attach_evidence_while_the_report_is_editable(
    contract, clock, client, owner, outsider, ars, urps, am
):
    project = contract.project
    clock.at(YEAR_1)
    for user, expected in ((ars, 403), (urps, 403), (am, 403), (outsider, 404)):
        client.force_login(user)
        assert upload(client, project, 1, pdf_file()).status_code == expected
    assert not ReportEvidence.objects.exists()
    client.force_login(owner)
    # A year that has not begun takes no evidence.
    assert upload(client, project, 3, pdf_file()).status_code == 403
    with pytest.raises(ValidationError):
        contract_services.add_report_evidence(contract, owner, year=3, upload=pdf_file())
    with pytest.raises(ValidationError):
        contract_services.add_report_evidence(
            contract, owner, year=1, upload=pdf_file(), position=9
        )
    # Once submitted, the report (and its evidence) is frozen until sent back.
    assert submit_report(client, project, 1, ["100", "5", "4"]).status_code == 302
    assert upload(client, project, 1, pdf_file()).status_code == 403
    with pytest.raises(PermissionDenied):
        contract_services.add_report_evidence(contract, owner, year=1, upload=pdf_file())
    client.force_login(ars)
    assert review(client, project, 1, "completer", "Joindre la liste").status_code == 302
    client.force_login(owner)
    assert upload(client, project, 1, pdf_file("liste.pdf")).status_code == 302


def test_the_report_pdf_prints_indicators_variable_part_evidence_and_status(
    contract, clock, client, owner, outsider, ars, urps, am
):
    project = contract.project
    clock.at(YEAR_1)
    client.force_login(owner)
    assert upload(client, project, 1, pdf_file("orientations.pdf"), position="0").status_code == 302
    submit_report(client, project, 1, ["100", "5", "4"], "Année de lancement")
    client.force_login(ars)
    review(client, project, 1, comment="Conforme")
    page = client.get(report_url(project, 1)).content.decode()
    assert pdf_url(project, 1) in page  # linked from the report's page
    response = client.get(pdf_url(project, 1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        'filename="rapport-annuel-1-cpts-du-pays-de-douarnenez.pdf"'
        in (response["Content-Disposition"])
    )
    text = flat(pdf_text(response.content))
    assert "Rapport annuel, année 1" in text
    assert "du 15 mars 2024 au 14 mars 2025" in text
    assert "Validé" in text and "Conforme" in text
    assert "Patients sans médecin traitant orientés" in text
    # Target, value reached and share of each indicator.
    assert "Patients sans médecin traitant orientés 200.00 patients 100 patients 50 %" in text
    assert "Actions de prévention 4.00 actions 4 actions 100 %" in text
    # Variable part: 20,000 × 50 % + 10,000 × 100 % = 20,000 €.
    assert "20 000,00" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "orientations.pdf" in text and "Année de lancement" in text
    for user in (owner, urps, am):
        client.force_login(user)
        assert client.get(pdf_url(project, 1)).status_code == 200
    client.force_login(outsider)
    assert client.get(pdf_url(project, 1)).status_code == 404
    client.force_login(owner)
    assert client.get(pdf_url(project, 6)).status_code == 404
