"""The dashboard's counts and rows are kept between requests (``selectors.dashboard_listing``):
read again without their queries, and any change they show is there at the next request."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ami.models import STATISTICS_VERSION, Submission
from ami.staff import services
from cpts_portal import fragments
from cpts_portal.roles import Role
from tests.factories import (
    ActorFactory,
    CampaignFactory,
    ReferentFactory,
    RegionFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("staff:dashboard")
Status = Submission.Status


def counts(response) -> dict[str, int]:
    return {status: count for status, _label, count in response.context["status_counts"]}


def listed_references(response) -> list[str]:
    return re.findall(r'data-column="reference"><a href="[^"]+">(AMI-\d+)</a>', page(response))


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def queries_of(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


def test_a_second_request_reads_the_counts_and_rows_without_their_queries(as_user, owner):
    for _ in range(3):
        SubmissionFactory()
    client = as_user(owner)
    client.get(DASHBOARD)  # the session, the filter form...
    fragments.bump(STATISTICS_VERSION)  # what any change of an answer does
    first = queries_of(client, DASHBOARD)
    again = queries_of(client, DASHBOARD)
    listing = [sql for sql in first if '"ami_submission"' in sql]
    assert len(listing) == 3  # counts per status, the page's rows, « qui me sont attribuées »
    assert not [sql for sql in again if '"ami_submission"' in sql]
    assert len(again) == len(first) - 3


def test_a_status_change_shows_in_the_counts_and_the_row_at_once(as_user, owner):
    submission = SubmissionFactory(status=Status.RECEIVED)
    client = as_user(owner)
    before = client.get(DASHBOARD)
    assert counts(before)[Status.RECEIVED] == 1
    assert "portal-status--received" in page(before)

    services.change_status(submission, Status.IN_REVIEW, by=owner)

    after = client.get(DASHBOARD)
    assert counts(after)[Status.RECEIVED] == 0
    assert counts(after)[Status.IN_REVIEW] == 1
    assert "portal-status--in_review" in page(after)
    assert "portal-status--received" not in page(after)


def test_an_attribution_shows_in_mine_and_in_the_agent_column_at_once(as_user, owner):
    submission = SubmissionFactory()
    client = as_user(owner)
    assert client.get(DASHBOARD).context["mine_count"] == 0

    services.assign(submission, owner, by=owner)

    response = client.get(DASHBOARD)
    assert response.context["mine_count"] == 1
    assert '<td data-column="agent">Anne Kervella</td>' in page(response)


def test_a_renamed_agent_shows_in_the_rows_at_once(as_user, owner):
    SubmissionFactory(assignee=owner)
    client = as_user(owner)
    assert "Anne Kervella" in page(client.get(DASHBOARD))

    owner.last_name = "Le Goff"
    owner.save()

    assert '<td data-column="agent">Anne Le Goff</td>' in page(client.get(DASHBOARD))


def test_a_new_actor_shows_in_the_rows_at_once(as_user, owner):
    submission = SubmissionFactory()
    submission.actors.all().delete()
    ActorFactory(submission=submission, name="Dr Anne Riou")
    client = as_user(owner)
    assert "et 1 autre" not in page(client.get(DASHBOARD))

    ActorFactory(submission=submission, name="Dr Bruno Martin")

    assert 'Dr Anne Riou <span class="fr-text--xs">et 1 autre</span>' in page(client.get(DASHBOARD))


def test_a_new_referent_is_found_by_the_search_at_once(as_user, owner):
    submission = SubmissionFactory()
    client = as_user(owner)
    search = f"{DASHBOARD}?q=Quéméner"
    assert listed_references(client.get(search)) == []

    ReferentFactory(submission=submission, name="Gwen Quéméner")

    response = client.get(search)
    assert listed_references(response) == [submission.reference]
    assert sum(counts(response).values()) == 1


def test_a_new_answer_shows_on_a_page_kept_before(as_user, owner):
    SubmissionFactory()
    client = as_user(owner)
    assert len(listed_references(client.get(DASHBOARD))) == 1

    newer = SubmissionFactory()

    response = client.get(DASHBOARD)
    assert listed_references(response)[0] == newer.reference
    assert response.context["page"].paginator.count == 2


def test_agents_of_two_regions_with_the_same_filters_see_their_own_region(as_user):
    occitanie = RegionFactory(code="76", name="Occitanie")
    breton = UserFactory(roles=[Role.ARS])
    occitan = UserFactory(roles=[Role.ARS], region=occitanie)
    bretonne = SubmissionFactory()
    occitane = SubmissionFactory(campaign=CampaignFactory(region=occitanie))
    occitane_two = SubmissionFactory(campaign=CampaignFactory(region=occitanie))

    assert listed_references(as_user(breton).get(DASHBOARD)) == [bretonne.reference]
    response = as_user(occitan).get(DASHBOARD)
    assert set(listed_references(response)) == {occitane.reference, occitane_two.reference}
    assert sum(counts(response).values()) == 2


def test_each_agent_has_their_own_mine_count(as_user, owner, colleague):
    SubmissionFactory(assignee=owner)
    assert as_user(owner).get(DASHBOARD).context["mine_count"] == 1
    assert as_user(colleague).get(DASHBOARD).context["mine_count"] == 0


def test_the_chosen_columns_are_not_taken_from_another_agents_rows(as_user, owner, colleague):
    SubmissionFactory()
    as_user(owner).get(DASHBOARD)  # the default columns, kept
    client = as_user(colleague)
    client.post(reverse("staff:dashboard_columns"), {"colonnes-columns": ["campagne"]})
    html = page(client.get(DASHBOARD))
    assert '<td data-column="campagne">' in html
    assert '<td data-column="statut" hidden>' in html


def test_without_the_versions_cache_the_page_is_computed_afresh(as_user, owner, monkeypatch):
    """The versions live in Redis: when it cannot answer, nothing kept is trusted."""
    submission = SubmissionFactory(status=Status.RECEIVED)
    client = as_user(owner)
    client.get(DASHBOARD)
    monkeypatch.setattr(fragments, "_paused_until", float("inf"))  # the cache is away
    # A change whose bump is lost (owed until the cache answers again).
    services.change_status(submission, Status.IN_REVIEW, by=owner)
    response = client.get(DASHBOARD)
    assert counts(response)[Status.IN_REVIEW] == 1
    assert "portal-status--in_review" in page(response)


def test_the_filters_and_bulk_actions_kept_for_a_region_are_not_shown_to_another(as_user):
    occitanie = RegionFactory(code="76", name="Occitanie")
    breton = UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")
    occitan = UserFactory(
        roles=[Role.ARS], first_name="Jordi", last_name="Capdevila", region=occitanie
    )
    SubmissionFactory(campaign=CampaignFactory(title="Campagne bretonne"))
    SubmissionFactory(campaign=CampaignFactory(title="Campagne occitane", region=occitanie))
    html = page(as_user(breton).get(DASHBOARD))
    assert "Campagne bretonne" in html and "Jordi Capdevila" not in html

    html = page(as_user(occitan).get(DASHBOARD))

    assert "Campagne occitane" in html
    assert "Campagne bretonne" not in html
    assert "Anne Kervella" not in html


@pytest.mark.parametrize("query", ["?campaign=999999", "?received_from=demain"])
def test_invalid_filters_are_said_on_a_kept_page_too(as_user, owner, query):
    SubmissionFactory()
    client = as_user(owner)
    alert = "Certains filtres sont invalides"
    assert alert in page(client.get(DASHBOARD + query))
    assert alert in page(client.get(DASHBOARD + query))
    assert alert not in page(client.get(DASHBOARD))


def test_mine_is_marked_on_a_kept_page_too(as_user, owner):
    SubmissionFactory(assignee=owner)
    client = as_user(owner)
    for _ in range(2):
        response = client.get(DASHBOARD + "?mine=on")
        assert response.context["mine"] is True
        assert re.search(r'aria-current="true">Qui me sont attribuées \(1\)', page(response))
    assert client.get(DASHBOARD).context["mine"] is False


def test_a_kept_page_still_gives_its_answers_to_the_view_context(as_user, owner):
    submission = SubmissionFactory()
    client = as_user(owner)
    for _ in range(2):
        assert list(client.get(DASHBOARD).context["page"].object_list) == [submission]


def test_a_new_referent_makes_the_figures_of_the_answers_stale(owner):
    """The statistics of a search follow the référents it reads, as the dashboard does."""
    submission = SubmissionFactory()
    before = fragments.versions(STATISTICS_VERSION)

    ReferentFactory(submission=submission, name="Gwen Quéméner")

    assert fragments.versions(STATISTICS_VERSION) != before
