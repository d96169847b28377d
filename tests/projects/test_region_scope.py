"""Issue 16, items 2 and 3 (projects): staff see their region's projects only (another
region's project is a 404 on every page), the national role reads every region and writes
nothing, and the overlap rule works across regions while masking a project of a region the
user may not read as « un projet existe dans la région voisine »."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from cpts_portal.roles import Role
from projects import contract_selectors, permissions, selectors, services
from projects.models import AciContract, CptsProject, Document, DocumentKind
from tests.factories import (
    CommuneFactory,
    CptsProjectFactory,
    DepartementFactory,
    RegionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEIGHBOUR = "un projet existe dans la région voisine"

# Every page of a project, read with GET (name, extra URL arguments).
PROJECT_PAGES = [
    ("detail", []),
    ("letter", []),
    ("health_project", []),
    ("contract", []),
    ("pdf", []),
    ("territory", []),
    ("edit", []),
    ("holder", []),
    ("name", []),
    ("invite", []),
    ("urps_opinion", []),
    ("am_opinion", []),
    ("contract_report", [1]),
]


@pytest.fixture
def occitanie(db):
    return RegionFactory(code="76", name="Occitanie")


@pytest.fixture
def haute_garonne(occitanie):
    return DepartementFactory(code="31", name="Haute-Garonne", region=occitanie)


@pytest.fixture
def ars_occitanie(occitanie):
    return UserFactory(username="ars-occitanie", roles=[Role.ARS], region=occitanie)


@pytest.fixture
def urps_occitanie(occitanie):
    return UserFactory(username="urps-occitanie", roles=[Role.URPS], region=occitanie)


@pytest.fixture
def national(db):
    return UserFactory(username="national", roles=[Role.NATIONAL])


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, project: CptsProject, *args) -> str:
    return reverse(f"projects:{name}", args=[project.pk, *args])


# --- Pages of one project -------------------------------------------------------------


@pytest.mark.parametrize(("name", "args"), PROJECT_PAGES)
def test_another_regions_agent_gets_404_on_every_page(project, ars_occitanie, name, args):
    assert client_of(ars_occitanie).get(url(name, project, *args)).status_code == 404


def test_another_regions_agent_gets_404_on_downloads_and_writes(
    project, ars_occitanie, urps_occitanie, ars
):
    document = Document.objects.create(
        project=project, kind=DocumentKind.STATUTES, file="x.pdf", size=3, uploaded_by=ars
    )
    for user in (ars_occitanie, urps_occitanie):
        client = client_of(user)
        assert client.get(url("document_download", project, document.pk)).status_code == 404
        assert client.post(url("edit", project), {"name": "Pris"}).status_code == 404
        assert client.post(url("stage_change", project, "abandonne")).status_code == 404
    project.refresh_from_db()
    assert project.name == "CPTS du Pays de Douarnenez"


@pytest.mark.parametrize("name", ["detail", "letter", "health_project", "contract", "pdf"])
def test_the_owner_region_and_the_national_role_read_the_pages(project, ars, national, name):
    assert client_of(ars).get(url(name, project)).status_code == 200
    assert client_of(national).get(url(name, project)).status_code == 200


def test_the_national_role_writes_nothing(project, national):
    client = client_of(national)
    for name in ("edit", "holder", "name", "invite", "territory"):
        assert client.get(url(name, project)).status_code == 403, name
    assert client.post(url("edit", project), {"name": "Pris"}).status_code == 403
    assert client.get(reverse("projects:create")).status_code == 403
    page = client.get(url("detail", project)).content.decode()
    assert url("edit", project) not in page  # no form nor button to write
    assert not permissions.can_manage(national, project)
    assert not permissions.can_give_urps_opinion(national, project)


def test_predicates_check_the_region(project, ars, ars_occitanie, urps_occitanie, owner):
    assert permissions.can_view(ars, project) and permissions.can_manage(ars, project)
    assert not permissions.can_view(ars_occitanie, project)
    assert not permissions.can_manage(ars_occitanie, project)
    assert not permissions.can_edit_territory(ars_occitanie, project)
    assert permissions.uploadable_kinds(ars_occitanie, project) == []
    assert permissions.can_view(owner, project)  # coordinators: their projects, unchanged


# --- Lists, board, contracts board --------------------------------------------------------


def test_lists_and_board_show_the_users_region_only(project, ars, ars_occitanie, national):
    theirs = CptsProjectFactory(name="CPTS de Toulouse Nord", by=ars_occitanie)
    assert theirs.region.code == "76"  # created by an Occitanie agent: their region
    assert set(selectors.visible_projects(ars)) == {project}
    assert set(selectors.visible_projects(ars_occitanie)) == {theirs}
    assert set(selectors.visible_projects(national)) == {project, theirs}
    page = client_of(ars_occitanie).get(reverse("projects:list")).content.decode()
    assert "CPTS de Toulouse Nord" in page
    assert "Douarnenez" not in page
    board = selectors.pipeline_board(ars_occitanie)
    assert sum(column.count for column in board) == 1
    page = client_of(national).get(reverse("projects:list")).content.decode()
    assert "CPTS de Toulouse Nord" in page and "Douarnenez" in page


def test_the_contracts_board_and_its_export_are_scoped(contract, occitanie, national, am):
    am_occitanie = UserFactory(roles=[Role.ASSURANCE_MALADIE], region=occitanie)
    name = contract.project.name
    assert [row.contract for row in contract_selectors.contracts_board(am)] == [contract]
    assert contract_selectors.contracts_board(am_occitanie) == []
    assert [row.contract for row in contract_selectors.contracts_board(national)] == [contract]
    assert name not in client_of(am_occitanie).get(reverse("projects:contracts_board")).text
    export = client_of(am_occitanie).get(reverse("projects:contracts_board_csv"))
    assert name not in export.content.decode()
    assert name in client_of(national).get(reverse("projects:contracts_board")).text
    assert AciContract.objects.count() == 1


# --- Creation ---------------------------------------------------------------------------


def test_a_project_created_by_an_agent_is_in_their_region(ars_occitanie, occitanie, ars):
    bretagne_territory = TerritoryFactory(name="Pays de Fougères")
    client = client_of(ars_occitanie)
    form = client.get(reverse("projects:create")).context["form"]
    assert bretagne_territory not in form.fields["territory"].queryset
    response = client.post(
        reverse("projects:create"), {"name": "CPTS de Castres", "territory": bretagne_territory.pk}
    )
    assert response.status_code == 200  # refused: a territory of another region
    assert not CptsProject.objects.filter(name="CPTS de Castres").exists()
    client.post(reverse("projects:create"), {"name": "CPTS de Castres"})
    assert CptsProject.objects.get(name="CPTS de Castres").region == occitanie


def test_a_superuser_creates_a_project_in_the_default_region(db):
    admin_user = UserFactory(is_superuser=True)
    project = services.create_project("CPTS sans territoire", admin_user)
    assert project.region.code == "53"


# --- Overlaps across regions -------------------------------------------------------------


@pytest.fixture
def border(project, haute_garonne, ars_occitanie):
    """An Occitanie project, created after the Bretagne one, sharing one of its communes
    (a territory may cross a border) and one commune of its own region."""
    shared = project.territory.communes.first()
    territory = TerritoryFactory(
        name="Frontière",
        region=ars_occitanie.staff_membership.institution.region,
        communes=[
            shared,
            CommuneFactory(name="Muret", insee_code="31395", departement=haute_garonne),
        ],
    )
    return CptsProjectFactory(name="CPTS de la Frontière", territory=territory, by=ars_occitanie)


def test_the_overlap_rule_works_across_regions(project, border):
    [overlap] = selectors.overlaps_of(border)
    assert overlap.other == project and overlap.blocking


def test_the_other_regions_project_is_masked_on_the_page(project, border, ars_occitanie, national):
    page = client_of(ars_occitanie).get(url("detail", border)).content.decode()
    assert NEIGHBOUR in page
    assert project.name not in page
    assert url("detail", project) not in page
    assert reverse("projects:overlap_override", args=[border.pk, project.pk]) not in page
    national_page = client_of(national).get(url("detail", border)).content.decode()
    assert project.name in national_page and NEIGHBOUR not in national_page


def test_a_masked_project_has_no_override_page(project, border, ars_occitanie):
    response = client_of(ars_occitanie).get(
        reverse("projects:overlap_override", args=[border.pk, project.pk])
    )
    assert response.status_code == 404


def test_the_refusal_masks_the_other_regions_project(project, border, ars_occitanie):
    new = CptsProjectFactory(name="CPTS voisine", by=ars_occitanie)
    with pytest.raises(ValidationError) as refusal:
        services.set_territory_communes(new, ars_occitanie, list(project.territory.communes.all()))
    message = " ".join(refusal.value.messages)
    assert NEIGHBOUR in message
    assert project.name not in message
    assert border.name in message  # their own region's project is named


def test_the_builder_masks_blocking_projects_and_warns_outside_the_region(
    project, ars_occitanie, haute_garonne
):
    new = CptsProjectFactory(name="CPTS voisine", by=ars_occitanie)
    codes = " ".join(project.territory.communes.values_list("insee_code", flat=True))
    response = client_of(ars_occitanie).post(
        url("territory", new), {"territory-commune_codes": codes, "territory_step": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert NEIGHBOUR in page and project.name not in page
    assert "Communes hors de la région Occitanie" in page
    assert "Douarnenez" in page  # the commune outside, named in the warning


def test_the_owner_region_sees_the_name_of_its_own_overlaps(project, other_project, ars):
    shared = project.territory.communes.first()
    other_project.territory.communes.add(shared)
    page = client_of(ars).get(url("detail", other_project)).content.decode()
    assert project.name in page and NEIGHBOUR not in page


# --- Admin ---------------------------------------------------------------------------------


def test_the_admin_lists_the_users_region_only(project, ars_occitanie, national, contract):
    theirs = CptsProjectFactory(name="CPTS de Toulouse Nord", by=ars_occitanie)
    for model, expected_other, expected_own in (
        (CptsProject, theirs, project),
        (AciContract, None, contract),
    ):
        model_admin = admin.site._registry[model]
        request = RequestFactory().get("/")
        request.user = ars_occitanie
        rows = set(model_admin.get_queryset(request))
        assert expected_own not in rows
        if expected_other is not None:
            assert expected_other in rows
        request.user = national
        assert expected_own in set(model_admin.get_queryset(request))


def test_staff_emails_of_a_project_reach_its_regions_agents_only(ars, urps, urps_occitanie):
    """The « lettre déposée » email went to the URPS agents of every region."""
    project = CptsProjectFactory(by=ars)
    emails = selectors.project_recipients(project, (Role.URPS,), coordinators=False)
    assert emails == [urps.email]
    assert urps_occitanie.email not in emails


def test_coordinators_of_another_regions_projects_are_not_offered(ars, ars_occitanie, occitanie):
    """The coordinator filter and the project form listed every region's coordinators,
    with their addresses."""
    from tests.factories import CoordinatorFactory

    breton = CoordinatorFactory(username="coord-bzh", last_name="Kervella")
    occitan = CoordinatorFactory(username="coord-occ", last_name="Capdevila")
    newcomer = CoordinatorFactory(username="coord-new", last_name="Nouveau")
    CptsProjectFactory(by=ars, coordinators=[breton])
    CptsProjectFactory(by=ars_occitanie, coordinators=[occitan])
    offered = set(selectors.coordinators_visible_to(ars_occitanie))
    assert offered == {occitan, newcomer}
    page = client_of(ars_occitanie).get(reverse("projects:list")).content.decode()
    assert "Capdevila" in page and "Kervella" not in page
    assert set(selectors.coordinators_visible_to(ars)) == {breton, newcomer}
