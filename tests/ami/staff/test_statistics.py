"""Statistics page: per week, département, objective and status, with their tables, and
the median time to first contact."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ami.models import STATISTICS_VERSION, Submission, SubmissionEvent
from ami.staff import stats
from cpts_portal.fragments import bump
from tests.factories import (
    ActorFactory,
    CampaignFactory,
    CommuneFactory,
    CptsProjectFactory,
    DepartementFactory,
    SubmissionFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db
Status = Submission.Status
STATS = reverse("staff:statistics")


def received_on(submission: Submission, moment: datetime) -> Submission:
    Submission.objects.filter(pk=submission.pk).update(submitted_at=moment)
    submission.refresh_from_db()
    return submission


def paris(year, month, day, hour=10) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def contacted(submission: Submission, after: timedelta, kind="status_changed", source="received"):
    SubmissionEvent.objects.create(
        submission=submission,
        kind=kind,
        from_state=source,
        to_state="in_review" if kind == "status_changed" else "exchange_planned",
        created_at=submission.submitted_at + after,
    )


def test_weeks_run_monday_to_sunday_over_the_campaign_with_empty_weeks_shown():
    campaign = CampaignFactory(opens_on=date(2026, 3, 3), closes_on=date(2026, 3, 24))
    received_on(SubmissionFactory(campaign=campaign), paris(2026, 3, 2))  # Monday
    received_on(SubmissionFactory(campaign=campaign), paris(2026, 3, 8, 23))  # Sunday night
    received_on(SubmissionFactory(campaign=campaign), paris(2026, 3, 16))
    assert stats.per_week(Submission.objects.all()) == [
        ("Semaine du 2 mars 2026", 2),
        ("Semaine du 9 mars 2026", 0),
        ("Semaine du 16 mars 2026", 1),
        ("Semaine du 23 mars 2026", 0),  # the campaign's last days, no answer yet
    ]


def test_a_long_campaign_is_counted_by_month_never_by_a_hundred_weeks():
    campaign = CampaignFactory(opens_on=date(2024, 1, 10), closes_on=date(2025, 12, 31))
    received_on(SubmissionFactory(campaign=campaign), paris(2024, 1, 15))
    received_on(SubmissionFactory(campaign=campaign), paris(2025, 6, 2))
    series = stats.per_week(Submission.objects.all())
    assert len(series) == 24
    assert series[0] == ("Janvier 2024", 1)
    assert ("Juin 2025", 1) in series
    chart = stats.charts(Submission.objects.all())[0]
    assert chart.title == "Réponses reçues par mois"
    assert sum(1 for bar in chart.bars if bar.axis_label) <= stats.AXIS_LABELS


def test_share_of_the_regions_population_in_a_project_territory():
    bretagne = DepartementFactory(code="29", name="Finistère").region
    covered = CommuneFactory(population=30_000)
    CommuneFactory(population=70_000)
    project = CptsProjectFactory(territory=TerritoryFactory(communes=[covered]))
    # An answer's territory is no project's: it does not count.
    SubmissionFactory(
        territory=TerritoryFactory(communes=list(bretagne.departements.get().communes.all()))
    )
    coverage = stats.project_coverage(Submission.objects.all())
    assert coverage == stats.Coverage(["Bretagne"], 100_000, 30_000)
    assert coverage.percent == "30,0"
    assert project.territory_id


def test_departements_count_each_answer_once_per_departement():
    finistere = DepartementFactory(code="29", name="Finistère")
    morbihan = DepartementFactory(code="56", name="Morbihan")
    quimper = CommuneFactory(insee_code="29232", departement=finistere)
    brest = CommuneFactory(insee_code="29019", departement=finistere)
    vannes = CommuneFactory(insee_code="56260", departement=morbihan)
    both = SubmissionFactory(territory=TerritoryFactory(communes=[quimper, vannes]))
    ActorFactory(submission=both, practice_commune=brest)
    ActorFactory(submission=SubmissionFactory(), practice_commune=quimper)
    SubmissionFactory()  # no recognised commune
    assert stats.per_departement(Submission.objects.all()) == [
        ("Finistère (29)", 2),
        ("Morbihan (56)", 1),
        ("Sans commune reconnue", 1),
    ]


def test_objectives_and_statuses():
    SubmissionFactory(wants_information=True, has_reflection=False)
    SubmissionFactory(has_initiative=True, status=Status.CLOSED)
    queryset = Submission.objects.all()
    assert stats.per_objective(queryset) == [
        ("Besoin d’informations sur ce qu’est une CPTS", 1),
        ("Réflexion en cours autour d’un projet de CPTS", 1),
        ("Initiative engagée pour monter un projet de CPTS", 1),
    ]
    assert dict(stats.per_status(queryset)) == {
        "Reçue": 1, "En cours d'analyse": 0, "Échange planifié": 0, "Orientée": 0,
        "Correction demandée": 0, "Close": 1,
    }  # fmt: skip


def test_median_time_to_first_contact():
    fast, middle, slow = (received_on(SubmissionFactory(), paris(2026, 3, 2)) for _ in range(3))
    contacted(fast, timedelta(hours=5))
    contacted(fast, timedelta(days=9))  # later changes do not count
    contacted(middle, timedelta(days=2, hours=3))
    # An exchange planned counts as a contact too.
    contacted(slow, timedelta(days=6), kind="exchange_planned", source="in_review")
    SubmissionFactory()  # still waiting
    delay = stats.time_to_first_contact(Submission.objects.all())
    assert delay == stats.Delay(median="2 jours et 3 heures", contacted=3, waiting=1)


@pytest.mark.parametrize(
    ("delay", "text"),
    [(timedelta(minutes=12), "12 minutes"), (timedelta(hours=1), "1 heure"),
     (timedelta(days=1), "1 jour"), (timedelta(days=3, hours=1), "3 jours et 1 heure")],
)  # fmt: skip
def test_delays_read_in_french(delay, text):
    assert stats.format_delay(delay) == text


def test_page_shows_each_chart_with_its_accessible_table(as_user, am_agent):
    SubmissionFactory(has_initiative=True)
    page = as_user(am_agent).get(STATS).content.decode()
    for title in (
        "Réponses reçues par semaine",
        "Réponses par département",
        "Réponses par objectif",
        "Réponses par statut",
    ):
        assert f"<caption>{title} : données du graphique</caption>" in page
    assert '<svg class="portal-svg-chart"' in page and 'role="img"' in page
    assert "<details" in page and "Voir les données du graphique" in page
    assert "Chiffres clés" in page
    assert 'scope="row"' in page
    assert "style=" not in page and "<script>" not in page
    assert "cdn" not in page.lower()


def test_statistics_follow_the_dashboard_filters(as_user, owner):
    SubmissionFactory(has_initiative=True)
    SubmissionFactory()
    response = as_user(owner).get(f"{STATS}?objective=initiative")
    assert response.context["total"] == 1


def test_statistics_query_count_does_not_grow_with_rows(as_user, owner):
    departement = DepartementFactory()
    client = as_user(owner)

    def add(count):
        for _ in range(count):
            submission = SubmissionFactory()
            ActorFactory(submission=submission, practice_commune=CommuneFactory(
                departement=departement))  # fmt: skip
            contacted(submission, timedelta(hours=2))

    def queries():
        bump(STATISTICS_VERSION)  # the figures computed, not read from the cache
        with CaptureQueriesContext(connection) as captured:
            assert client.get(STATS).status_code == 200
        return len(captured)

    add(1)
    client.get(STATS)
    one = queries()
    add(20)
    client.get(STATS)  # new campaigns: the cached filter form is rendered again once
    assert queries() == one


# --- Kept between requests (stats.statistics_of) -------------------------------------------


def figures_of(client, url: str = STATS) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_repeated_request_reads_the_figures_kept_and_shows_the_same_page(as_user, owner):
    for _ in range(3):
        ActorFactory(submission=SubmissionFactory(has_initiative=True))
    client = as_user(owner)
    first_count, first = figures_of(client)
    again_count, again = figures_of(client)
    assert again_count <= 5  # session, user, groups: none of the 14 queries of the figures
    assert again_count < first_count - 10
    assert without_tokens(again) == without_tokens(first)


def without_tokens(page: str) -> str:
    """The page without what differs at each request (CSRF token, CSP nonce)."""
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]+"', "", page)


def test_a_new_answer_changes_the_figures_kept(as_user, owner):
    SubmissionFactory()
    client = as_user(owner)
    assert client.get(STATS).context["total"] == 1
    SubmissionFactory()
    response = client.get(STATS)
    assert response.context["total"] == 2
    # The figures' markup, kept under the same key, is new too.
    assert '<p class="portal-figure__value">2</p>' in response.content.decode()


def test_an_actor_moved_to_another_departement_changes_the_figures_kept(as_user, owner):
    finistere = DepartementFactory(code="29", name="Finistère")
    morbihan = DepartementFactory(code="56", name="Morbihan")
    actor = ActorFactory(practice_commune=CommuneFactory(departement=finistere))
    vannes = CommuneFactory(departement=morbihan)  # before: the geography has its own version
    client = as_user(owner)

    def departements() -> list[tuple[str, int]]:
        charts = {chart.slug: chart for chart in client.get(STATS).context["charts"]}
        return [(bar.label, bar.count) for bar in charts["departements"].bars]

    assert departements() == [("Finistère (29)", 1)]
    actor.practice_commune = vannes
    actor.save()
    assert departements() == [("Morbihan (56)", 1)]


def test_a_first_contact_and_a_project_change_the_figures_kept(as_user, owner):
    submission = SubmissionFactory()
    client = as_user(owner)
    assert client.get(STATS).context["delay"].contacted == 0
    contacted(submission, timedelta(hours=3))  # an event of the answer's history
    assert client.get(STATS).context["delay"].contacted == 1
    DepartementFactory(code="29", name="Finistère")
    territory = TerritoryFactory(communes=[CommuneFactory(population=1_000)])
    assert client.get(STATS).context["figures"].coverage.covered == 0
    CptsProjectFactory(territory=territory)  # the territory becomes a project's
    assert client.get(STATS).context["figures"].coverage.covered == 1_000


def test_each_selection_has_its_own_figures(as_user, owner):
    SubmissionFactory(has_initiative=True)
    SubmissionFactory()
    client = as_user(owner)
    assert client.get(STATS).context["total"] == 2
    assert client.get(f"{STATS}?objective=initiative").context["total"] == 1
    assert client.get(STATS).context["total"] == 2
