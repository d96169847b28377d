"""The projects admin follows the project rules (issue #12, finding 7).

Before: ``/admin/`` changed a project's territory through a raw id field, to any row
(an answer's, another project's), over another project's communes without an override
reason, and left no history.
"""

import datetime

import pytest
from django.urls import reverse

from projects.models import ProjectEvent, Stage, TerritoryOverlapOverride
from tests.factories import CptsProjectFactory, SubmissionFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def change_url(project) -> str:
    return reverse("admin:projects_cptsproject_change", args=[project.pk])


def form_data(response) -> dict:
    """The admin change form's data as the browser would post it back unchanged."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, list | tuple):
                value = [str(item) for item in value]
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


@pytest.fixture
def admin_client(client, ars):
    client.force_login(ars)
    return client


@pytest.fixture
def douarnenez_alone(communes):
    """A territory built in the territories app, overlapping the first project's."""
    return TerritoryFactory(name="Douarnenez seul", communes=[communes[0]])


def test_admin_does_not_offer_an_answers_territory(admin_client, other_project, communes):
    answer = SubmissionFactory(territory=TerritoryFactory(name="AMI", communes=communes[:1]))
    response = admin_client.get(change_url(other_project))
    assert response.status_code == 200
    field = response.context["adminform"].form.fields["territory"]
    assert answer.territory not in set(field.queryset)
    assert other_project.territory in set(field.queryset)
    data = {**form_data(response), "territory": str(answer.territory_id)}
    response = admin_client.post(change_url(other_project), data)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    other_project.refresh_from_db()
    assert other_project.territory_id != answer.territory_id


def test_admin_refuses_an_overlap_without_a_reason(
    admin_client, project, other_project, douarnenez_alone
):
    before = other_project.territory_id
    data = {**form_data(admin_client.get(change_url(other_project)))}
    data["territory"] = str(douarnenez_alone.pk)
    response = admin_client.post(change_url(other_project), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce territoire partage des communes avec « CPTS du Pays de Douarnenez »" in page
    other_project.refresh_from_db()
    assert other_project.territory_id == before
    assert not TerritoryOverlapOverride.objects.exists()
    assert not other_project.events.filter(kind=ProjectEvent.Kind.EDITED).exists()


def test_admin_records_an_overlap_with_a_reason_and_history(
    admin_client, ars, project, other_project, douarnenez_alone
):
    data = form_data(admin_client.get(change_url(other_project)))
    data.update(territory=str(douarnenez_alone.pk), override_reason="Décision du comité")
    response = admin_client.post(change_url(other_project), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    other_project.refresh_from_db()
    assert other_project.territory == douarnenez_alone
    override = TerritoryOverlapOverride.objects.get()
    assert (override.project, override.other_project, override.reason, override.by) == (
        other_project,
        project,
        "Décision du comité",
        ars,
    )
    event = other_project.events.get(kind=ProjectEvent.Kind.EDITED)
    assert event.author == ars
    assert "Douarnenez seul" in event.comment


def test_admin_cannot_change_the_stage(admin_client, project):
    """Already read-only before: kept so, stage changes go through workflow.transition."""
    data = {**form_data(admin_client.get(change_url(project))), "stage": Stage.RUNNING}
    assert admin_client.post(change_url(project), data).status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.DRAFT


def test_admin_renames_a_blocked_project_without_a_reason(admin_client, ars, project, communes):
    """The overlap rule asks for a reason when the territory changes, not for a new name."""
    newcomer = CptsProjectFactory(
        name="CPTS de Pouldergat",
        territory=TerritoryFactory(name="Pouldergat", communes=[communes[1]]),
        by=ars,
    )
    data = {**form_data(admin_client.get(change_url(newcomer))), "name": "CPTS du Porzay"}
    assert admin_client.post(change_url(newcomer), data).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.name == "CPTS du Porzay"
    event = newcomer.events.get(kind=ProjectEvent.Kind.EDITED)
    assert (event.author, event.comment) == (ars, "Modifié : nom")
    assert not TerritoryOverlapOverride.objects.exists()
