"""The project page (stepper, milestones, actions per role) and the projet de santé page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import ActionSheet, Stage
from projects.models.choices import CORE_MISSIONS, PIPELINE

from .helpers import advance_to

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("stage", PIPELINE)
def test_project_page_renders_at_every_stage_for_everyone(
    client, project, owner, ars, urps, am, stage
):
    advance_to(project, stage, coordinator=owner, ars=ars, urps=urps, am=am)
    for user in (owner, ars, urps, am):
        client.force_login(user)
        response = client.get(project.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert 'class="fr-stepper"' in page
        assert f'id="etape">{stage.label}<' in page.replace("&#x27;", "'").replace("’", "’")
        for name in ("letter", "health_project", "contract"):
            url = reverse(f"projects:{name}", kwargs={"pk": project.pk})
            assert client.get(url).status_code == 200, (name, user)


def test_stepper_shows_the_phase_of_the_stage(client, project, owner, ars, urps, am):
    advance_to(
        project, Stage.HEALTH_PROJECT_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am
    )
    client.force_login(owner)
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'data-fr-current-step="3" data-fr-steps="5"' in page
    assert "Phase 3 sur 5" in page
    assert "Phase suivante :</span> Contrat ACI" in page


def test_overdue_milestones_are_highlighted(client, project, owner):
    project.milestones.filter(code="diagnostic").update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    project.milestones.filter(code="pilote").update(
        due_on=timezone.localdate() - timedelta(days=1), done_on=timezone.localdate()
    )
    client.force_login(owner)
    page = client.get(project.get_absolute_url()).content.decode()
    assert page.count(">En retard<") == 1


def test_coordinator_sets_a_milestone_due_date(client, project, owner):
    milestone = project.milestones.get(code="diagnostic")
    client.force_login(owner)
    url = reverse("projects:milestone", kwargs={"pk": project.pk, "milestone_pk": milestone.pk})
    response = client.post(url, {"due_on": "2030-01-31", "done_on": ""})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert str(milestone.due_on) == "2030-01-31"
    assert project.events.filter(kind="milestone", author=owner).exists()


def test_actions_offered_depend_on_the_role(client, project, owner, ars, urps, am):
    advance_to(project, Stage.LETTER_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am)
    client.force_login(urps)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Rendre l’avis des URPS" in page
    assert "Renvoyer : Lettre d’intention à compléter" in page
    client.force_login(owner)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Rendre l’avis des URPS" not in page
    assert "Abandonner le projet" in page


def test_coordinator_writes_the_health_project_with_action_sheets(
    client, project, owner, ars, urps, am
):
    advance_to(project, Stage.LETTER_VALIDATED, coordinator=owner, ars=ars, urps=urps, am=am)
    client.force_login(owner)
    url = reverse("projects:health_project", kwargs={"pk": project.pk})
    data = {
        "diagnostic": "Population âgée",
        "governance": "Bureau de 6 libéraux",
        "missions": [m.value for m in CORE_MISSIONS],
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "30",
        "actions-0-title": "Accès au médecin traitant",
        "actions-0-mission": "acces_medecin_traitant",
        "actions-0-referents": "Dr Le Goff",
        "actions-0-partners": "CPAM",
        "actions-0-tasks": "Liste des patients sans médecin traitant",
        "actions-0-due_on": "2030-06-30",
        "actions-0-indicators": "Patients orientés",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    project.refresh_from_db()
    # The first save starts the drafting.
    assert project.stage == Stage.HEALTH_PROJECT_DRAFTING
    sheet = ActionSheet.objects.get()
    assert (sheet.title, str(sheet.due_on)) == ("Accès au médecin traitant", "2030-06-30")
    page = client.get(url).content.decode()
    assert "Document : Projet de santé" in page
    assert "La mission socle" not in page


def test_ars_validates_the_letter_with_the_fir_funding(client, project, owner, ars, urps, am):
    advance_to(project, Stage.URPS_OPINION, coordinator=owner, ars=ars, urps=urps, am=am)
    client.force_login(ars)
    url = reverse("projects:stage_change", kwargs={"pk": project.pk, "target": "lettre_validee"})
    page = client.get(url).content.decode()
    assert "Montant du financement FIR" in page
    response = client.post(url, {"fir_amount": "25000", "fir_granted_on": "2024-05-02"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (str(project.fir_amount), str(project.fir_granted_on)) == ("25000.00", "2024-05-02")


def test_send_back_page_requires_the_reasons(client, project, owner, ars, urps, am):
    advance_to(project, Stage.LETTER_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am)
    client.force_login(ars)
    url = reverse(
        "projects:stage_change", kwargs={"pk": project.pk, "target": "lettre_a_completer"}
    )
    response = client.post(url, {"comment": ""})
    assert response.status_code == 200
    assert "comment" in response.context["form"].errors
    assert client.post(url, {"comment": "Joindre le CERFA signé"}).status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.LETTER_TO_COMPLETE


def test_unknown_target_is_not_found(client, project, ars):
    client.force_login(ars)
    url = reverse("projects:stage_change", kwargs={"pk": project.pk, "target": "nimporte"})
    assert client.get(url).status_code == 404


def test_assurance_maladie_gives_its_opinion_then_the_ars_validates(
    client, project, owner, ars, urps, am
):
    advance_to(
        project, Stage.HEALTH_PROJECT_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am
    )
    url = reverse("projects:am_opinion", kwargs={"pk": project.pk})
    client.force_login(ars)
    assert client.get(url).status_code == 403
    client.force_login(am)
    response = client.post(url, {"verdict": "reserved", "comment": "Préciser les indicateurs"})
    assert response.status_code == 302
    opinion = project.am_opinions.get()
    assert (opinion.verdict, opinion.author) == ("reserved", am)
    client.force_login(ars)
    validate = reverse(
        "projects:stage_change", kwargs={"pk": project.pk, "target": "projet_sante_valide"}
    )
    assert client.post(validate, {"comment": ""}).status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.HEALTH_PROJECT_VALIDATED
    assert "Préciser les indicateurs" in client.get(project.get_absolute_url()).content.decode()


def test_refused_stage_change_page_lists_what_is_missing(client, project, owner):
    client.force_login(owner)
    url = reverse("projects:stage_change", kwargs={"pk": project.pk, "target": "lettre_deposee"})
    response = client.post(url, {"comment": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Il manque :" in page
    assert "<li>Document : Lettre d’intention signée</li>" in page
