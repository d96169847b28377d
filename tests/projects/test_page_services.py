"""The writes the project's pages used to make themselves, now services taking plain data:
each checks who acts and writes its history entry through ``record_event``."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from projects import contract_services, services
from projects.models import ActionSheet, Mission, ProjectEvent, Stage
from projects.services import ActionSheetRow
from territories import services as territory_services
from territories.models import Territory
from tests.factories import TerritoryFactory

from .helpers import advance_to, pdf_file, sign_contract

pytestmark = pytest.mark.django_db

SHEET = {
    "title": "Régulation des soins non programmés",
    "mission": Mission.UNSCHEDULED_CARE,
    "referents": "Dr Le Goff",
    "partners": "",
    "tasks": "Numéro unique",
    "due_on": None,
    "indicators": "Nombre de demandes traitées",
}


def test_a_coordinator_saves_the_letter_and_the_history_names_the_fields(project, owner):
    services.save_letter(project, owner, {"objectives": "Un médecin traitant pour chacun."})
    event = project.events.get(kind=ProjectEvent.Kind.EDITED)
    assert (event.author, event.comment) == (owner, "Lettre d’intention : Objectifs modifié(s)")
    project.letter.refresh_from_db()
    assert project.letter.objectives == "Un médecin traitant pour chacun."
    # Nothing changed: no second entry.
    services.save_letter(project, owner, {"objectives": "Un médecin traitant pour chacun."})
    assert project.events.filter(kind=ProjectEvent.Kind.EDITED).count() == 1


def test_the_ars_does_not_write_the_coordinators_letter(project, ars):
    with pytest.raises(PermissionDenied):
        services.save_letter(project, ars, {"objectives": "Autre"})
    assert not project.events.filter(kind=ProjectEvent.Kind.EDITED).exists()


def test_fiches_actions_are_added_changed_and_deleted_from_plain_rows(
    project, owner, ars, urps, am
):
    advance_to(project, Stage.LETTER_VALIDATED, coordinator=owner, ars=ars, urps=urps, am=am)
    services.save_health_project(
        project,
        owner,
        {"governance": "Association"},
        [
            ActionSheetRow(values=SHEET),
            ActionSheetRow(values={**SHEET, "title": "Prévention"}),
        ],
    )
    first, second = ActionSheet.objects.filter(health_project__project=project)
    project.refresh_from_db()
    assert project.stage == Stage.HEALTH_PROJECT_DRAFTING
    changed = services.save_health_project(
        project,
        owner,
        {"governance": "Association"},
        [
            ActionSheetRow(values={**SHEET, "title": "Soins non programmés"}, pk=first.pk),
            ActionSheetRow(values={}, pk=second.pk, delete=True),
        ],
    )
    assert changed == ["fiches-actions"]
    assert list(
        ActionSheet.objects.filter(health_project__project=project).values_list("title", flat=True)
    ) == ["Soins non programmés"]
    comments = list(
        project.events.filter(kind=ProjectEvent.Kind.EDITED).values_list("comment", flat=True)
    )
    assert comments == [
        "Projet de santé : Gouvernance, fiches-actions modifié(s)",
        "Projet de santé : fiches-actions modifié(s)",
    ]


def test_a_fiche_action_of_another_project_is_refused(
    project, other_project, owner, outsider, ars, urps, am
):
    for subject, coordinator in ((project, owner), (other_project, outsider)):
        advance_to(
            subject, Stage.LETTER_VALIDATED, coordinator=coordinator, ars=ars, urps=urps, am=am
        )
    services.save_health_project(other_project, outsider, {}, [ActionSheetRow(values=SHEET)])
    theirs = ActionSheet.objects.get(health_project__project=other_project)
    with pytest.raises(PermissionDenied):
        services.save_health_project(
            project, owner, {}, [ActionSheetRow(values={}, pk=theirs.pk, delete=True)]
        )
    assert ActionSheet.objects.filter(pk=theirs.pk).exists()


def test_contract_missions_change_by_avenant_and_dialogues_are_recorded_with_history(
    project, owner, ars, urps, am
):
    contract = sign_contract(
        project, date(2024, 3, 15), coordinator=owner, ars=ars, urps=urps, am=am
    )
    services.add_amendment(
        contract,
        ars,
        date(2024, 9, 1),
        "Recentrage sur l’accès au médecin traitant",
        pdf_file("avenant.pdf"),
        missions=[Mission.GP_ACCESS],
    )
    dialogue = contract_services.record_dialogue(
        contract, am, year=1, held_on=date(2025, 2, 10), summary="Indicateurs atteints"
    )
    contract.refresh_from_db()
    assert contract.missions == [Mission.GP_ACCESS]
    assert (dialogue.contract, dialogue.recorded_by, dialogue.year) == (contract, am, 1)
    events = list(project.events.filter(kind=ProjectEvent.Kind.CONTRACT).order_by("pk"))
    assert [(e.author, e.comment) for e in events[-2:]] == [
        (ars, "Avenant du 01/09/2024 : Recentrage sur l’accès au médecin traitant"),
        (am, "Dialogue de gestion (année 1) du 10/02/2025"),
    ]
    assert events[-2].data == {"terms_version": 2, "missions": [Mission.GP_ACCESS]}


def test_a_coordinator_does_not_record_the_contracts_follow_up(project, owner, ars, urps, am):
    contract = sign_contract(
        project, date(2024, 3, 15), coordinator=owner, ars=ars, urps=urps, am=am
    )
    with pytest.raises(PermissionDenied):
        services.add_amendment(contract, owner, date(2024, 9, 1), "x", pdf_file(), missions=[])
    with pytest.raises(PermissionDenied):
        contract_services.record_dialogue(
            contract, owner, year=1, held_on=date(2025, 2, 10), summary=""
        )
    assert not contract.dialogues.exists()


def test_the_ars_saves_a_territory_others_only_read(ars, owner, communes):
    territory = territory_services.save_territory(
        Territory(), ars, name="Littoral", communes=communes[:2]
    )
    assert sorted(territory.communes.values_list("name", flat=True)) == ["Douarnenez", "Pouldergat"]
    with pytest.raises(PermissionDenied):
        territory_services.save_territory(territory, owner, name="Autre", communes=[])


def test_a_projects_territory_does_not_change_from_the_territory_editor(project, ars):
    owned = project.territory
    with pytest.raises(PermissionDenied):
        territory_services.save_territory(owned, ars, name="Autre", communes=[])
    assert Territory.objects.get(pk=owned.pk).name == "Pays de Douarnenez"
    free = TerritoryFactory(name="Libre")
    assert territory_services.save_territory(free, ars, name="Libre 2", communes=[]).name == (
        "Libre 2"
    )
