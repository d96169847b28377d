"""Issue #16, item 2: the AMI staff pages read the agent's region only; the national role
reads every region and writes nothing. An object of another region is a 404."""

import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ami import export_jobs, tasks
from ami.models import Attachment, PdfBatch, Submission
from ami.staff.services import send_message
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from tests.ami.staff.conftest import client_for
from tests.factories import CampaignFactory, RegionFactory, SubmissionFactory, UserFactory
from tests.projects.helpers import pdf_file

pytestmark = pytest.mark.django_db
Status = Submission.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def occitanie():
    return RegionFactory(code="76", name="Occitanie")


@pytest.fixture
def breton(db):
    return UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")


@pytest.fixture
def occitan(occitanie):
    return UserFactory(
        roles=[Role.ARS], first_name="Jordi", last_name="Capdevila", region=occitanie
    )


@pytest.fixture
def national(db):
    return UserFactory(roles=[Role.NATIONAL])


@pytest.fixture
def answers(occitanie):
    """One answer in Bretagne, one in Occitanie."""
    return (
        SubmissionFactory(campaign=CampaignFactory(edition="Bretagne 2022")),
        SubmissionFactory(campaign=CampaignFactory(edition="Occitanie 2025", region=occitanie)),
    )


OBJECT_PAGES = ["staff:submission", "staff:submission_pdf", "staff:decision_letter"]


@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_an_answer_of_another_region_is_a_404(name, breton, occitan, answers):
    bretonne, occitane = answers
    assert client_for(breton).get(reverse(name, args=[occitane.pk])).status_code == 404
    assert client_for(occitan).get(reverse(name, args=[bretonne.pk])).status_code == 404


@pytest.mark.parametrize("name", ["staff:submission", "staff:submission_pdf"])
def test_own_region_and_national_read_the_answer(name, breton, occitan, national, answers):
    bretonne, occitane = answers
    assert client_for(breton).get(reverse(name, args=[bretonne.pk])).status_code == 200
    assert client_for(occitan).get(reverse(name, args=[occitane.pk])).status_code == 200
    for answer in answers:
        assert client_for(national).get(reverse(name, args=[answer.pk])).status_code == 200


def test_actions_on_an_answer_of_another_region_are_404(breton, occitan, answers):
    _bretonne, occitane = answers
    client = client_for(breton)
    response = client.post(reverse("staff:note", args=[occitane.pk]), {"note-text": "Vu"})
    assert response.status_code == 404
    response = client.post(
        reverse("staff:change_status", args=[occitane.pk]), {"statut-to": Status.IN_REVIEW}
    )
    assert response.status_code == 404
    occitane.refresh_from_db()
    assert occitane.status == Status.RECEIVED
    assert not occitane.events.exists()


def test_attachment_of_another_region_is_a_404(breton, occitan, answers):
    _bretonne, occitane = answers
    send_message(occitane, occitan, "Le modèle.", [pdf_file("modèle.pdf")])
    attachment = Attachment.objects.get(submission=occitane)
    assert client_for(occitan).get(attachment.staff_url).status_code == 200
    assert client_for(breton).get(attachment.staff_url).status_code == 404


def references(response) -> set[str]:
    return {row.reference for row in response.context["rows"]}


def test_dashboard_lists_and_counts_own_region_only(breton, occitan, national, answers):
    bretonne, occitane = answers
    page = client_for(breton).get(reverse("staff:dashboard"))
    assert references(page) == {bretonne.reference}
    assert sum(count for _s, _l, count in page.context["status_counts"]) == 1
    assert references(client_for(occitan).get(reverse("staff:dashboard"))) == {occitane.reference}
    assert references(client_for(national).get(reverse("staff:dashboard"))) == {
        bretonne.reference,
        occitane.reference,
    }


def test_dashboard_filters_offer_own_region_campaigns_and_agents(breton, occitan, answers):
    bretonne, occitane = answers
    form = client_for(breton).get(reverse("staff:dashboard")).context["filterset"].form
    assert list(form.fields["campaign"].queryset) == [bretonne.campaign]
    assignees = set(form.fields["assignee"].queryset)
    assert breton in assignees and occitan not in assignees
    # Another region's campaign chosen by its id: an invalid choice, its answers unlisted.
    page = client_for(breton).get(reverse("staff:dashboard"), {"campaign": occitane.campaign_id})
    assert page.context["filterset"].form.errors["campaign"]
    assert occitane.reference not in references(page)


def test_an_agent_of_another_region_cannot_be_assigned(breton, occitan, answers):
    bretonne, _occitane = answers
    response = client_for(breton).post(
        reverse("staff:assign", args=[bretonne.pk]), {"attribution-assignee": occitan.pk}
    )
    assert response.status_code == 200  # the form sent back with its error
    bretonne.refresh_from_db()
    assert bretonne.assignee is None


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_hold_own_region_only(extension, breton, national, answers):
    bretonne, occitane = answers
    url = reverse("staff:export", kwargs={"extension": extension})

    def content(user) -> bytes:
        response = client_for(user).get(url)
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    if extension == "csv":
        own = content(breton).decode()
        assert bretonne.reference in own and occitane.reference not in own
        every = content(national).decode()
        assert bretonne.reference in every and occitane.reference in every
    else:
        own = xlsx_text(content(breton))
        assert bretonne.reference in own and occitane.reference not in own
        assert occitane.reference in xlsx_text(content(national))


def xlsx_text(content: bytes) -> str:
    sheet = load_workbook(BytesIO(content)).active
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


def test_background_export_keeps_the_scope_of_who_asked(breton, answers):
    bretonne, occitane = answers
    job = export_jobs.new_job(breton.pk, "xlsx", "", 2)
    assert tasks.build_export(job.id, breton.pk) == "done"
    text = xlsx_text(Path(export_jobs.get_job(job.id, breton.pk).file).read_bytes())
    assert bretonne.reference in text and occitane.reference not in text


def test_statistics_count_own_region_only(breton, national, answers):
    url = reverse("staff:statistics")
    assert client_for(breton).get(url).context["total"] == 1
    assert client_for(national).get(url).context["total"] == 2


def test_pdf_batch_holds_own_region_only(breton, answers):
    bretonne, occitane = answers
    # Even an id of another region slipped into the batch is left out when it is built.
    batch = PdfBatch.objects.create(
        requested_by=breton, submission_ids=[bretonne.pk, occitane.pk], total=2
    )
    tasks.build_pdf_batch(str(batch.pk))
    batch.refresh_from_db()
    with zipfile.ZipFile(batch.file.open("rb")) as zipped:
        names = zipped.namelist()
    assert [name.startswith(bretonne.reference) for name in names] == [True]


def test_bulk_selection_of_another_region_is_refused(breton, answers):
    _bretonne, occitane = answers
    response = client_for(breton).post(
        reverse("staff:bulk_action"), {"lot-selection": [occitane.pk], "lot-action": "csv"}
    )
    assert response.status_code == 302  # back to the dashboard with the error
    assert occitane.reference.encode() not in response.content


# --- The national role reads, never writes -------------------------------------------------


def test_national_sees_no_action_form(national, answers):
    page = client_for(national).get(reverse("staff:submission", args=[answers[0].pk]))
    assert page.status_code == 200
    assert not any(
        page.context["can"][action] for action in page.context["can"] if action != "view"
    )
    assert "comment_form" not in page.context and "assign_form" not in page.context
    dashboard = client_for(national).get(reverse("staff:dashboard"))
    assert not dashboard.context["can_assign"] and not dashboard.context["can_move"]


@pytest.mark.parametrize(
    "name, data",
    [
        ("staff:note", {"note-text": "Vu"}),
        ("staff:assign", {"attribution-assignee": ""}),
        ("staff:change_status", {"statut-to": Status.IN_REVIEW}),
        ("staff:plan_exchange", {}),
        ("staff:orient", {"orientation-orientation": "information"}),
        ("staff:close", {}),
        ("staff:opinion", {}),
        ("staff:message", {"message-text": "Bonjour"}),
        ("staff:request_correction", {"correction-message": "À corriger"}),
    ],
)
def test_national_write_actions_are_403(name, data, national, answers):
    answer = answers[1]
    response = client_for(national).post(reverse(name, args=[answer.pk]), data)
    assert response.status_code == 403
    assert not answer.events.exists()


@pytest.mark.parametrize("action", ["assign", "status"])
def test_national_bulk_writes_are_403(action, national, answers):
    response = client_for(national).post(
        reverse("staff:bulk_action"),
        {"lot-selection": [a.pk for a in answers], "lot-action": action, "lot-to": "in_review"},
    )
    assert response.status_code == 403
    assert not Submission.objects.exclude(status=Status.RECEIVED).exists()


def test_national_bulk_export_is_allowed(national, answers):
    response = client_for(national).post(
        reverse("staff:bulk_action"),
        {"lot-selection": [a.pk for a in answers], "lot-action": "csv"},
    )
    assert response.status_code == 200


# --- Admin and outbox -----------------------------------------------------------------------


def test_admin_lists_own_region_answers_and_campaigns(breton, occitan, answers):
    bretonne, occitane = answers
    client = client_for(occitan)
    page = client.get(reverse("admin:ami_submission_changelist")).content.decode()
    assert occitane.reference in page and bretonne.reference not in page
    other = client.get(reverse("admin:ami_submission_change", args=[bretonne.pk]))
    assert other.status_code == 302  # « n'existe pas », back to the admin index
    form = client.get(reverse("admin:ami_campaign_add")).context["adminform"].form
    assert list(form.fields["region"].queryset) == [occitane.campaign.region]


def test_emails_carry_their_region_and_the_outbox_admin_scopes_them(breton, occitan, answers):
    bretonne, occitane = answers
    send_message(bretonne, breton, "Bonjour Bretagne")
    send_message(occitane, occitan, "Bonjour Occitanie")
    codes = dict(OutgoingEmail.objects.values_list("body_text", "region_code"))
    assert {code for body, code in codes.items() if "Bonjour Bretagne" in body} == {"53"}
    assert {code for body, code in codes.items() if "Bonjour Occitanie" in body} == {"76"}
    page = client_for(occitan).get(reverse("admin:notifications_outgoingemail_changelist"))
    shown = set(page.context["cl"].queryset.values_list("region_code", flat=True))
    assert shown == {"76"}


def test_personal_data_requests_reach_the_agents_region_only(breton, occitan, answers):
    """RGPD search, export and erasure: an ARS answers for its own AMI's data (an agent of
    Occitanie found, exported and could erase the référents of Bretagne's answers)."""
    from ami.privacy import erase_personal_data, find_personal_data

    bretonne, occitane = answers
    address = "meme.personne@example.org"
    for answer in answers:
        answer.referents.update(email=address)
    assert find_personal_data(address, user=occitan).references == [occitane.reference]
    assert find_personal_data(address, user=breton).references == [bretonne.reference]
    client = client_for(occitan)
    page = client.post(reverse("staff:personal_data"), {"email": address}).content.decode()
    assert occitane.reference in page and bretonne.reference not in page
    erasure = erase_personal_data(address, by=occitan)
    assert erasure.anonymised == [occitane.reference]
    assert bretonne.referents.get().email == address
