"""/territoires/: the list of every territory and each territory's page, for staff only."""

import pytest
from django.urls import reverse

from cpts_portal.fragments import bump
from cpts_portal.roles import Role
from territories.models import TERRITORIES_VERSION
from tests.factories import (
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    DepartementFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LIST = reverse("territories:territory_list")


@pytest.fixture
def owner(client):
    """An ARS agent: builds, edits and reads territories."""
    client.force_login(UserFactory(roles=[Role.ARS]))
    return client


@pytest.fixture
def colleague(client):
    """A partner (URPS) agent: reads territories."""
    client.force_login(UserFactory(roles=[Role.URPS]))
    return client


@pytest.fixture
def outsider(client):
    """A project coordinator: no territory pages."""
    client.force_login(CoordinatorFactory())
    return client


def test_owner_and_colleague_read_the_list_and_a_territory(owner):
    territory = TerritoryFactory(name="CPTS du pays de Fougères", communes=[CommuneFactory()])
    assert owner.get(LIST).status_code == 200
    page = owner.get(reverse("territories:territory_detail", args=[territory.pk]))
    assert page.status_code == 200
    assert "CPTS du pays de Fougères" in page.content.decode()


def test_colleague_reads_but_gets_no_edit_button(colleague):
    territory = TerritoryFactory(communes=[CommuneFactory()])
    assert colleague.get(LIST).status_code == 200
    page = colleague.get(reverse("territories:territory_detail", args=[territory.pk]))
    assert page.status_code == 200
    assert reverse("territories:territory_edit", args=[territory.pk]) not in page.content.decode()


def test_outsider_is_refused_the_list_and_the_page(outsider):
    territory = TerritoryFactory()
    assert outsider.get(LIST).status_code == 403
    assert (
        outsider.get(reverse("territories:territory_detail", args=[territory.pk])).status_code
        == 403
    )


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_the_list_says_which_answers_and_projects_use_a_territory(owner):
    used = TerritoryFactory(name="Territoire partagé", communes=[CommuneFactory()])
    submission = SubmissionFactory(territory=used)
    project_territory = TerritoryFactory(name="Territoire du projet")
    project = CptsProjectFactory(name="CPTS de Vitré", territory=project_territory)
    page = owner.get(LIST).content.decode()
    assert submission.reference in page
    assert reverse("staff:submission", args=[submission.pk]) in page
    assert "CPTS de Vitré" in page
    assert project.get_absolute_url() in page


def test_the_list_filters_by_search_departement_tier_and_overlaps(owner):
    shared = CommuneFactory(name="Lécousse")
    big = TerritoryFactory(
        name="Grand territoire",
        communes=[CommuneFactory(population=60_000), shared],
    )
    small = TerritoryFactory(name="Petit territoire", communes=[shared])
    alone = TerritoryFactory(name="Seul", communes=[CommuneFactory(population=500)])

    def names(**query):
        return {row.territory.name for row in owner.get(LIST, query).context["rows"]}

    assert names(q="grand") == {big.name}
    assert names(q="lecousse") == {big.name, small.name}
    assert names(tier=2) == {big.name}
    assert names(overlaps="oui") == {big.name, small.name}
    assert names(overlaps="non") == {alone.name}
    assert names(departement="29") == {big.name, small.name, alone.name}
    other = DepartementFactory(code="35", name="Ille-et-Vilaine")
    rennes = TerritoryFactory(name="Rennes", communes=[CommuneFactory(departement=other)])
    assert names(departement="35") == {rennes.name}


def add_territories(count: int) -> None:
    """``count`` territories sharing a commune with another, used by an answer, and as many
    territories of projects."""
    for _ in range(count):
        commune = CommuneFactory()
        territory = TerritoryFactory(communes=[commune, CommuneFactory()])
        TerritoryFactory(communes=[commune])
        SubmissionFactory(territory=territory)
        CptsProjectFactory(territory=TerritoryFactory(communes=[CommuneFactory()]))


def test_the_list_costs_the_same_queries_for_one_and_many_territories(
    owner, django_assert_num_queries
):
    add_territories(1)
    owner.get(LIST)  # sessions, content types, what the list keeps: warm
    # 8: the session, the user, their roles, their region (``region_scope``), the count,
    # the page's territories, and their uses (answers, projects). The figures, overlaps and
    # départements are kept (``territories.selectors._kept``).
    with django_assert_num_queries(8) as one:
        owner.get(LIST)
    count = len(one.captured_queries)  # before the next request resets the query log
    add_territories(6)
    owner.get(LIST)  # new territories: what was kept is computed again
    with django_assert_num_queries(count):
        response = owner.get(LIST)
    assert len(response.context["rows"]) == 21


def test_the_list_computes_what_it_keeps_in_the_same_queries_for_one_and_many_territories(
    owner, django_assert_num_queries
):
    add_territories(1)
    owner.get(LIST)
    bump(TERRITORIES_VERSION)  # a territory changed: nothing kept is used
    # 11: the départements offered, the page's figures and its overlaps are computed.
    with django_assert_num_queries(11) as one:
        owner.get(LIST)
    add_territories(6)  # bumps the version too
    with django_assert_num_queries(len(one.captured_queries)):
        response = owner.get(LIST)
    assert len(response.context["rows"]) == 21


def test_the_territory_page_shows_communes_population_tier_and_overlaps(owner):
    shared = CommuneFactory(name="Lécousse", postal_codes="35133", population=3_000)
    territory = TerritoryFactory(communes=[shared, CommuneFactory(population=50_000)])
    TerritoryFactory(name="CPTS du Coglais", communes=[shared])
    page = owner.get(reverse("territories:territory_detail", args=[territory.pk])).content.decode()
    assert "Lécousse (35133)" in page
    assert "Taille 2" in page
    assert "CPTS du Coglais" in page
    assert "53" in page and "000 habitants" in page


def test_each_page_gets_its_own_rows_figures_in_name_order(owner):
    """The page's rows are chosen (filtered, ordered, sliced) before their figures are
    computed: page 2 shows its own territories, by name, with their own figures."""
    for number in range(30):
        TerritoryFactory(
            name=f"Territoire {number:02d}",
            communes=[CommuneFactory(population=1_000 * (number + 1)) for _ in range(2)],
        )
    TerritoryFactory(name="Territoire 99 sans commune")
    TerritoryFactory(
        name="Territoire 98 sans population", communes=[CommuneFactory(population=None)]
    )
    response = owner.get(LIST, {"page": 2})
    rows = response.context["rows"]
    assert [row.territory.name for row in rows] == [
        *(f"Territoire {number:02d}" for number in range(25, 30)),
        "Territoire 98 sans population",
        "Territoire 99 sans commune",
    ]
    assert [(row.commune_count, row.population) for row in rows] == [
        *((2, 2_000 * (number + 1)) for number in range(25, 30)),
        (1, 0),
        (0, 0),
    ]
    assert response.context["page"].paginator.count == 32
    # A territory without communes, or without known populations, counts 0: tier 1.
    assert {row.territory.name for row in owner.get(LIST, {"tier": 1}).context["rows"]} == {
        *(f"Territoire {number:02d}" for number in range(19)),
        "Territoire 98 sans population",
        "Territoire 99 sans commune",
    }
    assert {row.territory.name for row in owner.get(LIST, {"tier": 2}).context["rows"]} == {
        f"Territoire {number:02d}" for number in range(19, 30)
    }


def test_the_owner_edits_a_free_territory_from_its_page_not_one_in_use(owner):
    free = TerritoryFactory(communes=[CommuneFactory()])
    answered = TerritoryFactory(communes=[CommuneFactory()])
    SubmissionFactory(territory=answered)
    projected = TerritoryFactory(communes=[CommuneFactory()])
    CptsProjectFactory(territory=projected)

    def edit_link(territory) -> bool:
        page = owner.get(reverse("territories:territory_detail", args=[territory.pk]))
        return reverse("territories:territory_edit", args=[territory.pk]) in page.content.decode()

    assert edit_link(free)
    assert not edit_link(answered)
    assert not edit_link(projected)


def test_the_territory_page_costs_the_same_queries_for_one_and_many_communes(
    owner, django_assert_num_queries
):
    territory = TerritoryFactory(communes=[CommuneFactory()])
    SubmissionFactory(territory=territory)
    url = reverse("territories:territory_detail", args=[territory.pk])

    def grow(count: int) -> None:
        """``count`` communes, each shared with another territory, used by a project."""
        for _ in range(count):
            commune = CommuneFactory()
            territory.communes.add(commune)
            CptsProjectFactory(territory=TerritoryFactory(communes=[commune]))

    grow(1)
    owner.get(url)  # sessions, content types: warm
    # 9: the session, the user, their roles, their region, the territory, its communes,
    # their other territories, and its uses (answers, projects).
    with django_assert_num_queries(9) as one:
        owner.get(url)
    count = len(one.captured_queries)  # before the next request resets the query log
    grow(49)
    with django_assert_num_queries(count):
        response = owner.get(url)
    assert len(response.context["territory_summary"].communes) == 51
    assert len(response.context["territory_summary"].overlaps) == 50
