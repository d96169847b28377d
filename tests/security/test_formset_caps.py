"""Issue #12, finding 5: 420 fiches-actions posted in three requests, then the projet de
santé page answered 500 after 30 s, every time. Every formset of the portal refuses more
rows than it allows (``validate_max`` and an explicit ``absolute_max``), and a projet de
santé that already stores too many still renders."""

import importlib
import pkgutil

import pytest
from django.forms import BaseFormSet
from django.urls import reverse

from cpts_portal.roles import Role
from projects.models import ActionSheet, Mission, Stage
from projects.models.choices import CORE_MISSIONS
from tests.factories import (
    CommuneFactory,
    CptsProjectFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.helpers import advance_to

APPS = ("ami", "projects", "territories", "crispy_dsfr", "cpts_portal", "notifications")
# The most rows a page of the portal may ask the server to build.
SANE_ABSOLUTE_MAX = 100


def project_formsets() -> dict[str, type[BaseFormSet]]:
    """Every formset class made by a factory (it has a ``form``) in the apps' modules."""
    found = {}
    for app in APPS:
        package = importlib.import_module(app)
        for module_info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in module_info.name or module_info.name.endswith(".tests"):
                continue
            module = importlib.import_module(module_info.name)
            for name, value in vars(module).items():
                # Factories build the class in django.forms: it is found under the
                # names modules give it (the same class may be found under several).
                if (
                    isinstance(value, type)
                    and issubclass(value, BaseFormSet)
                    and getattr(value, "form", None) is not None
                ):
                    found[f"{module.__name__}.{name}"] = value
    return found


def test_every_formset_refuses_more_rows_than_it_allows():
    formsets = project_formsets()
    assert {
        "ami.forms.ActorFormSet",
        "ami.forms.ReferentFormSet",
        "projects.forms.ActionSheetFormSet",
    } <= set(formsets)
    for name, formset in formsets.items():
        assert formset.validate_max, name
        assert formset.max_num <= formset.absolute_max <= SANE_ABSOLUTE_MAX, name


# --- The projet de santé page -----------------------------------------------------------


pytestmark = pytest.mark.django_db


@pytest.fixture
def project(owner, ars):
    urps = UserFactory(username="urps", roles=[Role.URPS])
    am = UserFactory(username="cpam", roles=[Role.ASSURANCE_MALADIE])
    communes = [
        CommuneFactory(insee_code="29046", name="Douarnenez", population=14_000),
        CommuneFactory(insee_code="29224", name="Pouldergat", population=1_200),
    ]
    project = CptsProjectFactory(
        name="CPTS du Pays de Douarnenez",
        coordinators=[owner],
        territory=TerritoryFactory(name="Pays de Douarnenez", communes=communes),
        by=ars,
    )
    # Letter validated: the coordinator writes the projet de santé.
    return advance_to(project, Stage.LETTER_VALIDATED, coordinator=owner, ars=ars, urps=urps, am=am)


def url(project) -> str:
    return reverse("projects:health_project", kwargs={"pk": project.pk})


def posted_sheets(count: int, total: int | None = None) -> dict[str, str]:
    """``count`` filled rows; ``total`` the TOTAL_FORMS claimed (default: ``count``)."""
    data = {
        "diagnostic": "Population âgée",
        "governance": "Bureau de 6 libéraux",
        "missions": [m.value for m in CORE_MISSIONS],
        "actions-TOTAL_FORMS": str(count if total is None else total),
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "30",
        "save": "",
    }
    for number in range(count):
        data |= {
            f"actions-{number}-title": f"Action {number}",
            f"actions-{number}-mission": Mission.UNSCHEDULED_CARE.value,
            f"actions-{number}-referents": "Dr Le Goff",
            f"actions-{number}-tasks": "Numéro unique",
            f"actions-{number}-indicators": "Demandes traitées",
        }
    return data


# The attack posted 420 sheets in three requests of 140 (Django refuses more than 1,000
# fields in one request); a request may also claim more rows than it fills.
@pytest.mark.parametrize(("count", "total"), [(31, 31), (140, 140), (140, 420), (0, 1_000_000)])
def test_more_sheets_than_allowed_are_refused_and_nothing_is_saved(
    client, project, owner, count, total
):
    client.force_login(owner)
    response = client.post(url(project), posted_sheets(count, total))
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.non_form_errors() == ["Un projet de santé compte 30 fiches-actions au plus."]
    # No more rows built than allowed, whatever TOTAL_FORMS says.
    assert len(formset.forms) <= 30
    page = response.content.decode()
    errors_at = page.index('id="actions-errors"')
    assert "Un projet de santé compte 30 fiches-actions au plus." in page[errors_at:]
    assert not ActionSheet.objects.exists()
    project.health_project.refresh_from_db()
    assert project.health_project.diagnostic == ""


def test_thirty_sheets_are_saved(client, project, owner):
    client.force_login(owner)
    response = client.post(url(project), posted_sheets(30))
    assert response.status_code == 302
    assert ActionSheet.objects.count() == 30


def store_sheets(project, count: int) -> None:
    """As the attack left them: written before the cap existed."""
    ActionSheet.objects.bulk_create(
        ActionSheet(
            health_project=project.health_project,
            title=f"Action {number}",
            mission=Mission.UNSCHEDULED_CARE,
            referents="Dr Le Goff",
            tasks="Numéro unique",
            indicators="Demandes traitées",
        )
        for number in range(count)
    )


def test_page_with_too_many_stored_sheets_still_renders(client, project, owner, ars):
    store_sheets(project, 420)
    client.force_login(owner)
    response = client.get(url(project))
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 30
    page = response.content.decode()
    assert "Ce projet de santé compte 420 fiches-actions" in page
    assert "30 au plus" in page
    # The ARS reads them all, without forms.
    client.force_login(ars)
    response = client.get(url(project))
    assert response.status_code == 200
    assert response.content.decode().count('class="fr-card__title"') == 420


def test_coordinator_deletes_stored_sheets_down_to_the_limit(client, project, owner):
    store_sheets(project, 40)
    client.force_login(owner)
    formset = client.get(url(project)).context["formset"]
    data = posted_sheets(0)
    data |= {
        "actions-TOTAL_FORMS": "30",
        "actions-INITIAL_FORMS": "30",
    }
    for number, form in enumerate(formset.forms):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is not None and name != "DELETE":
                data[f"actions-{number}-{name}"] = value
        if number < 10:
            data[f"actions-{number}-DELETE"] = "on"
    response = client.post(url(project), data)
    assert response.status_code == 302, response.context["formset"].errors
    assert ActionSheet.objects.count() == 30
    response = client.get(url(project))
    assert "Ce projet de santé compte" not in response.content.decode()
    assert len(response.context["formset"].forms) == 30
