"""Files and complete documents for the projects tests."""

import io
import zipfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects import services, workflow
from projects.models import (
    ActionSheet,
    CptsProject,
    DocumentKind,
    LegalHolder,
    Mission,
    Stage,
)
from projects.models.choices import CORE_MISSIONS

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf_file(name: str = "lettre.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


LETTER_CONTENT = {
    "action_territory": "Les 12 communes de Douarnenez Communauté.",
    "identified_needs": "Difficultés d’accès à un médecin traitant ; soins non programmés.",
    "mobilisation": "15 médecins, 20 infirmiers, 3 pharmacies ; l’hôpital est partenaire.",
    "project_description": "Une CPTS conforme aux missions de l’ACI et aux axes du PRS.",
    "objectives": "Faciliter l’accès au médecin traitant.",
    "planned_actions": "Plateforme de régulation des soins non programmés.",
    "means": "Un coordinateur à mi-temps, un outil de partage d’agenda.",
}


def complete_letter(project: CptsProject, by) -> None:
    """Record the association, fill in the letter and upload the signed letter and CERFA."""
    LegalHolder.objects.get_or_create(
        project=project,
        defaults={"name": "Association CPTS de Douarnenez", "rna_number": "W291000123"},
    )
    letter = project.letter
    for name, value in LETTER_CONTENT.items():
        setattr(letter, name, value)
    letter.commits_to_core_missions = True
    letter.save()
    services.add_document(project, DocumentKind.LETTER, pdf_file(), by)
    services.add_document(project, DocumentKind.CERFA, pdf_file("cerfa.pdf"), by)


def give_urps_opinion(project: CptsProject, urps) -> None:
    services.record_urps_opinion(
        project,
        urps,
        objectives_verdict="favorable",
        mobilisation_verdict="reserved",
        mobilisation_comment="Peu de pharmaciens",
        territory_verdict="favorable",
    )


def complete_health_project(project: CptsProject, by) -> None:
    health_project = project.health_project
    health_project.diagnostic = "Population vieillissante, 20 % sans médecin traitant."
    health_project.governance = "Association loi 1901, collège des libéraux majoritaire."
    health_project.missions = [m.value for m in CORE_MISSIONS] + [Mission.QUALITY.value]
    health_project.save()
    ActionSheet.objects.create(
        health_project=health_project,
        title="Régulation des soins non programmés",
        mission=Mission.UNSCHEDULED_CARE,
        referents="Dr Le Goff",
        tasks="Numéro unique",
        indicators="Nombre de demandes traitées",
    )
    services.add_document(project, DocumentKind.HEALTH_PROJECT, pdf_file("projet.pdf"), by)


def advance_to(project: CptsProject, stage: Stage, *, coordinator, ars, urps, am) -> CptsProject:
    """Walk the main line up to ``stage`` with the right person at each step."""

    steps = [
        (
            Stage.LETTER_DEPOSITED,
            lambda: (
                complete_letter(project, coordinator),
                workflow.transition(project, Stage.LETTER_DEPOSITED, by=coordinator),
            ),
        ),
        (Stage.URPS_OPINION, lambda: give_urps_opinion(project, urps)),
        (
            Stage.LETTER_VALIDATED,
            lambda: workflow.transition(
                project,
                Stage.LETTER_VALIDATED,
                by=ars,
                fir_amount=Decimal("30000"),
                fir_granted_on=timezone.localdate(),
            ),
        ),
        (
            Stage.HEALTH_PROJECT_DRAFTING,
            lambda: workflow.transition(project, Stage.HEALTH_PROJECT_DRAFTING, by=coordinator),
        ),
        (
            Stage.HEALTH_PROJECT_DEPOSITED,
            lambda: (
                complete_health_project(project, coordinator),
                workflow.transition(project, Stage.HEALTH_PROJECT_DEPOSITED, by=coordinator),
            ),
        ),
        (
            Stage.HEALTH_PROJECT_VALIDATED,
            lambda: (
                services.record_am_opinion(project, am, verdict="favorable"),
                workflow.transition(project, Stage.HEALTH_PROJECT_VALIDATED, by=ars),
            ),
        ),
        (
            Stage.CONTRACT_SIGNED,
            lambda: workflow.transition(
                project, Stage.CONTRACT_SIGNED, by=am, signed_on=timezone.localdate()
            ),
        ),
        (Stage.RUNNING, lambda: workflow.transition(project, Stage.RUNNING, by=ars)),
    ]
    for _target, step in steps:
        if project.stage == stage:
            break
        step()
    assert project.stage == stage
    return project


def sign_contract(project: CptsProject, on, *, coordinator, ars, urps, am, **data):
    """Walk up to the validated projet de santé, then sign the contract on ``on``."""
    from projects.models import AciContract

    advance_to(
        project, Stage.HEALTH_PROJECT_VALIDATED, coordinator=coordinator, ars=ars, urps=urps, am=am
    )
    workflow.transition(project, Stage.CONTRACT_SIGNED, by=am, signed_on=on, **data)
    return AciContract.objects.get(project=project)
