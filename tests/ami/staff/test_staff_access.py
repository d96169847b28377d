"""Who may open each staff page and take each action: every role, and the trio."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ami.models import PdfBatch, Submission, SubmissionEvent
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status

PEOPLE = ["owner", "colleague", "urps_member", "am_agent", "coordinator", "outsider", None]
STAFF = {"owner", "colleague", "urps_member", "am_agent"}


def person(request, name):
    return request.getfixturevalue(name) if name else None


def expected_for_reading(name: str | None) -> int:
    if name is None:
        return 302  # to the login page
    return 200 if name in STAFF else 403


READ_URLS = [
    lambda s: reverse("staff:dashboard"),
    lambda s: reverse("staff:statistics"),
    lambda s: reverse("staff:submission", args=[s.pk]),
    lambda s: reverse("staff:submission_pdf", args=[s.pk]),
    lambda s: reverse("staff:export", args=["csv"]),
    lambda s: reverse("staff:export", args=["xlsx"]),
    lambda s: reverse("staff:export", args=["ods"]),
]


@pytest.mark.parametrize(
    "url", READ_URLS, ids=["dashboard", "stats", "page", "pdf", "csv", "xlsx", "ods"]
)
@pytest.mark.parametrize("name", PEOPLE)
def test_staff_pages_are_for_the_three_partner_roles_only(request, as_user, submission, url, name):
    response = as_user(person(request, name)).get(url(submission))
    assert response.status_code == expected_for_reading(name)
    if name is None:
        assert response["Location"].startswith(reverse("login"))


def exchange_data() -> dict[str, str]:
    day = timezone.localdate() + timedelta(days=10)
    return {
        "echange-date": day.isoformat(),
        "echange-start": "14:00",
        "echange-end": "15:30",
        "echange-place": "CPAM du Finistère, Quimper",
    }


# action URL name, POST data, status before, roles allowed, kind of the event written
ACTIONS = [
    ("staff:assign", lambda u: {"attribution-assignee": u.pk}, Status.RECEIVED,
     {"owner", "colleague"}, "assigned"),
    ("staff:change_status", lambda u: {"statut-to": "in_review"}, Status.RECEIVED,
     {"owner", "colleague"}, "status_changed"),
    ("staff:plan_exchange", lambda u: exchange_data(), Status.IN_REVIEW,
     {"owner", "colleague"}, "exchange_planned"),
    ("staff:orient", lambda u: {"orientation-orientation": "information"}, Status.IN_REVIEW,
     {"owner", "colleague"}, "oriented"),
    ("staff:close", lambda u: {"cloture-reason": "withdrawn"}, Status.IN_REVIEW,
     {"owner", "colleague"}, "closed"),
    ("staff:message", lambda u: {"message-text": "Bonjour"}, Status.IN_REVIEW,
     {"owner", "colleague"}, "message"),
    ("staff:opinion", lambda u: {"avis-opinion": "favorable"}, Status.IN_REVIEW,
     {"owner", "colleague", "urps_member"}, "note"),
    ("staff:note", lambda u: {"note-text": "À rappeler"}, Status.IN_REVIEW,
     {"owner", "colleague", "urps_member", "am_agent"}, "note"),
]  # fmt: skip


@pytest.mark.parametrize(("url_name", "data", "status", "allowed", "kind"), ACTIONS,
                         ids=[a[0].split(":")[1] for a in ACTIONS])  # fmt: skip
@pytest.mark.parametrize("name", PEOPLE)
def test_each_action_is_open_to_its_roles_only(
    request, as_user, submission, url_name, data, status, allowed, kind, name
):
    Submission.objects.filter(pk=submission.pk).update(status=status)
    user = person(request, name)
    response = as_user(user).post(
        reverse(url_name, args=[submission.pk]), data(user or submission.assignee)
    )
    written = SubmissionEvent.objects.filter(submission=submission, kind=kind).exists()
    if name in allowed:
        assert response.status_code == 302
        assert response["Location"] == reverse("staff:submission", args=[submission.pk])
        assert written
    else:
        assert response.status_code == (302 if name is None else 403)
        assert not written


@pytest.mark.parametrize("name", PEOPLE)
def test_actions_refuse_get(request, as_user, submission, name):
    response = as_user(person(request, name)).get(reverse("staff:close", args=[submission.pk]))
    assert response.status_code == 405


def test_unknown_submission_is_404(as_user, owner):
    assert as_user(owner).get(reverse("staff:submission", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", PEOPLE)
def test_pdf_batch_belongs_to_the_user_who_asked(request, as_user, owner, name, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    batch = PdfBatch.objects.create(
        requested_by=owner, submission_ids=[SubmissionFactory().pk], total=1
    )
    user = person(request, name)
    client = as_user(user)
    pages = [
        reverse("staff:batch", args=[batch.pk]),
        reverse("staff:batch_status", args=[batch.pk]),
    ]
    for url in pages:
        response = client.get(url)
        if name == "owner":
            assert response.status_code == 200
        elif name is None:
            assert response.status_code == 302
        elif name in STAFF:
            assert response.status_code == 404  # a colleague cannot even tell it exists
        else:
            assert response.status_code == 403
