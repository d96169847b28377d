"""Drafts of the answer (ami.AnswerDraft): saved with or without JavaScript, resumed from
an emailed private link, invisible to staff, sent in one transaction, deleted after the
retention period."""

import re
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami import services, tasks
from ami.models import AnswerDraft, Submission
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory, SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_NAME = "Dr Brouillon Secret-Kerbrat"
LINK = re.compile(r"https?://[^\s]+/suivi/([A-Za-z0-9_-]+)/reprendre/")


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def post_and_send(django_capture_on_commit_callbacks):
    """``post_and_send(client, url, data)``: the outbox sends after the commit, here too."""

    def post(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


def answer_url(campaign) -> str:
    return reverse("ami:answer", kwargs={"slug": campaign.slug})


def autosave_url(campaign) -> str:
    return reverse("ami:draft_save", kwargs={"slug": campaign.slug})


def draft_post(**overrides):
    """An incomplete answer, as typed so far (no objective, no consent)."""
    return answer_data(
        **{"actors-0-name": SECRET_NAME, "objectives": None, "consent": None, **overrides}
    )


def resume_link(message) -> str:
    return LINK.search(message.body)[0]


def test_draft_button_saves_without_javascript_and_keeps_what_was_typed(client, campaign):
    data = draft_post(save_draft="1")
    response = client.post(answer_url(campaign), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Brouillon enregistré à" in page
    assert SECRET_NAME in page  # the form comes back as typed
    assert 'id="erreurs"' not in page  # an incomplete draft is not an error
    draft = AnswerDraft.objects.get()
    assert str(draft.form_token) == data["form_token"]
    assert draft.data["actors-0-name"] == [SECRET_NAME]
    assert "consent" not in draft.data and "form_token" not in draft.data
    assert Submission.objects.count() == 0


def test_autosave_saves_the_same_draft_again_and_says_when(client, campaign):
    data = draft_post()
    first = client.post(autosave_url(campaign), data)
    assert first.status_code == 200
    assert re.fullmatch(r"Brouillon enregistré à \d{1,2} h \d{2}", first.json()["message"])
    client.post(autosave_url(campaign), {**data, "context": "Plus de contexte"})

    draft = AnswerDraft.objects.get()
    assert draft.data["context"] == ["Plus de contexte"]


def test_another_browser_cannot_overwrite_a_draft_with_its_page_token(client, campaign):
    data = draft_post()
    client.post(autosave_url(campaign), data)

    response = Client().post(autosave_url(campaign), {**data, "context": "Écrasé"})

    assert response.status_code == 409
    assert AnswerDraft.objects.get().data["context"] == [data["context"]]


def test_draft_keeps_only_the_forms_fields_bounded_and_without_nul(client, campaign):
    data = draft_post(
        **{
            "context": "a\x00b" + "x" * 20_000,
            "evil": "1",
            "actors-999-name": "trop loin",
            "actors-0-id": "42",
            "actors-INITIAL_FORMS": "1",
        }
    )
    client.post(autosave_url(campaign), data)

    stored = AnswerDraft.objects.get().data
    assert "evil" not in stored and "actors-999-name" not in stored
    assert "actors-0-id" not in stored and "actors-INITIAL_FORMS" not in stored
    assert "\x00" not in stored["context"][0]
    assert len(stored["context"][0]) <= 12_000


def test_resume_later_emails_a_private_link_that_brings_every_field_back(
    client, campaign, post_and_send
):
    data = draft_post(resume_later="1", resume_email="anne.legoff@example.org")
    data["territory-commune_codes"] = ""
    response = post_and_send(client, answer_url(campaign), data)
    assert "Un lien pour reprendre votre réponse a été envoyé" in response.content.decode()

    (message,) = mail.outbox
    assert message.to == ["anne.legoff@example.org"]
    link = resume_link(message)
    draft = AnswerDraft.objects.get()
    assert draft.access_token in link
    assert len(draft.access_token) >= 43  # 256 bits, as the follow-up link

    elsewhere = Client()
    page = elsewhere.get(link)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    for value in (
        SECRET_NAME,
        data["referents-0-email"],
        data["context"],
        data["meeting_wish"],
        data["form_token"],
    ):
        assert value in html
    # The form is sent to the campaign's page, and this browser may now save the draft.
    assert f'action="{answer_url(campaign)}"' in html
    saved = elsewhere.post(autosave_url(campaign), {**data, "context": "Repris ailleurs"})
    assert saved.status_code == 200


def test_resume_link_expires_and_an_unknown_one_is_404(client, campaign, post_and_send):
    data = draft_post(resume_later="1", resume_email="anne@example.org")
    post_and_send(client, answer_url(campaign), data)
    link = resume_link(mail.outbox[0])
    draft = AnswerDraft.objects.get()
    AnswerDraft.objects.filter(pk=draft.pk).update(access_expires_at=timezone.now())

    assert client.get(link).status_code == 410
    token = draft.access_token
    assert client.get(link.replace(token, token[:-1] + "A")).status_code in (404, 410)
    wrong = reverse("ami:draft_resume", kwargs={"token": "x" * 43})
    assert client.get(wrong).status_code == 404


def test_resume_link_expiry_is_the_retention_period(client, campaign, settings):
    settings.DRAFT_RETENTION_DAYS = 7
    client.post(answer_url(campaign), draft_post(resume_later="1", resume_email="anne@example.org"))
    draft = AnswerDraft.objects.get()
    remaining = draft.access_expires_at - timezone.now()
    assert timedelta(days=6, hours=23) < remaining <= timedelta(days=7)


def test_resume_link_is_masked_in_logs():
    from cpts_portal.log_filters import mask_private_links

    line = 'GET /suivi/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG/reprendre/ HTTP/1.1" 200'
    assert "abcdefghij" not in mask_private_links(line)


def test_resume_emails_are_limited_per_address_per_day(campaign, settings, post_and_send):
    settings.DRAFT_LINKS_PER_ADDRESS_PER_DAY = 2
    for _ in range(3):
        response = post_and_send(
            Client(),
            answer_url(campaign),
            draft_post(resume_later="1", resume_email="Victime@Example.org"),
        )
    assert len(mail.outbox) == 2
    assert "aucun autre ne lui est envoyé" in response.content.decode()
    assert AnswerDraft.objects.count() == 3  # the drafts are kept all the same


def test_draft_creation_is_limited_per_client(client, campaign, settings):
    settings.DRAFTS_PER_CLIENT_PER_HOUR = 2
    statuses = [client.post(autosave_url(campaign), draft_post()).status_code for _ in range(3)]
    assert statuses == [200, 200, 409]
    assert AnswerDraft.objects.count() == 2


def test_invalid_resume_address_is_said_next_to_the_field(client, campaign):
    response = client.post(
        answer_url(campaign), draft_post(resume_later="1", resume_email="pas-une-adresse")
    )
    page = response.content.decode()
    assert 'id="erreurs"' in page
    assert "Saisissez une adresse électronique valide" in page
    assert not mail.outbox


def test_sending_turns_the_draft_into_the_answer(client, campaign):
    data = answer_data()
    client.post(autosave_url(campaign), data)
    assert AnswerDraft.objects.count() == 1

    response = client.post(answer_url(campaign), data)

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert str(submission.form_token) == data["form_token"]
    assert not AnswerDraft.objects.exists()
    # A late autosave of the page (leaving it) brings no draft back.
    late = client.post(autosave_url(campaign), data)
    assert late.status_code == 409
    assert not AnswerDraft.objects.exists()


def test_sending_is_one_transaction_a_failure_keeps_the_draft(client, campaign):
    data = answer_data()
    client.post(autosave_url(campaign), data)

    failing = mock.patch.object(services, "queue_submission_emails", side_effect=RuntimeError)
    with failing, pytest.raises(RuntimeError):
        client.post(answer_url(campaign), data)

    assert not Submission.objects.exists()
    assert AnswerDraft.objects.count() == 1


def test_retention_deletes_only_old_drafts(campaign, settings):
    settings.DRAFT_RETENTION_DAYS = 30
    old = AnswerDraft.objects.create(campaign=campaign, form_token=uuid.uuid4(), data={})
    recent = AnswerDraft.objects.create(campaign=campaign, form_token=uuid.uuid4(), data={})
    AnswerDraft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=31))
    AnswerDraft.objects.filter(pk=recent.pk).update(updated_at=timezone.now() - timedelta(days=29))

    assert tasks.purge_answer_drafts.delay().get() == 1
    assert list(AnswerDraft.objects.values_list("pk", flat=True)) == [recent.pk]
    assert tasks.purge_answer_drafts() == 0  # idempotent


def test_retention_task_runs_every_night(settings):
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "ami.tasks.purge_answer_drafts"
    )
    assert entry["schedule"].hour == {3}


@pytest.mark.parametrize("value", ["0", "-3", "trente"])
def test_retention_setting_is_parsed_strictly(value, monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import cpts_portal.settings as portal_settings

    monkeypatch.setenv("DRAFT_RETENTION_DAYS", value)
    with pytest.raises((ImproperlyConfigured, ValueError)):
        importlib.reload(portal_settings)
    monkeypatch.delenv("DRAFT_RETENTION_DAYS")
    importlib.reload(portal_settings)


# --- Invisible to staff -------------------------------------------------------------------


@pytest.fixture
def ars_agent():
    return UserFactory(roles=[Role.ARS])


@pytest.fixture
def staff_client(ars_agent):
    client = Client()
    client.force_login(ars_agent)
    return client


@pytest.fixture
def draft(client, campaign):
    client.post(autosave_url(campaign), draft_post(**{"context": "Contexte du brouillon"}))
    return AnswerDraft.objects.get()


@pytest.mark.parametrize(
    "url",
    [
        reverse("staff:dashboard"),
        reverse("staff:statistics"),
        reverse("staff:export", kwargs={"extension": "csv"}),
        reverse("admin:ami_submission_changelist"),
    ],
)
def test_drafts_are_invisible_in_staff_pages_and_exports(staff_client, draft, url, ars_agent):
    ars_agent.is_superuser = True
    ars_agent.save()
    response = staff_client.get(url)
    assert response.status_code == 200
    content = b"".join(response) if response.streaming else response.content
    text = content.decode("utf-8", errors="replace")
    assert SECRET_NAME not in text
    assert "Contexte du brouillon" not in text


def test_drafts_count_nowhere(draft, campaign):
    from ami.staff import stats

    SubmissionFactory(campaign=campaign)
    answers = Submission.objects.all()
    assert sum(count for _, count in stats.per_status(answers)) == 1
    assert sum(count for _, count in stats.per_week(answers)) == 1


def test_drafts_have_no_admin_page(staff_client, ars_agent, draft):
    ars_agent.is_superuser = True
    ars_agent.save()
    assert staff_client.get("/admin/ami/answerdraft/").status_code == 404
    assert not OutgoingEmail.objects.exists()  # saving a draft notifies nobody


def test_privacy_page_says_how_long_drafts_are_kept(client, settings):
    settings.DRAFT_RETENTION_DAYS = 12
    page = client.get(reverse("privacy")).content.decode()
    assert "supprimée 12 jours après son dernier enregistrement" in page
