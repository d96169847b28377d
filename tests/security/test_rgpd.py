"""RGPD: the privacy page, the anonymisation of closed answers after the retention period,
and a person's requests (export, erasure) handled by the ARS."""

import json
from datetime import datetime, timedelta

import pytest
from django.core import serializers
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami import privacy
from ami.attachments import post_referent_message
from ami.models import (
    AccessLog,
    Actor,
    ClosureReason,
    Exchange,
    Referent,
    Submission,
    SubmissionEvent,
)
from ami.staff import services as staff_services
from ami.tasks import anonymise_closed_submissions
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from notifications.services import queue_email
from tests.factories import (
    ActorFactory,
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    ReferentFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Kind = SubmissionEvent.Kind


# --- (a) The privacy page ----------------------------------------------------------------


def test_privacy_page_covers_what_the_rgpd_requires_with_configured_values(client, settings):
    settings.PRIVACY_CONTROLLER = "ARS Normandie, 2 place Jean Nouzille, Caen"
    settings.PRIVACY_DPO_CONTACT = "dpd@ars-normandie.example"
    settings.PERSONAL_DATA_RETENTION_MONTHS = 30
    page = client.get(reverse("privacy")).content.decode()
    for heading in (
        "Responsable du traitement",
        "Finalités",
        "Base légale",
        "Destinataires",
        "Durée de conservation",
        "Vos droits",
    ):
        assert f"<h2>{heading}</h2>" in page, heading
    assert "ARS Normandie, 2 place Jean Nouzille, Caen" in page
    assert "dpd@ars-normandie.example" in page
    assert "30 mois après la clôture" in page
    assert "CNIL" in page


# --- (b) Anonymisation after the retention period ------------------------------------------

SECRETS = {
    "actor": "Dr Gwenola Scaër",
    "structure": "MSP de Kerlaz-Plage",
    "referent": "Corentin Le Dantec",
    "referent_email": "corentin.ledantec@exemple.bzh",
    "referent_phone": "02 98 76 54 32",  # as the portal formats it
    "function": "Kinésithérapeute coordinateur",
    "context": "Mon associé Yannick Morvan part à la retraite",
    "territory_text": "Quartier de Tréboul chez Madame Riou",
    "meeting_wish": "Pas le mardi, jour de garde de Corentin",
    "message_in": "Je suis joignable au 06 11 22 33 44",
    "message_out": "Bonjour Monsieur Le Dantec",
    "note": "Vu avec le Dr Scaër au téléphone",
    "participants": "Anne Kervella, Corentin Le Dantec",
    "place": "Cabinet du Dr Scaër, 3 rue de la Gare",
}


@pytest.fixture
def ars_agent(db):
    return UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")


def full_answer(agent, secrets: dict[str, str] = SECRETS) -> Submission:
    """An answer with personal data everywhere it can be: rows, texts, history, exchange,
    messages, emails; then closed (now)."""
    commune = CommuneFactory(name="Douarnenez")
    submission = SubmissionFactory(
        has_initiative=True,
        context=secrets["context"],
        territory_text=secrets["territory_text"],
        meeting_wish=secrets["meeting_wish"],
        territory=TerritoryFactory(communes=[commune]),
    )
    submission.actors.all().delete()  # the factory's rows: ours follow
    submission.referents.all().delete()
    ActorFactory(
        submission=submission,
        name=secrets["actor"],
        structure_name=secrets["structure"],
        practice_commune=commune,
    )
    ReferentFactory(
        submission=submission,
        name=secrets["referent"],
        function=secrets["function"],
        email=secrets["referent_email"],
        phone=secrets["referent_phone"],
    )
    SubmissionEvent.objects.create(
        submission=submission, kind=Kind.EDITED, changes=[f"Acteur ajouté : {secrets['actor']}"]
    )
    post_referent_message(submission, secrets["message_in"])
    staff_services.send_message(submission, agent, secrets["message_out"])
    staff_services.add_note(submission, agent, secrets["note"])
    staff_services.change_status(submission, Submission.Status.IN_REVIEW, agent)
    start = timezone.now() + timedelta(days=3)
    staff_services.plan_exchange(
        submission,
        agent,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        place=secrets["place"],
        participants=secrets["participants"],
        message=secrets["message_out"],
    )
    staff_services.close(
        submission, agent, reason=ClosureReason.WITHDRAWN, message=secrets["message_out"]
    )
    submission.refresh_from_db()
    return submission


def stored_text() -> str:
    """Every row that may hold personal data, as one JSON text."""
    querysets = [
        Submission.objects.all(),
        Actor.objects.all(),
        Referent.objects.all(),
        SubmissionEvent.objects.all(),
        Exchange.objects.all(),
        OutgoingEmail.objects.all(),
        AccessLog.objects.all(),
    ]
    return "".join(serializers.serialize("json", qs, ensure_ascii=False) for qs in querysets)


def months_later(months: int) -> str:
    return privacy.months_before(timezone.now(), -months).isoformat()


def statistics(client: Client) -> tuple:
    response = client.get(reverse("staff:statistics"))
    assert response.status_code == 200
    context = response.context
    return context["total"], context["charts"], context["delay"]


def test_months_before_handles_short_months_and_years():
    moment = datetime(2026, 3, 31, 12, 0)
    assert privacy.months_before(moment, 1) == datetime(2026, 2, 28, 12, 0)
    assert privacy.months_before(moment, 25) == datetime(2024, 2, 29, 12, 0)
    assert privacy.months_before(moment, -11) == datetime(2027, 2, 28, 12, 0)


def test_an_answer_closed_25_months_ago_is_anonymised_one_closed_23_months_ago_is_not(
    ars_agent,
):
    submission = full_answer(ars_agent)
    assert anonymise_closed_submissions(now=months_later(23)) == []
    submission.refresh_from_db()
    assert submission.anonymised_at is None
    assert submission.context == SECRETS["context"]
    assert anonymise_closed_submissions(now=months_later(25)) == [submission.pk]
    submission.refresh_from_db()
    assert submission.anonymised_at is not None


def test_open_answers_are_kept_whatever_their_age(ars_agent):
    submission = SubmissionFactory(status=Submission.Status.IN_REVIEW)
    Submission.objects.filter(pk=submission.pk).update(
        status_changed_at=timezone.now() - timedelta(days=5 * 365)
    )
    assert anonymise_closed_submissions(now=months_later(0)) == []


def test_anonymisation_leaves_no_personal_data_anywhere(ars_agent):
    full_answer(ars_agent)
    text = stored_text()
    assert [name for name, secret in SECRETS.items() if secret not in text] == []
    anonymise_closed_submissions(now=months_later(25))
    text = stored_text()
    left = [name for name, secret in SECRETS.items() if secret in text]
    assert left == []


def test_anonymisation_keeps_what_the_statistics_need(ars_agent):
    submission = full_answer(ars_agent)
    actor = submission.actors.get()
    anonymise_closed_submissions(now=months_later(25))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.CLOSED
    assert submission.has_initiative and not submission.wants_information
    assert submission.closure_reason == ClosureReason.WITHDRAWN
    assert list(submission.territory.communes.values_list("pk", flat=True)) == [
        actor.practice_commune_id
    ]
    anonymous = submission.actors.get()
    assert anonymous.name == "Acteur anonymisé" and anonymous.structure_name == ""
    assert (anonymous.profession, anonymous.practice_commune_id, anonymous.practice_setting) == (
        actor.profession,
        actor.practice_commune_id,
        actor.practice_setting,
    )
    referent = submission.referents.get()
    assert (referent.name, referent.function, referent.email, str(referent.phone)) == (
        "Référent anonymisé",
        "",
        "",
        "",
    )
    assert submission.context == privacy.REDACTED
    kinds = list(submission.events.values_list("kind", flat=True))
    assert kinds.count(Kind.MESSAGE) == 2 and Kind.CLOSED in kinds


def test_the_statistics_page_counts_the_same_before_and_after(ars_agent):
    full_answer(ars_agent)
    other = SubmissionFactory(status=Submission.Status.CLOSED)
    ActorFactory(submission=other, practice_commune=CommuneFactory())
    client = Client()
    client.force_login(ars_agent)
    before = statistics(client)
    assert before[0] == 2
    assert len(anonymise_closed_submissions(now=months_later(25))) == 2
    assert statistics(client) == before


def test_anonymisation_revokes_the_private_link_and_is_recorded(ars_agent):
    submission = full_answer(ars_agent)
    old_link = submission.get_private_url()
    later = months_later(25)
    anonymise_closed_submissions(now=later)
    submission.refresh_from_db()
    assert Client().get(old_link).status_code == 404
    assert submission.private_link_has_expired(now=datetime.fromisoformat(later))
    event = submission.events.get(kind=Kind.ANONYMISED)
    assert event.author is None and event.data == {"reason": "retention"}
    client = Client()
    client.force_login(ars_agent)
    page = client.get(reverse("staff:submission", args=[submission.pk])).content.decode()
    assert "Données personnelles anonymisées" in page
    assert "Durée de conservation écoulée depuis la clôture" in page


def test_anonymisation_is_idempotent(ars_agent):
    submission = full_answer(ars_agent)
    later = months_later(25)
    assert anonymise_closed_submissions(now=later) == [submission.pk]
    snapshot = stored_text()
    assert anonymise_closed_submissions(now=later) == []
    assert privacy.anonymise_submission(submission, privacy.REASON_RETENTION) is False
    assert stored_text() == snapshot
    assert submission.events.filter(kind=Kind.ANONYMISED).count() == 1


def test_pending_emails_about_an_anonymised_answer_are_cancelled(ars_agent):
    full_answer(ars_agent)
    email = OutgoingEmail.objects.filter(recipient=SECRETS["referent_email"]).first()
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.PENDING)
    anonymise_closed_submissions(now=months_later(25))
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.recipient == privacy.ANONYMOUS_RECIPIENT


def test_the_task_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["anonymise-closed-submissions"]
    assert entry["task"] == "ami.tasks.anonymise_closed_submissions"
    assert entry["schedule"].remaining_estimate(timezone.now()) <= timedelta(days=1)


# --- (c) A person's requests, handled by the ARS ---------------------------------------------

EMAIL = SECRETS["referent_email"]


def rgpd_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), (Role.URPS, 403), (Role.ASSURANCE_MALADIE, 403)]
)
def test_only_the_ars_reaches_the_rgpd_pages(role, status):
    full_answer(UserFactory(roles=[Role.ARS]))
    client = rgpd_client(UserFactory(roles=[role])) if role else Client()
    for name in ("staff:personal_data", "staff:personal_data_file", "staff:personal_data_erasure"):
        assert client.post(reverse(name), {"email": EMAIL, "confirm": "on"}).status_code == status
    assert not AccessLog.objects.exists()
    assert Submission.objects.get().anonymised_at is None


def test_the_search_lists_what_is_held_without_logging_or_changing_anything(ars_agent):
    submission = full_answer(ars_agent)
    client = rgpd_client(ars_agent)
    assert client.get(reverse("staff:personal_data")).status_code == 200
    response = client.post(reverse("staff:personal_data"), {"email": EMAIL.upper()})
    page = response.content.decode()
    assert submission.reference in page
    assert reverse("staff:personal_data_file") in page
    assert not AccessLog.objects.exists()


def test_the_export_is_a_json_file_of_everything_held_about_the_address(ars_agent):
    submission = full_answer(ars_agent)
    coordinator = CoordinatorFactory(email=EMAIL, first_name="Corentin")
    CptsProjectFactory(name="CPTS du Cap Sizun", coordinators=[coordinator], by=ars_agent)
    queue_email([EMAIL], "ami/emails/assigned", {"submission": submission, "by": "X"})
    response = rgpd_client(ars_agent).post(
        reverse("staff:personal_data_file"), {"email": "  Corentin.LeDantec@exemple.bzh "}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.content)
    assert [r["name"] for r in document["referents"]] == [SECRETS["referent"]]
    (answer,) = document["submissions"]
    assert answer["reference"] == submission.reference
    assert answer["context"] == SECRETS["context"]
    assert [a["name"] for a in answer["actors"]] == [SECRETS["actor"]]
    texts = [message["text"] for message in answer["messages"]]
    assert texts == [SECRETS["message_in"], SECRETS["message_out"]]
    assert answer["exchanges"][0]["participants"] == SECRETS["participants"]
    assert len(document["emails"]) == OutgoingEmail.objects.filter(recipient=EMAIL).count() >= 4
    (account,) = document["accounts"]
    assert account["cpts_projects"] == ["CPTS du Cap Sizun"]
    assert "Coordinateur" in account["groups"]
    # The staff's internal notes are not part of it; a live private link neither.
    assert SECRETS["note"] not in response.content.decode()
    assert submission.access_token not in response.content.decode()


def test_the_export_is_logged_without_the_address(ars_agent):
    submission = full_answer(ars_agent)
    rgpd_client(ars_agent).post(reverse("staff:personal_data_file"), {"email": EMAIL})
    line = AccessLog.objects.get()
    assert line.action == "personal_data_export"
    assert (line.user, line.submission) == (ars_agent, submission)
    assert line.details["references"] == [submission.reference]
    assert EMAIL not in json.dumps(line.details)
    assert len(line.details["email_hash"]) == 32


def test_erasure_asks_for_confirmation_first(ars_agent):
    submission = full_answer(ars_agent)
    client = rgpd_client(ars_agent)
    url = reverse("staff:personal_data_erasure")
    first = client.post(url, {"email": EMAIL})
    assert first.status_code == 200
    assert "Confirmer l’effacement" in first.content.decode()
    unticked = client.post(url, {"email": EMAIL, "etape": "confirmation"})
    assert "Cochez la case pour confirmer l’effacement." in unticked.content.decode()
    assert unticked.content.decode().count("id_confirm-message-error") >= 1
    submission.refresh_from_db()
    assert submission.anonymised_at is None
    assert not AccessLog.objects.exists()


def test_erasure_anonymises_the_answers_and_emails_of_the_address_and_is_logged(ars_agent):
    submission = full_answer(ars_agent)
    other = {name: secret.upper() for name, secret in SECRETS.items()}
    other.update(referent_email="autre@exemple.bzh", referent_phone="02 99 00 00 00")
    kept = full_answer(ars_agent, other)
    stray = queue_email([EMAIL], "ami/emails/assigned", {"submission": kept, "by": "X"})[0]
    response = rgpd_client(ars_agent).post(
        reverse("staff:personal_data_erasure"),
        {"email": EMAIL, "etape": "confirmation", "confirm": "on"},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    kept.refresh_from_db()
    assert submission.anonymised_at is not None and kept.anonymised_at is None
    assert submission.events.get(kind=Kind.ANONYMISED).data == {"reason": "erasure"}
    stray.refresh_from_db()
    assert stray.recipient == privacy.ANONYMOUS_RECIPIENT and stray.body_text == privacy.REDACTED
    text = stored_text()
    assert [name for name, secret in SECRETS.items() if secret in text] == []
    assert [name for name, secret in other.items() if secret not in text] == []
    line = AccessLog.objects.get(action=AccessLog.Action.PERSONAL_DATA_ERASURE)
    assert line.submission == submission and line.user == ars_agent
    assert line.details["anonymised"] == [submission.reference]


@pytest.mark.parametrize("name", ["staff:personal_data_file", "staff:personal_data_erasure"])
def test_rgpd_actions_refuse_get_and_invalid_addresses(ars_agent, name):
    client = rgpd_client(ars_agent)
    assert client.get(reverse(name), {"email": EMAIL}).status_code == 405
    response = client.post(reverse(name), {"email": "pas-une-adresse"})
    assert response.status_code == 400
    assert "id_email-message-error" in response.content.decode()
    assert not AccessLog.objects.exists()
