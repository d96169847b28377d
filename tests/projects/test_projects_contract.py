"""The ACI contract: parties, mission deadlines as sourced data, dialogues, avenants."""

from datetime import date

import pytest
from django.urls import reverse

from projects.models import (
    AciContract,
    Amendment,
    Document,
    DocumentKind,
    Mission,
    MissionDeadline,
    ProjectEvent,
    SourceStatus,
    Stage,
)
from projects.rules import add_months
from projects.selectors import mission_schedule

from .helpers import advance_to, pdf_file, sign_contract

pytestmark = pytest.mark.django_db


def contract_url(project) -> str:
    return reverse("projects:contract", kwargs={"pk": project.pk})


def sign(project, *, owner, ars, urps, am, on: date) -> AciContract:
    return sign_contract(project, on, coordinator=owner, ars=ars, urps=urps, am=am)


# --- Month arithmetic ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # leap year: the month's last day
        (date(2022, 8, 31), 6, date(2023, 2, 28)),
        (date(2023, 8, 31), 18, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 3, 15), 12, date(2025, 3, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 15), -2, date(2023, 11, 15)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


# --- Mission deadlines: data with their source ---------------------------------------------


def test_mission_deadlines_are_seeded_with_the_figures_and_their_source():
    deadlines = {
        d.mission: (d.start_within_months, d.deployed_within_months)
        for d in MissionDeadline.objects.all()
    }
    assert deadlines == {
        Mission.GP_ACCESS: (6, 18),
        Mission.UNSCHEDULED_CARE: (6, 18),
        Mission.HEALTH_CRISES: (6, 18),
        Mission.CARE_PATHWAYS: (12, 24),
        Mission.PREVENTION: (12, 24),
        Mission.QUALITY: (None, None),
        Mission.PROFESSIONAL_SUPPORT: (None, None),
    }
    for deadline in MissionDeadline.objects.all():
        assert "Accord conventionnel interprofessionnel de 2019" in deadline.source
        assert "ARS Hauts-de-France" in deadline.source
        assert "à vérifier" not in deadline.source
        assert deadline.source_status == SourceStatus.SECONDARY


def test_deadlines_are_counted_from_the_signature_with_month_ends(project, owner, ars, urps, am):
    contract = sign(project, owner=owner, ars=ars, urps=urps, am=am, on=date(2023, 8, 31))
    schedule = {row.mission: row for row in mission_schedule(contract)}
    access = schedule[Mission.GP_ACCESS]
    assert (access.start_by, access.deployed_by) == (date(2024, 2, 29), date(2025, 2, 28))
    pathways = schedule[Mission.CARE_PATHWAYS]
    assert (pathways.start_by, pathways.deployed_by) == (date(2024, 8, 31), date(2025, 8, 31))
    crises = schedule[Mission.HEALTH_CRISES]
    assert (crises.start_by, crises.deployed_by) == (date(2024, 2, 29), date(2025, 2, 28))
    quality = schedule[Mission.QUALITY]
    assert quality.free and quality.start_by is None
    assert Mission.PROFESSIONAL_SUPPORT not in schedule  # not contracted


def test_contract_page_shows_the_deadline_of_each_mission_and_its_source(
    client, project, owner, ars, urps, am
):
    sign(project, owner=owner, ars=ars, urps=urps, am=am, on=date(2023, 8, 31))
    client.force_login(owner)
    page = client.get(contract_url(project)).content.decode()
    row = page[page.index("faciliter l’accès à un médecin traitant</th>") :]
    row = row[: row.index("</tr>")]
    assert "<td>29 février 2024</td>" in row
    assert "<td>28 février 2025</td>" in row
    assert "Libre : pas de délai imposé" in page
    assert "Source : Accord conventionnel interprofessionnel" in page


def test_deadlines_edited_by_the_ars_leave_a_signed_contract_unchanged(
    client, project, owner, ars, urps, am
):
    contract = sign(project, owner=owner, ars=ars, urps=urps, am=am, on=date(2023, 8, 31))
    client.force_login(ars)
    deadline = MissionDeadline.objects.get(mission=Mission.PREVENTION)
    url = reverse("admin:projects_missiondeadline_change", args=[deadline.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "mission": Mission.PREVENTION,
            "start_within_months": "9",
            "deployed_within_months": "30",
            "source": "Avenant n° 2 à l’ACI (test)",
            "source_status": SourceStatus.OFFICIAL,
        },
    )
    assert response.status_code == 302
    # The contract keeps the deadlines it was signed with (frozen terms).
    prevention = {row.mission: row for row in mission_schedule(contract)}[Mission.PREVENTION]
    assert (prevention.start_by, prevention.deployed_by) == (date(2024, 8, 31), date(2025, 8, 31))
    assert "ARS Hauts-de-France" in prevention.source


def test_deployment_before_start_is_refused():
    from django.core.exceptions import ValidationError

    deadline = MissionDeadline.objects.get(mission=Mission.PREVENTION)
    deadline.start_within_months, deadline.deployed_within_months = 12, 6
    with pytest.raises(ValidationError):
        deadline.full_clean()


def test_a_mission_without_deadlines_entered_says_so(client, project, owner, ars, urps, am):
    MissionDeadline.objects.filter(mission=Mission.QUALITY).delete()
    sign(project, owner=owner, ars=ars, urps=urps, am=am, on=date(2023, 8, 31))
    client.force_login(owner)
    assert "Délais non saisis par l’ARS" in client.get(contract_url(project)).content.decode()


# --- Parties ---------------------------------------------------------------------------


def test_signature_records_the_three_parties(client, project, owner, ars, urps, am):
    from projects.models import LegalHolder

    LegalHolder.objects.create(
        project=project, name="Association CPTS Douarnenez", rna_number="W291000123"
    )
    advance_to(
        project, Stage.HEALTH_PROJECT_VALIDATED, coordinator=owner, ars=ars, urps=urps, am=am
    )
    client.force_login(am)
    url = reverse("projects:stage_change", kwargs={"pk": project.pk, "target": "contrat_signe"})
    page = client.get(url).content.decode()
    assert "Caisse d’assurance maladie signataire" in page
    response = client.post(url, {"signed_on": "2024-03-15", "cpam_name": "CPAM du Finistère"})
    assert response.status_code == 302
    contract = AciContract.objects.get(project=project)
    assert (contract.cpts_name, contract.cpam_name, contract.ars_name) == (
        "Association CPTS Douarnenez",
        "CPAM du Finistère",
        "Agence régionale de santé Bretagne",
    )
    page = client.get(contract_url(project)).content.decode()
    assert "<dd>CPAM du Finistère</dd>" in page
    assert "<dd>Association CPTS Douarnenez</dd>" in page
    assert '<dd id="fin-contrat">14 mars 2029</dd>' in page


def test_ars_corrects_the_parties_and_coordinators_cannot(client, project, owner, ars, urps, am):
    contract = sign(project, owner=owner, ars=ars, urps=urps, am=am, on=date(2024, 3, 15))
    data = {
        "cpts_name": "CPTS du Pays de Douarnenez",
        "cpam_name": "CPAM du Finistère",
        "ars_name": "ARS Bretagne",
        "parties_submit": "",
    }
    client.force_login(owner)
    assert client.post(contract_url(project), data).status_code == 403
    client.force_login(ars)
    response = client.post(contract_url(project), data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.cpam_name, contract.ars_name) == ("CPAM du Finistère", "ARS Bretagne")
    event = project.events.filter(kind=ProjectEvent.Kind.CONTRACT).latest("pk")
    assert "Parties au contrat ACI modifiées" in event.comment


# --- Dialogues de gestion ----------------------------------------------------------------


def test_the_five_annual_dialogues_are_due_at_the_end_of_each_contract_year(
    client, project, owner, ars, urps, am
):
    contract = sign(project, owner=owner, ars=ars, urps=urps, am=am, on=date(2024, 2, 29))
    assert contract.dialogue_schedule() == [
        (1, date(2025, 2, 28)),
        (2, date(2026, 2, 28)),
        (3, date(2027, 2, 28)),
        (4, date(2028, 2, 28)),
        (5, date(2029, 2, 28)),
    ]
    assert contract.dialogue_schedule()[-1][1] == contract.ends_on
    client.force_login(ars)
    client.post(
        contract_url(project),
        {
            "year": 1,
            "held_on": "2025-02-10",
            "participants": "Dr Martin (CPTS)\nMme Le Gall (CPAM)",
            "summary": "Indicateurs atteints",
            "decisions": "Objectif de la mission prévention relevé",
            "dialogue_submit": "",
        },
    )
    page = client.get(contract_url(project)).content.decode()
    assert "<strong>10 février 2025</strong>" in page
    assert "Indicateurs atteints" in page
    assert "Mme Le Gall (CPAM)" in page
    assert "Objectif de la mission prévention relevé" in page
    dialogue = contract.dialogues.get()
    assert dialogue.decisions == "Objectif de la mission prévention relevé"


# --- Avenants --------------------------------------------------------------------------


def amendment_data(**overrides) -> dict:
    return {
        "signed_on": "2025-01-20",
        "subject": "Ajout de la mission qualité et pertinence des soins",
        "file": pdf_file("avenant-1.pdf"),
        "amendment_submit": "",
        **overrides,
    }


def test_ars_records_an_avenant_with_its_date_object_and_document(
    client, project, owner, ars, urps, am
):
    contract = sign(project, owner=owner, ars=ars, urps=urps, am=am, on=date(2024, 3, 15))
    client.force_login(ars)
    response = client.post(contract_url(project), amendment_data())
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert (amendment.contract, amendment.signed_on, amendment.recorded_by) == (
        contract,
        date(2025, 1, 20),
        ars,
    )
    assert amendment.document.kind == DocumentKind.AMENDMENT
    assert amendment.document.original_name == "avenant-1.pdf"
    assert project.events.filter(
        kind=ProjectEvent.Kind.CONTRACT, comment__startswith="Avenant du 20/01/2025"
    ).exists()
    client.force_login(owner)
    page = client.get(contract_url(project)).content.decode()
    assert "<td>20 janvier 2025</td>" in page
    assert "Ajout de la mission qualité et pertinence des soins" in page
    assert amendment.document.get_absolute_url() in page
    assert client.get(amendment.document.get_absolute_url()).status_code == 200


def test_avenant_before_the_signature_or_with_a_fake_file_is_refused(
    client, project, owner, ars, urps, am
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign(project, owner=owner, ars=ars, urps=urps, am=am, on=date(2024, 3, 15))
    client.force_login(am)
    response = client.post(contract_url(project), amendment_data(signed_on="2024-03-01"))
    assert response.status_code == 200
    assert "Un avenant ne peut précéder la signature du contrat" in response.content.decode()
    fake = SimpleUploadedFile("avenant.pdf", b"MZ not a pdf")
    response = client.post(contract_url(project), amendment_data(file=fake))
    assert "n’est pas un document PDF, ODT ou DOCX valide" in response.content.decode()
    assert not Amendment.objects.exists()
    assert not Document.objects.filter(kind=DocumentKind.AMENDMENT).exists()


def test_coordinators_cannot_record_an_avenant(client, project, owner, ars, urps, am):
    sign(project, owner=owner, ars=ars, urps=urps, am=am, on=date(2024, 3, 15))
    client.force_login(owner)
    assert client.post(contract_url(project), amendment_data()).status_code == 403
    assert not Amendment.objects.exists()


def test_an_avenant_is_no_longer_a_bare_upload(client, project, owner, ars, urps, am):
    sign(project, owner=owner, ars=ars, urps=urps, am=am, on=date(2024, 3, 15))
    client.force_login(ars)
    page = client.get(project.get_absolute_url()).content.decode()
    assert '<option value="avenant">' not in page
    assert '<option value="contrat_aci">' in page
    response = client.post(
        reverse("projects:document_upload", kwargs={"pk": project.pk}),
        {"kind": DocumentKind.AMENDMENT, "file": pdf_file()},
    )
    assert response.status_code == 422
    assert "kind" in response.context["form"].errors
