"""Services and rules: project from an AMI answer, legal holder numbers, contract term.

The funding simulation is in ``test_projects_funding``, the contract's other parts in
``test_projects_contract``.
"""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ami.models import Submission
from projects.checklist import MEMO_CHECKLIST
from projects.models import (
    AciContract,
    CptsProject,
    LegalHolder,
    ProjectEvent,
    Stage,
)
from projects.rules import contract_end
from projects.services import create_project_from_submission
from projects.validators import validate_rna, validate_siret
from territories.models import Epci
from tests.factories import ActorFactory, CommuneFactory, SubmissionFactory, TerritoryFactory

from .helpers import advance_to

pytestmark = pytest.mark.django_db


# --- create_project_from_submission ----------------------------------------------------


def test_project_from_a_submission_takes_its_territory_and_is_linked(ars, communes):
    territory = TerritoryFactory(name="Saisie du professionnel", communes=communes[:2])
    submission = SubmissionFactory(
        territory_text="Douarnenez Communauté\net alentours", territory=territory
    )
    project = create_project_from_submission(submission, by=ars)
    # Named from the reference geography (main commune), not from the free text.
    assert project.name == "CPTS de Douarnenez"
    assert project.name_suggested
    assert project.stage == Stage.DRAFT
    assert list(project.submissions.all()) == [submission]
    # A copy: the project's perimeter may change, the answer keeps what was written.
    assert project.territory != territory
    assert set(project.territory.communes.all()) == set(communes[:2])
    event = project.events.get()
    assert (event.kind, event.author) == (ProjectEvent.Kind.CREATED, ars)
    assert submission.reference in event.comment
    assert [m.code for m in project.milestones.all()] == [item.code for item in MEMO_CHECKLIST]
    assert project.letter.pk and project.health_project.pk


def test_project_from_a_submission_is_named_after_its_main_epci_never_the_free_text(ars, communes):
    fougeres = Epci.objects.create(code="200039022", name="CA Fougères Agglomération", kind="CA")
    brest = Epci.objects.create(code="242900314", name="Brest Métropole", kind="MET")
    for commune in communes[:2]:
        commune.epci = fougeres
        commune.save()
    communes[2].epci = brest
    communes[2].save()
    extra = [CommuneFactory(epci=fougeres, population=30_000) for _ in range(5)]
    submission = SubmissionFactory(
        territory_text="CPTS Pays de Fougères : Fougères Agglomération, éventuellement "
        "Couesnon Marches de Bretagne.",
        territory=TerritoryFactory(communes=[*communes, *extra]),
    )
    project = create_project_from_submission(submission, by=ars)
    # 165,200 inhabitants in Fougères Agglomération, 140,000 in Brest Métropole.
    assert project.name == "CPTS du pays de Fougères"
    assert project.territory.name == "CPTS du pays de Fougères"


def test_the_ars_gives_the_name_when_creating_from_a_submission(ars, communes):
    submission = SubmissionFactory(territory=TerritoryFactory(communes=communes[:1]))
    project = create_project_from_submission(submission, by=ars, name="  CPTS Cap Sizun  ")
    assert project.name == "CPTS Cap Sizun"
    assert not project.name_suggested


def test_project_from_a_submission_without_territory_is_named_after_the_actors_main_commune(
    ars, communes
):
    submission = SubmissionFactory(territory_text="Le pays de Brest")
    submission.actors.all().delete()
    ActorFactory(submission=submission, practice_place="douarnenez", practice_commune=communes[0])
    ActorFactory(submission=submission, practice_place="Brest")
    project = create_project_from_submission(submission, by=ars)
    assert project.name == "CPTS de Douarnenez"
    assert project.territory is None


def test_project_from_a_submission_without_any_place_is_named_after_the_answer(ars):
    submission = SubmissionFactory(territory_text="Quelque part")
    submission.actors.all().delete()
    project = create_project_from_submission(submission, by=ars)
    assert project.name == f"Projet issu de la réponse {submission.reference}"


def test_project_from_a_submission_is_created_once(ars):
    submission = SubmissionFactory()
    first = create_project_from_submission(submission, by=ars)
    assert create_project_from_submission(Submission.objects.get(pk=submission.pk), ars) == first
    assert CptsProject.objects.count() == 1


@pytest.mark.parametrize("who", ["urps", "am", "owner"])
def test_only_the_ars_creates_a_project_from_a_submission(who, request):
    with pytest.raises(PermissionDenied):
        create_project_from_submission(SubmissionFactory(), by=request.getfixturevalue(who))
    assert not CptsProject.objects.exists()


# --- Legal holder ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["W751234567", "w29 100 0123", "W-291-000-123"])
def test_rna_numbers_accepted(value):
    validate_rna(value)


@pytest.mark.parametrize("value", ["", "751234567", "W12345678", "W1234567890", "WA23456789"])
def test_rna_numbers_refused(value):
    with pytest.raises(ValidationError):
        validate_rna(value)


@pytest.mark.parametrize(
    "value", ["73282932000074", "732 829 320 00074", "35600000000048", "35600000049837"]
)
def test_siret_with_a_right_luhn_key_accepted(value):
    validate_siret(value)


@pytest.mark.parametrize("value", ["73282932000075", "7328293200007", "7328293200007A"])
def test_siret_with_a_wrong_key_or_length_refused(value):
    with pytest.raises(ValidationError):
        validate_siret(value)


def test_coordinator_records_the_association(client, project, owner):
    client.force_login(owner)
    url = reverse("projects:holder", kwargs={"pk": project.pk})
    response = client.post(
        url, {"name": "CPTS Pays de Douarnenez", "rna_number": "W29 1000123", "siret": "1"}
    )
    assert response.status_code == 200
    assert "siret" in response.context["form"].errors
    response = client.post(
        url,
        {
            "name": "CPTS Pays de Douarnenez",
            "rna_number": "w29 100 0123",
            "siret": "732 829 320 00074",
        },
    )
    assert response.status_code == 302
    holder = LegalHolder.objects.get(project=project)
    assert (holder.rna_number, holder.siret) == ("W291000123", "73282932000074")


# --- ACI contract ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signed", "ends"),
    [
        (date(2022, 3, 15), date(2027, 3, 14)),
        (date(2023, 1, 1), date(2027, 12, 31)),
        (date(2024, 2, 29), date(2029, 2, 28)),
    ],
)
def test_aci_contract_lasts_five_years(signed, ends):
    assert contract_end(signed) == ends
    assert AciContract(signed_on=signed).ends_on == ends


def test_signed_contract_shows_its_end_date(client, project, owner, ars, urps, am):
    from projects import workflow

    advance_to(
        project, Stage.HEALTH_PROJECT_VALIDATED, coordinator=owner, ars=ars, urps=urps, am=am
    )
    workflow.transition(project, Stage.CONTRACT_SIGNED, by=am, signed_on=date(2022, 3, 15))
    client.force_login(owner)
    page = client.get(reverse("projects:contract", kwargs={"pk": project.pk})).content.decode()
    assert '<dd id="fin-contrat">14 mars 2027</dd>' in page


def test_ars_records_a_dialogue_de_gestion(client, project, owner, ars, urps, am):
    advance_to(project, Stage.CONTRACT_SIGNED, coordinator=owner, ars=ars, urps=urps, am=am)
    url = reverse("projects:contract", kwargs={"pk": project.pk})
    client.force_login(owner)
    assert client.post(url, {"year": 1, "held_on": "2023-03-01", "summary": "x"}).status_code == 403
    client.force_login(ars)
    response = client.post(
        url,
        {
            "year": 1,
            "held_on": "2023-03-01",
            "summary": "Objectifs atteints",
            "dialogue_submit": "",
        },
    )
    assert response.status_code == 302
    assert project.contract.dialogues.get().summary == "Objectifs atteints"
    assert project.events.filter(kind="contract").exists()
