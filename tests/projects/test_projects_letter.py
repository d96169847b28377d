"""The lettre d'intention: its required contents, the deposit, and the URPS avis."""

import pytest
from django.urls import reverse

from projects import selectors, workflow
from projects.models import DocumentKind, LegalHolder, Stage, UrpsOpinion
from projects.services import add_document

from .helpers import LETTER_CONTENT, advance_to, complete_letter, pdf_file

pytestmark = pytest.mark.django_db


def letter_url(project) -> str:
    return reverse("projects:letter", kwargs={"pk": project.pk})


def test_an_empty_letter_lists_every_required_content(project):
    assert selectors.letter_missing_items(project) == [
        "L’association porteuse (nom et numéro RNA)",
        "Territoire d'action",
        "Besoins identifiés",
        "Engagement et mobilisation des professionnels",
        "Description du projet",
        "Objectifs",
        "Actions envisagées",
        "Moyens proposés",
        "L’engagement à initier un travail sur les missions socles de l’ACI",
        "Document : Lettre d’intention signée",
        "Document : Demande de subvention (CERFA n° 12156)",
    ]


def test_deposit_is_refused_with_what_is_missing(project, owner):
    letter = project.letter
    for name, value in LETTER_CONTENT.items():
        setattr(letter, name, value)
    letter.means = "   "
    letter.commits_to_core_missions = True
    letter.save()
    LegalHolder.objects.create(project=project, name="Association", rna_number="W291000123")
    add_document(project, DocumentKind.LETTER, pdf_file(), owner)
    with pytest.raises(workflow.TransitionNotAllowed) as refusal:
        workflow.transition(project, Stage.LETTER_DEPOSITED, by=owner)
    assert refusal.value.missing == [
        "Moyens proposés",
        "Document : Demande de subvention (CERFA n° 12156)",
    ]


def test_coordinator_saves_a_draft_then_deposit_lists_missing_items(client, project, owner):
    client.force_login(owner)
    data = {**LETTER_CONTENT, "means": ""}
    response = client.post(letter_url(project), {**data, "enregistrer": ""})
    assert response.status_code == 302
    project.letter.refresh_from_db()
    assert project.letter.objectives == LETTER_CONTENT["objectives"]

    response = client.post(letter_url(project), {**data, "deposer": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert "La lettre d’intention ne peut pas encore être déposée." in page
    assert "<li>Moyens proposés</li>" in page
    assert "<li>Document : Lettre d’intention signée</li>" in page
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT


def test_coordinator_deposits_a_complete_letter_from_the_page(client, project, owner):
    complete_letter(project, owner)
    client.force_login(owner)
    data = {**LETTER_CONTENT, "commits_to_core_missions": "on", "deposer": ""}
    response = client.post(letter_url(project), data)
    # First the confirmation, with the checklist of what is sent.
    assert response.status_code == 302
    assert response.url == reverse("projects:letter_deposit", kwargs={"pk": project.pk})
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT
    page = client.get(response.url).content.decode()
    assert "Confirmer le dépôt" in page
    assert "Association CPTS de Douarnenez — RNA W291000123" in page
    response = client.post(response.url)
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
    project.refresh_from_db()
    assert project.stage == Stage.LETTER_DEPOSITED


def test_deposited_letter_is_read_only_for_the_coordinator(client, project, owner, ars, urps, am):
    advance_to(project, Stage.LETTER_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am)
    client.force_login(owner)
    page = client.get(letter_url(project)).content.decode()
    assert "<textarea" not in page
    assert LETTER_CONTENT["means"].replace("’", "’") in page
    assert (
        client.post(letter_url(project), {**LETTER_CONTENT, "enregistrer": ""}).status_code == 403
    )


def test_urps_gives_its_opinion_on_the_three_criteria(client, project, owner, ars, urps, am):
    advance_to(project, Stage.LETTER_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am)
    client.force_login(urps)
    url = reverse("projects:urps_opinion", kwargs={"pk": project.pk})
    page = client.get(url).content.decode()
    for label in (
        "Conformité des objectifs de la CPTS avec les missions définies par l&#x27;ACI",
        "Mobilisation des acteurs de santé",
        "Identification du territoire",
    ):
        assert label in page or label.replace("&#x27;", "'") in page
    assert page.count('type="radio"') == 9

    response = client.post(
        url,
        {
            "objectives_verdict": "favorable",
            "mobilisation_verdict": "reserved",
            "mobilisation_comment": "Peu de pharmaciens associés",
            "territory_verdict": "unfavorable",
            "territory_comment": "Chevauche l’EPCI voisin",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.URPS_OPINION
    opinion = UrpsOpinion.objects.get(project=project)
    assert opinion.author == urps
    assert [verdict for _label, verdict, _comment in opinion.criteria()] == [
        "Favorable",
        "Réservé",
        "Défavorable",
    ]
    event = project.events.get(to_state=Stage.URPS_OPINION)
    assert "Mobilisation des acteurs de santé : Réservé" in event.comment
    detail = client.get(project.get_absolute_url()).content.decode()
    assert "Peu de pharmaciens associés" in detail


def test_urps_opinion_needs_a_verdict_on_each_criterion(client, project, owner, ars, urps, am):
    advance_to(project, Stage.LETTER_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am)
    client.force_login(urps)
    url = reverse("projects:urps_opinion", kwargs={"pk": project.pk})
    response = client.post(url, {"objectives_verdict": "favorable"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"mobilisation_verdict", "territory_verdict"}
    assert project.stage == Stage.LETTER_DEPOSITED


def test_urps_cannot_give_an_opinion_before_the_deposit(client, project, urps):
    client.force_login(urps)
    url = reverse("projects:urps_opinion", kwargs={"pk": project.pk})
    assert client.get(url).status_code == 403


# --- Nothing typed is lost; the deposit is confirmed (issue 14, item 8) --------------------


def test_uploading_a_document_saves_the_unsaved_text_of_the_letter(client, project, owner):
    client.force_login(owner)
    data = {**LETTER_CONTENT, "kind": DocumentKind.LETTER, "title": "", "televerser": ""}
    response = client.post(letter_url(project), {**data, "file": pdf_file()})
    assert response.status_code == 302
    assert response.url.endswith("#pieces")
    project.letter.refresh_from_db()
    assert project.letter.means == LETTER_CONTENT["means"]
    assert project.documents.get().kind == DocumentKind.LETTER


def test_a_rejected_file_stays_on_the_letter_with_the_error_and_the_text(client, project, owner):
    client.force_login(owner)
    fake = pdf_file("lettre.pdf", b"MZ\x90\x00 not a pdf")
    data = {**LETTER_CONTENT, "kind": DocumentKind.LETTER, "televerser": "", "file": fake}
    response = client.post(letter_url(project), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Lettre d’intention" in page and 'id="id_means"' in page
    assert LETTER_CONTENT["planned_actions"] in page
    assert response.context["document_form"].errors["file"]
    assert not project.documents.exists()
    # The text was saved all the same.
    project.letter.refresh_from_db()
    assert project.letter.objectives == LETTER_CONTENT["objectives"]


def test_a_missing_file_with_the_upload_button_keeps_the_text(client, project, owner):
    client.force_login(owner)
    data = {**LETTER_CONTENT, "kind": DocumentKind.LETTER, "televerser": ""}
    response = client.post(letter_url(project), data)
    assert response.status_code == 422
    assert "file" in response.context["document_form"].errors
    assert LETTER_CONTENT["objectives"] in response.content.decode()


def test_the_deposit_is_refused_while_the_association_is_not_recorded(client, project, owner):
    complete_letter(project, owner)
    LegalHolder.objects.filter(project=project).delete()
    client.force_login(owner)
    response = client.post(
        letter_url(project), {**LETTER_CONTENT, "commits_to_core_missions": "on", "deposer": ""}
    )
    assert response.status_code == 422
    assert "<li>L’association porteuse (nom et numéro RNA)</li>" in response.content.decode()
    confirm = reverse("projects:letter_deposit", kwargs={"pk": project.pk})
    page = client.get(confirm).content.decode()
    assert "Non renseignée" in page and "Confirmer le dépôt" not in page
    assert client.post(confirm).status_code == 422
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT


@pytest.mark.parametrize("who", ["outsider", "ars", "urps", "am"])
def test_only_the_projects_coordinators_confirm_the_deposit(client, project, owner, who, request):
    complete_letter(project, owner)
    client.force_login(request.getfixturevalue(who))
    confirm = reverse("projects:letter_deposit", kwargs={"pk": project.pk})
    assert client.post(confirm).status_code in (403, 404)
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT
