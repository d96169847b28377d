"""The access log: every view of a submission's personal data by staff, every export and
PDF, with who and when; the ARS reads it on the submission's page and in the admin."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami.audit import record_access
from ami.models import AccessLog, PdfBatch, Submission
from cpts_portal.roles import Role
from tests.factories import SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db

Action = AccessLog.Action


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ars_agent(db):
    return UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.ARS, Role.URPS, Role.ASSURANCE_MALADIE])
def test_opening_a_submissions_staff_page_is_logged_with_who_and_when(role):
    user = UserFactory(roles=[role], first_name="Yves", last_name="Le Bihan")
    submission = SubmissionFactory()
    before = timezone.now()
    response = signed_in(user).get(reverse("staff:submission", args=[submission.pk]))
    assert response.status_code == 200
    line = AccessLog.objects.get()
    assert (line.user, line.user_label, line.action) == (user, "Yves Le Bihan", "submission_viewed")
    assert line.submission == submission and line.reference == submission.reference
    assert before <= line.at <= timezone.now()


def test_a_refused_visitor_leaves_no_line():
    submission = SubmissionFactory()
    signed_in(UserFactory(roles=[Role.COORDINATOR])).get(
        reverse("staff:submission", args=[submission.pk])
    )
    Client().get(reverse("staff:submission", args=[submission.pk]))
    assert not AccessLog.objects.exists()


def test_downloading_the_pdf_summary_is_logged(ars_agent):
    submission = SubmissionFactory()
    response = signed_in(ars_agent).get(reverse("staff:submission_pdf", args=[submission.pk]))
    assert response.status_code == 200
    line = AccessLog.objects.get()
    assert (line.action, line.submission, line.user) == ("pdf_downloaded", submission, ars_agent)


@pytest.mark.parametrize("extension", ["csv", "xlsx", "ods"])
def test_an_export_is_logged_with_its_filters_and_row_count(ars_agent, extension):
    SubmissionFactory.create_batch(2)
    SubmissionFactory(status=Submission.Status.CLOSED)
    url = reverse("staff:export", kwargs={"extension": extension})
    response = signed_in(ars_agent).get(url, {"status": "received", "q": "", "page": "2"})
    assert response.status_code == 200
    line = AccessLog.objects.get()
    assert line.action == "export" and line.user == ars_agent and line.submission is None
    assert line.details == {"format": extension, "filters": {"status": "received"}, "rows": 2}


def test_a_pdf_batch_and_its_download_are_logged(ars_agent, django_capture_on_commit_callbacks):
    first, second = SubmissionFactory.create_batch(2)
    client = signed_in(ars_agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:batch_create"))
    batch = PdfBatch.objects.get()
    assert response.status_code == 302
    requested = AccessLog.objects.get(action=Action.PDF_BATCH)
    assert requested.details["rows"] == 2
    assert sorted(requested.details["references"]) == sorted([first.reference, second.reference])
    assert requested.details["batch"] == str(batch.pk)
    assert client.get(reverse("staff:batch_download", args=[batch.pk])).status_code == 200
    downloaded = AccessLog.objects.get(action=Action.PDF_BATCH_DOWNLOADED)
    assert downloaded.details == {"batch": str(batch.pk), "rows": 2}


def test_the_ars_sees_the_submissions_access_log_on_its_page(ars_agent):
    submission = SubmissionFactory()
    urps = UserFactory(roles=[Role.URPS], first_name="Marie", last_name="Guivarc’h")
    signed_in(urps).get(reverse("staff:submission_pdf", args=[submission.pk]))
    page = signed_in(ars_agent).get(reverse("staff:submission", args=[submission.pk]))
    text = page.content.decode()
    assert "Journal des accès" in text
    assert "Marie Guivarc’h" in text and "Téléchargement du récapitulatif PDF" in text


@pytest.mark.parametrize("role", [Role.URPS, Role.ASSURANCE_MALADIE])
def test_partners_do_not_see_the_access_log(role):
    submission = SubmissionFactory()
    record_access(UserFactory(roles=[Role.ARS]), Action.PDF_DOWNLOADED, submission)
    page = signed_in(UserFactory(roles=[role])).get(
        reverse("staff:submission", args=[submission.pk])
    )
    assert "Journal des accès" not in page.content.decode()


def test_the_log_of_one_submission_does_not_show_another_ones(ars_agent):
    submission, other = SubmissionFactory.create_batch(2)
    record_access(UserFactory(first_name="Intrus", last_name="Ailleurs"), "pdf_downloaded", other)
    page = signed_in(ars_agent).get(reverse("staff:submission", args=[submission.pk]))
    assert "Intrus Ailleurs" not in page.content.decode()


def test_the_admin_page_of_a_submission_is_logged_too(ars_agent):
    submission = SubmissionFactory()
    response = signed_in(ars_agent).get(
        reverse("admin:ami_submission_change", args=[submission.pk])
    )
    assert response.status_code == 200
    line = AccessLog.objects.get()
    assert (line.action, line.submission, line.details) == (
        "submission_viewed",
        submission,
        {"via": "admin"},
    )


def test_the_ars_reads_the_log_in_the_admin_but_nobody_changes_it(ars_agent):
    line = record_access(ars_agent, Action.EXPORT, details={"rows": 3})
    client = signed_in(ars_agent)
    assert client.get(reverse("admin:ami_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:ami_accesslog_change", args=[line.pk])).status_code == 200
    client.post(reverse("admin:ami_accesslog_change", args=[line.pk]), {"user_label": "X"})
    delete = client.post(reverse("admin:ami_accesslog_delete", args=[line.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert client.get(reverse("admin:ami_accesslog_add")).status_code == 403
    line.refresh_from_db()
    assert line.user_label == "Anne Kervella"


def test_partner_staff_cannot_read_the_log_in_the_admin():
    client = signed_in(UserFactory(roles=[Role.URPS]))
    assert client.get(reverse("admin:ami_accesslog_changelist")).status_code == 403


def test_a_line_keeps_the_name_after_the_account_is_deleted(ars_agent):
    submission = SubmissionFactory()
    record_access(ars_agent, Action.SUBMISSION_VIEWED, submission)
    ars_agent.delete()
    line = AccessLog.objects.get()
    assert line.user is None and line.user_label == "Anne Kervella"
