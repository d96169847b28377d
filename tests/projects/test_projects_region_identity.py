"""The ACI contract, the fiche projet PDF and the project emails name the ARS of the
project's region (``territories.selectors.region_identity``), the settings' operator when
the region has no identity saved."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from notifications.models import OutgoingEmail
from projects.pdf import fiche_project, project_pdf
from territories.models import RegionIdentity
from tests.factories import CptsProjectFactory, RegionFactory, UserFactory

from .helpers import sign_contract

pytestmark = pytest.mark.django_db

BRETAGNE_ARS = "Agence régionale de santé Bretagne"
OCCITANIE_ARS = "Agence régionale de santé Occitanie"


@pytest.fixture(autouse=True)
def operator(settings):
    settings.PORTAL_OPERATOR = "Agence régionale de santé de Démonstration"
    return settings.PORTAL_OPERATOR


def serve(code: str, name: str, ars_name: str):
    region = RegionFactory(code=code, name=name)
    RegionIdentity.objects.create(region=region, ars_name=ars_name, ars_short_name=name)
    return region


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_contract_and_stage_emails_name_the_projects_ars(project, owner, ars, urps, am):
    serve("53", "Bretagne", BRETAGNE_ARS)
    contract = sign_contract(
        project, timezone.localdate(), coordinator=owner, ars=ars, urps=urps, am=am
    )
    assert contract.ars_name == BRETAGNE_ARS
    signed = OutgoingEmail.objects.filter(template="projects/emails/stage_changed").last()
    assert BRETAGNE_ARS in signed.body_text
    assert BRETAGNE_ARS in signed.body_html


def test_without_identity_the_contract_names_the_settings_operator(
    project, owner, ars, urps, am, operator
):
    contract = sign_contract(
        project, timezone.localdate(), coordinator=owner, ars=ars, urps=urps, am=am
    )
    assert contract.ars_name == operator


def test_the_fiche_of_an_occitanie_project_names_ars_occitanie(operator):
    occitanie = serve("76", "Occitanie", OCCITANIE_ARS)
    serve("53", "Bretagne", BRETAGNE_ARS)
    agent = UserFactory(roles=["ARS"], region=occitanie)
    project = CptsProjectFactory(name="CPTS du Grand-Figeac", by=agent)
    assert project.region_id == occitanie.pk
    text = pdf_text(project_pdf(fiche_project(project.pk)))
    assert OCCITANIE_ARS in text
    assert BRETAGNE_ARS not in text
    assert operator not in text
