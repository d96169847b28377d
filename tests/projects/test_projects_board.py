"""The staff's pipeline board (counts per stage) and the filtered list of projects."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import workflow
from projects.models import Stage
from tests.factories import (
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    DepartementFactory,
    TerritoryFactory,
)

from .helpers import advance_to

pytestmark = pytest.mark.django_db
LIST = reverse("projects:list")


def listed(response) -> list[str]:
    return [project.name for project in response.context["projects"]]


def board(response) -> dict[str, int]:
    return {column.stage.value: column.count for column in response.context["board"]}


@pytest.fixture
def ille_et_vilaine(db):
    return DepartementFactory(code="35", name="Ille-et-Vilaine")


@pytest.fixture
def projects(ars, owner, colleague, outsider, ille_et_vilaine):
    """Four projects: two small ones in Finistère (one overdue), a large one in Ille-et-Vilaine,
    one without territory nor coordinator, abandoned."""
    small = CptsProjectFactory(
        name="CPTS Petite",
        territory=TerritoryFactory(communes=[CommuneFactory(population=15_000)]),
        coordinators=[owner],
        by=ars,
    )
    overdue = CptsProjectFactory(
        name="CPTS En retard",
        territory=TerritoryFactory(communes=[CommuneFactory(population=30_000)]),
        coordinators=[colleague],
        by=ars,
    )
    overdue.milestones.filter(code="diagnostic").update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    large = CptsProjectFactory(
        name="CPTS Grande",
        territory=TerritoryFactory(
            communes=[
                CommuneFactory(insee_code="35360", departement=ille_et_vilaine, population=90_000),
                CommuneFactory(insee_code="35238", departement=ille_et_vilaine, population=95_000),
            ]
        ),
        coordinators=[outsider, owner],
        by=ars,
    )
    lonely = CptsProjectFactory(name="CPTS Seule", by=ars)
    workflow.transition(lonely, Stage.ABANDONED, by=ars, comment="Pas de porteur")
    return {"small": small, "overdue": overdue, "large": large, "lonely": lonely}


def test_board_counts_every_project_per_stage(client, ars, projects, owner, urps, am):
    advance_to(
        projects["small"], Stage.LETTER_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am
    )
    client.force_login(ars)
    response = client.get(LIST)
    counts = board(response)
    assert counts["avant_projet"] == 2
    assert counts["lettre_deposee"] == 1
    assert counts["abandonne"] == 1
    assert sum(counts.values()) == 4
    assert len(counts) == len(Stage)
    page = response.content.decode()
    assert 'href="?stage=lettre_deposee#liste"' in page
    assert "Tableau du parcours" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=avant_projet", ["CPTS En retard", "CPTS Grande", "CPTS Petite"]),
        ("stage=abandonne", ["CPTS Seule"]),
        ("tier=1", ["CPTS En retard", "CPTS Petite", "CPTS Seule"]),
        ("tier=3", []),
        ("tier=4", ["CPTS Grande"]),
        ("overdue=on", ["CPTS En retard"]),
        ("coordinator=null", ["CPTS Seule"]),
        ("stage=avant_projet&tier=1&overdue=on", ["CPTS En retard"]),
        ("", ["CPTS En retard", "CPTS Grande", "CPTS Petite", "CPTS Seule"]),
    ],
)
def test_list_filters(client, ars, projects, query, expected):
    client.force_login(ars)
    assert listed(client.get(f"{LIST}?{query}")) == expected


def test_filter_by_departement_and_by_coordinator(client, ars, projects, owner, ille_et_vilaine):
    client.force_login(ars)
    finistere = DepartementFactory(code="29")
    assert listed(client.get(f"{LIST}?departement={ille_et_vilaine.pk}")) == ["CPTS Grande"]
    assert listed(client.get(f"{LIST}?departement={finistere.pk}")) == [
        "CPTS En retard",
        "CPTS Petite",
    ]
    assert listed(client.get(f"{LIST}?coordinator={owner.pk}")) == ["CPTS Grande", "CPTS Petite"]
    page = client.get(f"{LIST}?coordinator={owner.pk}").content.decode()
    assert "2 projets correspondent aux filtres" in page


def test_an_unknown_filter_value_is_ignored_with_the_form_error(client, ars, projects):
    client.force_login(ars)
    response = client.get(f"{LIST}?stage=nimporte")
    assert response.status_code == 200
    assert len(listed(response)) == 4
    assert "stage" in response.context["filterset"].form.errors


def test_coordinators_get_their_list_without_board_nor_filters(client, projects, owner):
    client.force_login(owner)
    response = client.get(f"{LIST}?stage=abandonne")
    assert response.context["board"] is None
    assert response.context["filterset"] is None
    assert listed(response) == ["CPTS Grande", "CPTS Petite"]
    assert "Tableau du parcours" not in response.content.decode()


FILTERED = "?stage=avant_projet&tier=1&overdue=on&coordinator={coordinator}&departement={dep}"


def make_project(n: int, coordinator, ars):
    project = CptsProjectFactory(
        name=f"CPTS numéro {n}",
        territory=TerritoryFactory(communes=[CommuneFactory(), CommuneFactory()]),
        coordinators=[coordinator, CoordinatorFactory()],
        by=ars,
    )
    project.milestones.filter(code="pilote").update(due_on=timezone.localdate() - timedelta(days=1))
    return project


@pytest.mark.parametrize("filtered", [False, True])
def test_board_and_list_in_a_constant_number_of_queries(
    client, ars, owner, filtered, django_assert_num_queries
):
    departement = DepartementFactory(code="29")
    url = LIST + (FILTERED.format(coordinator=owner.pk, dep=departement.pk) if filtered else "")
    client.force_login(ars)
    make_project(0, owner, ars)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert listed(response) == ["CPTS numéro 0"]
    for n in range(1, 12):
        make_project(n, owner, ars)
    with django_assert_num_queries(len(queries)):
        response = client.get(url)
    assert len(listed(response)) == 12
    assert board(response)["avant_projet"] == 12


def test_list_is_paginated_keeping_filters_and_the_count_of_all_results(
    client, ars, owner, monkeypatch
):
    """The list shows ``PAGE_SIZE`` rows a page; the page links keep the filters, the caption
    counts every matching project and the board still counts them all."""
    from projects.views import projects as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        make_project(n, owner, ars)
    CptsProjectFactory(name="CPTS Hors filtre", by=ars)  # no coordinator: filtered out
    client.force_login(ars)
    url = f"{LIST}?coordinator={owner.pk}"
    pages, seen, next_url = 0, [], url
    while next_url:
        response = client.get(next_url)
        pages += 1
        page = response.content.decode()
        assert len(listed(response)) == (2 if pages < 3 else 1)
        assert "5 projets correspondent aux filtres" in page
        assert f"(page {pages} sur 3)" in page
        assert board(response)["avant_projet"] == 6
        seen += listed(response)
        found = re.search(r'href="(\?[^"]*)#liste">Page suivante', page)
        next_url = LIST + found.group(1).replace("&amp;", "&") if found else None
        if next_url:
            assert f"coordinator={owner.pk}" in next_url
    assert pages == 3
    assert sorted(seen) == [f"CPTS numéro {n}" for n in range(5)]
    # Past the last page: the last page, not an error.
    assert listed(client.get(f"{url}&page=99")) == listed(response)


def count_queries_of(client, url: str) -> list[str]:
    """The COUNT queries of a list page (``Paginator.count`` runs one)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries if "COUNT(*)" in query["sql"]]


@pytest.mark.parametrize(
    ("query", "caption", "rows"),
    [
        ("", "4 projets (page 1 sur 2)", ["CPTS En retard", "CPTS Grande"]),
        (
            "?page=2",
            "4 projets correspondent aux filtres (page 2 sur 2)",
            ["CPTS Petite", "CPTS Seule"],
        ),
        (
            "?stage=nimporte",
            "4 projets correspondent aux filtres (page 1 sur 2)",
            ["CPTS En retard", "CPTS Grande"],
        ),
        (
            "?tier=1",
            "3 projets correspondent aux filtres (page 1 sur 2)",
            ["CPTS En retard", "CPTS Petite"],
        ),
        ("?tier=1&page=2", "3 projets correspondent aux filtres (page 2 sur 2)", ["CPTS Seule"]),
        ("?stage=abandonne", "1 projet correspond aux filtres", ["CPTS Seule"]),
        ("?tier=3", None, []),
        (
            "?page=nimporte",
            "4 projets correspondent aux filtres (page 1 sur 2)",
            ["CPTS En retard", "CPTS Grande"],
        ),
    ],
)
def test_a_page_of_the_list_counts_its_rows_in_the_same_query(
    client, ars, projects, query, caption, rows, monkeypatch
):
    """The page's rows carry the number of all the matching rows (``views.paginate``): no
    COUNT query, the same caption, pages and rows."""
    from projects.views import projects as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(ars)
    assert count_queries_of(client, LIST + query) == []
    response = client.get(LIST + query)
    assert listed(response) == rows
    page = response.content.decode()
    if caption is None:
        assert "Aucun projet ne correspond à ces filtres." in page
    else:
        assert f"<caption>{caption}</caption>" in page


def test_a_coordinators_list_is_not_counted_apart(client, owner, projects):
    client.force_login(owner)
    assert count_queries_of(client, LIST) == []
    assert "<caption>2 projets</caption>" in client.get(LIST).content.decode()


def test_past_the_last_page_the_last_page(client, ars, projects, monkeypatch):
    """Django's answer, with its COUNT: a page number past the last or below the first."""
    from projects.views import projects as views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client.force_login(ars)
    for number in ("99", "0", "-1"):
        response = client.get(f"{LIST}?page={number}")
        assert listed(response) == ["CPTS Seule"]
        assert "(page 2 sur 2)" in response.content.decode()


def test_board_links_are_escaped(client, ars):
    """The board's links are written in Python (``BoardColumn.links``), escaped."""
    project = CptsProjectFactory(name="CPTS <Mer> & « Terre »", by=ars)
    client.force_login(ars)
    page = client.get(LIST).content.decode()
    assert (
        f'<li><a class="fr-link fr-link--sm" href="/projets/{project.pk}/">'
        "CPTS &lt;Mer&gt; &amp; « Terre »</a></li>"
    ) in page


# --- The board's markup and counts, kept per region scope (views.projects.board_fragment) --


def board_queries(client) -> list[str]:
    """The queries reading the board's projects (pk, name, stage of every visible one; the
    list's page carries its count, ``total_rows``)."""
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    return [
        q["sql"]
        for q in queries.captured_queries
        if '"pk", "projects_cptsproject"."name"' in q["sql"] and "total_rows" not in q["sql"]
    ]


def test_the_board_is_kept_until_a_project_changes(client, ars, projects, owner, urps, am):
    client.force_login(ars)
    assert len(board_queries(client)) == 1
    assert board_queries(client) == []  # kept
    small = projects["small"]
    small.name = "CPTS Renommée"
    small.save()
    response = client.get(LIST)
    assert "CPTS Renommée</a></li>" in response.content.decode()
    advance_to(small, Stage.LETTER_DEPOSITED, coordinator=owner, ars=ars, urps=urps, am=am)
    assert board(client.get(LIST))["lettre_deposee"] == 1
    created = CptsProjectFactory(name="CPTS Nouvelle", by=ars)
    response = client.get(LIST)
    assert f'href="/projets/{created.pk}/">CPTS Nouvelle</a></li>' in response.content.decode()
    assert sum(board(response).values()) == 5
    created.delete()
    response = client.get(LIST)
    assert "CPTS Nouvelle" not in response.content.decode()
    assert sum(board(response).values()) == 4
    assert "4 projets" in response.content.decode()


def test_the_kept_board_is_the_users_regions(client, ars, projects):
    from tests.factories import RegionFactory, UserFactory

    occitanie = RegionFactory(code="76", name="Occitanie")
    theirs = CptsProjectFactory(
        name="CPTS de Toulouse Nord",
        by=UserFactory(username="ars-occitanie", roles=["ARS"], region=occitanie),
    )
    national = UserFactory(username="national", roles=["National"])
    client.force_login(ars)
    assert "CPTS de Toulouse Nord" not in client.get(LIST).content.decode()
    client.force_login(theirs.coordinators.model.objects.get(username="ars-occitanie"))
    response = client.get(LIST)
    assert "CPTS de Toulouse Nord" in response.content.decode()
    assert "CPTS Grande" not in response.content.decode()
    assert sum(board(response).values()) == 1
    client.force_login(national)
    response = client.get(LIST)
    assert sum(board(response).values()) == 5
    assert "CPTS de Toulouse Nord" in response.content.decode()


def test_without_the_shared_cache_the_board_is_read_afresh(client, ars, projects, monkeypatch):
    """The versions live in the default cache (Redis): when it fails or hangs, the board is
    read afresh, never the kept one (``cpts_portal.fragments.versions``)."""
    from cpts_portal import fragments

    client.force_login(ars)
    client.get(LIST)

    class Frozen:
        def get_many(self, keys):
            raise TimeoutError("frozen")

        set_many = add = get = get_many

    monkeypatch.setattr(fragments, "cache", Frozen())
    assert len(board_queries(client)) == 1
    CptsProjectFactory(name="CPTS Pendant la panne", by=ars)
    assert "CPTS Pendant la panne</a></li>" in client.get(LIST).content.decode()
