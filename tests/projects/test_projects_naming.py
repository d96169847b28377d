"""The name proposed for a project created from an AMI answer, and the ARS naming it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from projects import services
from projects.models import ProjectEvent
from projects.naming import name_from_commune, name_from_epci, suggested_project_name
from tests.factories import SubmissionFactory, TerritoryFactory


@pytest.mark.parametrize(
    ("epci", "name"),
    [
        ("CA Fougères Agglomération", "CPTS du pays de Fougères"),
        ("CC Douarnenez Communauté", "CPTS du pays de Douarnenez"),
        ("CA Vitré Communauté", "CPTS du pays de Vitré"),
        ("CC du Pays de Landerneau-Daoulas", "CPTS du Pays de Landerneau-Daoulas"),
        (
            "CC de la Presqu'île de Crozon-Aulne Maritime",
            "CPTS de la Presqu'île de Crozon-Aulne Maritime",
        ),
        ("CA Auray Quiberon Terre Atlantique", "CPTS du pays d’Auray Quiberon Terre Atlantique"),
        ("CC Pays de Lesneven Côte des Légendes", "CPTS du Pays de Lesneven Côte des Légendes"),
        ("Rennes Métropole", "CPTS du pays de Rennes"),
        ("CC Communauté Lesneven Côte des Légendes", "CPTS du pays de Lesneven Côte des Légendes"),
        ("CC du Kreiz-Breizh (CCKB)", "CPTS du Kreiz-Breizh"),
    ],
)
def test_name_from_the_epci(epci, name):
    assert name_from_epci(epci) == name


def test_name_from_the_main_commune_elides_before_a_vowel():
    assert name_from_commune("Vitré") == "CPTS de Vitré"
    assert name_from_commune("Auray") == "CPTS d’Auray"


def test_the_epci_comes_first_then_the_commune_then_the_answer():
    assert suggested_project_name("CC Douarnenez Communauté", "Douarnenez", "R1") == (
        "CPTS du pays de Douarnenez"
    )
    assert suggested_project_name(None, "Douarnenez", "R1") == "CPTS de Douarnenez"
    assert suggested_project_name(None, None, "AMI-1") == "Projet issu de la réponse AMI-1"


@pytest.fixture
def suggested(db, ars, communes):
    submission = SubmissionFactory(territory=TerritoryFactory(communes=communes[:2]))
    return services.create_project_from_submission(submission, by=ars)


def test_the_ars_confirms_the_proposed_name(suggested, ars):
    assert services.name_project(suggested, ars, "CPTS de Douarnenez") is None
    suggested.refresh_from_db()
    assert not suggested.name_suggested


def test_the_ars_renames_and_the_history_says_so(suggested, ars):
    event = services.name_project(suggested, ars, "CPTS Ouest Cornouaille")
    suggested.refresh_from_db()
    assert (suggested.name, suggested.name_suggested) == ("CPTS Ouest Cornouaille", False)
    assert event.kind == ProjectEvent.Kind.EDITED
    assert "« CPTS de Douarnenez » → « CPTS Ouest Cornouaille »" in event.comment


@pytest.mark.parametrize("who", ["urps", "am", "owner"])
def test_only_the_ars_names_a_project(suggested, who, request):
    with pytest.raises(PermissionDenied):
        services.name_project(suggested, request.getfixturevalue(who), "Autre nom")


def test_an_empty_name_is_refused(suggested, ars):
    with pytest.raises(ValidationError):
        services.name_project(suggested, ars, "   ")


def test_the_project_page_asks_the_ars_to_confirm_the_proposed_name(client, suggested, ars):
    client.force_login(ars)
    page = client.get(suggested.get_absolute_url()).content.decode()
    assert "Nom du projet à confirmer" in page
    response = client.post(reverse("projects:name", args=[suggested.pk]), {"name": "CPTS Iroise"})
    assert response.status_code == 302
    page = client.get(suggested.get_absolute_url()).content.decode()
    assert "Nom du projet à confirmer" not in page
    assert "CPTS Iroise" in page


def test_an_empty_name_stays_on_the_form_with_the_error(client, suggested, ars):
    client.force_login(ars)
    response = client.post(reverse("projects:name", args=[suggested.pk]), {"name": ""})
    assert response.status_code == 422
    assert "Erreur" in response.content.decode()


def test_a_coordinator_is_not_asked_to_name_the_project(client, suggested, owner):
    suggested.coordinators.add(owner)
    client.force_login(owner)
    assert (
        "Nom du projet à confirmer" not in client.get(suggested.get_absolute_url()).content.decode()
    )
    assert (
        client.post(reverse("projects:name", args=[suggested.pk]), {"name": "X"}).status_code == 403
    )
