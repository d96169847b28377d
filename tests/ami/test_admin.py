"""Django admin for staff: list, filters, search, status changes through the workflow."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ami.models import Submission
from ami.services import save_territory
from cpts_portal.roles import Role
from tests.factories import ActorFactory, CampaignFactory, SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:ami_submission_changelist")


@pytest.fixture
def ars_client(client):
    client.force_login(UserFactory(roles=[Role.ARS]))
    return client


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_role_groups_exist_with_their_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
    ars = Group.objects.get(name=Role.ARS)
    assert ars.permissions.filter(codename="change_submission").exists()
    urps = Group.objects.get(name=Role.URPS)
    assert urps.permissions.filter(codename="view_submission").exists()
    assert not urps.permissions.filter(codename="change_submission").exists()


def test_changelist_query_count_does_not_grow_with_rows(ars_client):
    campaign = CampaignFactory()
    SubmissionFactory(campaign=campaign)
    one = count_queries(ars_client, CHANGELIST)
    for _ in range(49):
        SubmissionFactory(campaign=campaign, assignee=UserFactory())
    fifty = count_queries(ars_client, CHANGELIST)
    assert fifty == one
    page = ars_client.get(CHANGELIST).content.decode()
    assert page.count("AMI-0") >= 50


@pytest.mark.parametrize(
    ("query", "expected"),
    [("status=in_review", 0), ("status=received", 2), ("objectif=initiative", 1), ("q=Kerbrat", 1)],
)
def test_changelist_filters_and_search(ars_client, query, expected):
    SubmissionFactory(has_initiative=True)
    other = SubmissionFactory()
    ActorFactory(submission=other, name="Yann Kerbrat")
    response = ars_client.get(f"{CHANGELIST}?{query}")
    assert response.context["cl"].result_count == expected


def test_staff_moves_status_from_the_change_page_with_history(ars_client):
    submission = SubmissionFactory()
    url = reverse("admin:ami_submission_change", args=[submission.pk])
    page = ars_client.get(url).content.decode()
    assert "En cours d&#x27;analyse" in page or "En cours d'analyse" in page
    response = ars_client.post(
        url,
        {
            "assignee": "",
            "new_status": "in_review",
            "transition_comment": "Appel prévu",
            **empty_inlines(),
        },
    )
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.IN_REVIEW
    event = submission.events.get(kind="status_changed")
    assert event.comment == "Appel prévu"
    assert "Appel prévu" in ars_client.get(url).content.decode()


def test_change_page_offers_only_allowed_statuses(ars_client):
    submission = SubmissionFactory()
    response = ars_client.get(reverse("admin:ami_submission_change", args=[submission.pk]))
    choices = [
        value for value, _label in response.context["adminform"].form.fields["new_status"].choices
    ]
    assert choices == ["", "in_review", "closed"]


def test_urps_user_reads_but_cannot_change(client):
    client.force_login(UserFactory(roles=[Role.URPS]))
    submission = SubmissionFactory()
    url = reverse("admin:ami_submission_change", args=[submission.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"new_status": "in_review", **empty_inlines()})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RECEIVED


def test_bulk_action_takes_answers_into_review(ars_client):
    first, second = SubmissionFactory(), SubmissionFactory()
    ars_client.post(
        CHANGELIST,
        {"action": "take_into_review", "_selected_action": [first.pk, second.pk]},
    )
    assert set(Submission.objects.values_list("status", flat=True)) == {"in_review"}


def test_outsider_without_role_is_sent_to_login(client):
    client.force_login(UserFactory(is_staff=False))
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def empty_inlines() -> dict[str, str]:
    data = {}
    for prefix in ("actors", "referents", "events"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def test_search_by_reference_finds_the_answer(ars_client):
    wanted, _other = SubmissionFactory(), SubmissionFactory()
    response = ars_client.get(f"{CHANGELIST}?q={wanted.reference}")
    assert list(response.context["cl"].result_list) == [wanted]


def test_change_page_shows_territory_and_answers_of_the_same_territory(ars_client):
    call_command("load_geography", "--departements", "29", verbosity=0)
    mine, neighbour = SubmissionFactory(), SubmissionFactory()
    save_territory(mine, ["29046", "29224"])
    ActorFactory(submission=neighbour, practice_commune=mine.territory.communes.first())
    page = ars_client.get(reverse("admin:ami_submission_change", args=[mine.pk])).content.decode()
    assert "2 communes" in page
    assert "Taille 1" in page
    assert neighbour.reference in page


def test_assigning_in_the_admin_is_recorded_in_the_history(ars_client):
    submission = SubmissionFactory()
    colleague = UserFactory(roles=[Role.ARS])
    url = reverse("admin:ami_submission_change", args=[submission.pk])
    ars_client.post(url, {"assignee": colleague.pk, "new_status": "", **empty_inlines()})
    submission.refresh_from_db()
    assert submission.assignee == colleague
    assert submission.events.filter(kind="assigned").count() == 1
