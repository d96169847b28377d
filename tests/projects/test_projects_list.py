"""The project list: a constant number of queries for 1 and many rows; the admin list."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CommuneFactory, CoordinatorFactory, CptsProjectFactory, TerritoryFactory

pytestmark = pytest.mark.django_db
LIST = reverse("projects:list")


def count_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def make_project(n: int, coordinators, ars):
    territory = TerritoryFactory(communes=[CommuneFactory(), CommuneFactory()])
    return CptsProjectFactory(
        name=f"CPTS numéro {n}", territory=territory, coordinators=coordinators, by=ars
    )


@pytest.mark.parametrize("who", ["ars", "owner"])
def test_list_query_count_does_not_grow_with_rows(client, ars, owner, who, request):
    client.force_login(request.getfixturevalue(who))
    make_project(0, [owner, CoordinatorFactory()], ars)
    one, page = count_queries(client, LIST)
    assert "CPTS numéro 0" in page
    for n in range(1, 12):
        make_project(n, [owner, CoordinatorFactory()], ars)
    many, page = count_queries(client, LIST)
    assert page.count('<td><a href="/projets/') == 12
    assert many == one


def test_list_shows_population_tier_and_overdue_milestones(client, ars, owner):
    from datetime import timedelta

    from django.utils import timezone

    project = make_project(1, [owner], ars)
    project.milestones.filter(code="s_informer").update(
        due_on=timezone.localdate() - timedelta(days=3)
    )
    client.force_login(ars)
    _count, page = count_queries(client, LIST)
    assert re.search(r"20\s000 habitants, taille 1", page)
    assert '<p class="fr-badge fr-badge--sm fr-badge--warning">1</p>' in page


def test_admin_changelist_with_filters(client, ars, owner):
    from django.contrib.auth import get_user_model

    make_project(1, [owner], ars)
    superuser = get_user_model().objects.create_superuser("root", "root@ars.sante.fr", "x" * 16)
    client.force_login(superuser)
    url = reverse("admin:projects_cptsproject_changelist")
    response = client.get(url + "?stage=avant_projet")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert client.get(url + "?stage=en_fonctionnement").context["cl"].result_count == 0
    project_pk = response.context["cl"].result_list[0].pk
    change = client.get(reverse("admin:projects_cptsproject_change", args=[project_pk]))
    assert change.status_code == 200


def test_ars_group_may_browse_projects_in_the_admin(client, ars):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="ARS")
    assert group.permissions.filter(codename="view_cptsproject").exists()
    assert group.permissions.filter(codename="change_fundingrate").exists()
    client.force_login(ars)
    assert client.get(reverse("admin:projects_cptsproject_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_fundingrate_changelist")).status_code == 200


def test_list_rows_show_link_stage_holder_and_coordinators(client, ars, owner, colleague):
    """The cells computed in Python (``selectors.list_cells``) show what the template did."""
    from projects.models import LegalHolder, Stage

    owner.first_name, owner.last_name = "Anne", "Le Gall <CPTS>"
    owner.save()
    colleague.first_name = colleague.last_name = ""
    colleague.save()
    held = make_project(1, [owner, colleague], ars)
    LegalHolder.objects.create(project=held, name="Association « Santé & Mer »")
    lonely = CptsProjectFactory(name="CPTS Seule", by=ars)
    lonely.stage = Stage.ABANDONED
    lonely.save()
    client.force_login(ars)
    _count, page = count_queries(client, LIST)
    assert f'<td><a href="/projets/{held.pk}/">CPTS numéro 1</a></td>' in page
    assert "<td>Association « Santé &amp; Mer »</td>" in page
    # Ordered by last name (coordinator_queryset): the colleague has none.
    assert f"<td>{colleague.username}, Anne Le Gall &lt;CPTS&gt;</td>" in page
    assert (
        '<p class="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">Avant-projet</p>' in page
    )
    assert (
        '<p class="fr-badge fr-badge--sm fr-badge--error fr-badge--no-icon">Abandonné</p>' in page
    )
    # Without territory, holder nor coordinator: dashes.
    row = page[page.index(f'<td><a href="/projets/{lonely.pk}/">') :]
    row = row[: row.index("</tr>")]
    assert re.findall(r"<td>\s*(.*?)\s*</td>", row, re.S)[2:] == ["—", "—", "—", "0"]


def test_filter_form_offers_a_coordinator_created_since_the_last_request(client, ars):
    """The filter form's markup is cached (cpts_portal.fragments): a new account shows."""
    client.force_login(ars)
    assert "Zoé Nouvelle" not in client.get(LIST).content.decode()
    CoordinatorFactory(first_name="Zoé", last_name="Nouvelle")
    assert "Zoé Nouvelle" in client.get(LIST).content.decode()


def test_filter_form_follows_the_coordinators_of_the_regions_projects(client, ars):
    """The coordinator choices are those of the agent's region's projects and of none yet
    (``coordinators_visible_to``): attaching one to another region's project, or to one of
    the region's, shows at once despite the cached markup."""
    from cpts_portal.roles import Role
    from tests.factories import RegionFactory, UserFactory

    occitanie = RegionFactory(code="76", name="Occitanie")
    ars_occitanie = UserFactory(username="ars-occitanie", roles=[Role.ARS], region=occitanie)
    toulouse = CptsProjectFactory(name="CPTS de Toulouse", by=ars_occitanie)
    douarnenez = CptsProjectFactory(name="CPTS de Douarnenez", by=ars)
    zoe = CoordinatorFactory(first_name="Zoé", last_name="Nouvelle")
    client.force_login(ars)
    assert "Zoé Nouvelle" in client.get(LIST).content.decode()  # of no project yet
    toulouse.coordinators.add(zoe)
    assert "Zoé Nouvelle" not in client.get(LIST).content.decode()  # Occitanie's now
    douarnenez.coordinators.add(zoe)
    assert "Zoé Nouvelle" in client.get(LIST).content.decode()
    douarnenez.delete()
    assert "Zoé Nouvelle" not in client.get(LIST).content.decode()


def test_filter_form_is_kept_per_region_and_filters(client, ars, owner):
    """``views.projects.filter_form_key``: one region's coordinators never show in another's
    form, the national level's shows both; the chosen filters and their errors show."""
    from cpts_portal.roles import Role
    from tests.factories import RegionFactory, UserFactory

    occitanie = RegionFactory(code="76", name="Occitanie")
    ars_occitanie = UserFactory(username="ars-occitanie", roles=[Role.ARS], region=occitanie)
    national = UserFactory(username="national", roles=[Role.NATIONAL])
    toulouse = CoordinatorFactory(first_name="Paul", last_name="Toulousain")
    CptsProjectFactory(name="CPTS de Toulouse", by=ars_occitanie, coordinators=[toulouse])
    CptsProjectFactory(name="CPTS de Douarnenez", by=ars, coordinators=[owner])
    for user, shown, hidden in [
        (ars_occitanie, ["Paul Toulousain"], ["Alice Le Goff"]),
        (ars, ["Alice Le Goff"], ["Paul Toulousain"]),
        (national, ["Alice Le Goff", "Paul Toulousain"], []),
        (ars_occitanie, ["Paul Toulousain"], ["Alice Le Goff"]),
    ]:
        client.force_login(user)
        page = client.get(LIST).content.decode()
        assert all(name in page for name in shown)
        assert not any(name in page for name in hidden)
    client.force_login(ars)
    page = client.get(f"{LIST}?coordinator={owner.pk}").content.decode()
    assert f'<option value="{owner.pk}" selected>Alice Le Goff</option>' in page
    page = client.get(f"{LIST}?stage=nimporte").content.decode()
    assert "Sélectionnez un choix valide" in page
    assert f'<option value="{owner.pk}" selected>' not in page
