"""Triage actions from the staff page: each goes through the workflow, writes its history
entry and tells the référents by email (French, through the outbox)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ami.models import Exchange, Submission, SubmissionEvent
from notifications.models import OutgoingEmail
from tests.factories import ReferentFactory, SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status
Kind = SubmissionEvent.Kind


def post(client, name: str, submission: Submission, data: dict, follow: bool = True):
    return client.post(reverse(name, args=[submission.pk]), data, follow=follow)


def in_status(submission: Submission, status: Status) -> Submission:
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()
    return submission


def page_text(response) -> str:
    return response.content.decode()


def next_week_at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=7)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def exchange_data(**overrides) -> dict[str, str]:
    day = next_week_at(14).date()
    data = {
        "echange-date": day.isoformat(),
        "echange-start": "14:00",
        "echange-end": "15:30",
        "echange-place": "CPAM du Finistère, 1 rue de Kerfeunteun, Quimper",
        "echange-participants": "ARS (DASPF), CPAM 29, URPS médecins",
        "echange-message": "Merci de venir avec la liste des professionnels intéressés.",
        "echange-comment": "Prévoir la salle 2",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def answer(owner):
    submission = SubmissionFactory(assignee=owner)
    submission.referents.update(name="Anne Le Goff", email="anne.legoff@example.org")
    ReferentFactory(submission=submission, name="Yann Kerbrat", email="yann@example.org")
    ReferentFactory(submission=submission, name="Sans adresse", email="")
    return submission


# --- Status changes ---------------------------------------------------------------------


def test_taking_into_analysis_tells_the_referents_in_french(
    as_user, owner, answer, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            as_user(owner), "staff:change_status", answer,
            {"statut-to": "in_review", "statut-comment": "Dossier complet, à voir en réunion"},
        )  # fmt: skip
    assert "Le statut est modifié." in page_text(response)
    answer.refresh_from_db()
    assert answer.status == Status.IN_REVIEW
    event = answer.events.get(kind=Kind.STATUS_CHANGED)
    # One comment form on the page (the note): a status change carries no comment of its own.
    assert (event.author, event.comment) == (owner, "")
    rows = OutgoingEmail.objects.filter(template="ami/emails/in_review")
    assert sorted(rows.values_list("recipient", flat=True)) == [
        "anne.legoff@example.org",
        "yann@example.org",
    ]
    message = next(m for m in mail.outbox if m.to == ["anne.legoff@example.org"])
    assert message.subject == (
        f"Votre réponse {answer.reference} à l’AMI CPTS est en cours d’analyse"
    )
    assert "ne peut plus être modifiée en ligne" in message.body
    assert settings.SITE_URL + answer.get_private_url() in message.body
    assert "Dossier complet" not in message.body  # the comment is internal


def test_transition_absent_from_the_table_is_refused_with_a_message(as_user, owner, answer):
    response = post(
        as_user(owner), "staff:orient", answer, {"orientation-orientation": "information"}
    )
    assert "« Reçue » ne peut pas passer au statut « Orientée »" in page_text(response)
    answer.refresh_from_db()
    assert answer.status == Status.RECEIVED
    assert not answer.events.exclude(kind=Kind.SUBMITTED).exists()
    assert not OutgoingEmail.objects.exists()


def test_closing_through_the_plain_status_form_is_refused(as_user, owner, answer):
    response = post(as_user(owner), "staff:change_status", answer, {"statut-to": "closed"})
    assert "se fait avec son propre formulaire" in page_text(response)
    answer.refresh_from_db()
    assert answer.status == Status.RECEIVED


def test_action_from_a_page_left_open_is_refused_once_a_colleague_moved_on(
    as_user, owner, colleague, answer
):
    in_status(answer, Status.IN_REVIEW)
    post(as_user(colleague), "staff:orient", answer, {"orientation-orientation": "information"})
    response = post(as_user(owner), "staff:plan_exchange", answer, exchange_data())
    assert "« Orientée » ne peut pas passer au statut « Échange planifié »" in page_text(response)
    answer.refresh_from_db()
    assert answer.status == Status.ORIENTED
    assert not Exchange.objects.exists()
    assert not OutgoingEmail.objects.filter(template="ami/emails/exchange_planned").exists()


def test_reopening_a_closed_answer_clears_its_closure_reason(as_user, owner, answer):
    client = as_user(owner)
    post(client, "staff:close", answer, {"cloture-reason": "withdrawn"})
    post(client, "staff:change_status", answer, {"statut-to": "in_review"})
    answer.refresh_from_db()
    assert (answer.status, answer.closure_reason) == (Status.IN_REVIEW, "")


# --- Assignment -----------------------------------------------------------------------------


def test_assign_to_me_then_to_a_colleague_who_is_told(as_user, owner, colleague):
    answer = SubmissionFactory()
    client = as_user(owner)
    post(client, "staff:assign", answer, {"attribution-assignee": owner.pk})
    answer.refresh_from_db()
    assert answer.assignee == owner
    assert not OutgoingEmail.objects.filter(template="ami/emails/assigned").exists()
    post(client, "staff:assign", answer, {"attribution-assignee": colleague.pk})
    answer.refresh_from_db()
    assert answer.assignee == colleague
    events = list(answer.events.filter(kind=Kind.ASSIGNED).values_list("data", flat=True))
    assert [e["assignee"] for e in events] == ["Anne Kervella", "Yves Le Bihan"]
    email = OutgoingEmail.objects.get(template="ami/emails/assigned")
    assert email.recipient == colleague.email
    assert email.subject == f"La réponse {answer.reference} vous est attribuée"
    assert "Anne Kervella vous a attribué" in email.body_text


def test_answer_cannot_be_assigned_to_someone_outside_the_staff_groups(as_user, owner, outsider):
    answer = SubmissionFactory()
    response = post(as_user(owner), "staff:assign", answer, {"attribution-assignee": outsider.pk})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in page_text(response)
    answer.refresh_from_db()
    assert answer.assignee is None


def test_unassigning_is_recorded(as_user, owner, answer):
    post(as_user(owner), "staff:assign", answer, {"attribution-assignee": ""})
    answer.refresh_from_db()
    assert answer.assignee is None
    assert answer.events.get(kind=Kind.ASSIGNED).data["assignee"] == ""


# --- Exchange --------------------------------------------------------------------------------


def test_planning_the_exchange_invites_the_referents_with_an_ics_file(
    as_user, owner, answer, django_capture_on_commit_callbacks
):
    in_status(answer, Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(as_user(owner), "staff:plan_exchange", answer, exchange_data())
    assert "L’échange est planifié" in page_text(response)
    answer.refresh_from_db()
    assert answer.status == Status.EXCHANGE_PLANNED
    exchange = Exchange.objects.get(submission=answer)
    assert exchange.starts_at == next_week_at(14)
    assert exchange.ends_at - exchange.starts_at == timedelta(minutes=90)
    event = answer.events.get(kind=Kind.EXCHANGE_PLANNED)
    assert event.data["place"].startswith("CPAM du Finistère")
    assert event.comment == ""  # internal comments go through the page's one note form

    rows = OutgoingEmail.objects.filter(template="ami/emails/exchange_planned")
    assert sorted(rows.values_list("recipient", flat=True)) == [
        "anne.legoff@example.org",
        "yann@example.org",
    ]
    row = rows.first()
    day = next_week_at(14)
    assert row.subject.startswith(f"Invitation : échange sur votre réponse {answer.reference} le")
    assert row.subject.endswith("à 14:00")
    assert "de 14:00 à 15:30" in row.body_text
    assert "Merci de venir avec la liste" in row.body_text
    assert "Prévoir la salle 2" not in row.body_text
    [attachment] = row.attachments
    assert attachment["filename"] == f"echange-{answer.reference}.ics"
    assert attachment["mimetype"] == "text/calendar"

    message = next(m for m in mail.outbox if m.to == ["yann@example.org"])
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (f"echange-{answer.reference}.ics", "text/calendar")
    assert f"DTSTART:{day.astimezone(UTC):%Y%m%dT%H%M%SZ}" in content
    assert 'ATTENDEE;CN="Yann Kerbrat"' in content
    assert "Sans adresse" not in content


def test_moving_the_exchange_updates_the_same_calendar_event(as_user, owner, answer):
    in_status(answer, Status.IN_REVIEW)
    client = as_user(owner)
    post(client, "staff:plan_exchange", answer, exchange_data())
    first = Exchange.objects.get()
    post(
        client,
        "staff:plan_exchange",
        answer,
        exchange_data(**{"echange-start": "16:00", "echange-end": "17:00"}),
    )
    moved = Exchange.objects.get()
    assert (moved.pk, moved.ical_uid, moved.sequence) == (first.pk, first.ical_uid, 1)
    assert moved.starts_at == next_week_at(16)
    latest = OutgoingEmail.objects.filter(template="ami/emails/exchange_planned").first()
    content = latest.attachments[0]["content"]
    assert f"UID:{first.ical_uid}" in content and "SEQUENCE:1" in content


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"echange-end": "13:00"}, "L’heure de fin doit suivre l’heure de début."),
        ({"echange-place": ""}, "Indiquez un lieu ou un lien de visioconférence."),
        ({"echange-date": "2020-01-06"}, "Choisissez une date à venir."),
        ({"echange-place": "", "echange-video_url": "pas une adresse"}, "Saisissez une URL valide"),
    ],
)
def test_exchange_form_errors_are_shown_and_nothing_is_sent(
    as_user, owner, answer, overrides, error
):
    in_status(answer, Status.IN_REVIEW)
    response = post(as_user(owner), "staff:plan_exchange", answer, exchange_data(**overrides))
    assert response.status_code == 200
    assert error in page_text(response)
    assert not Exchange.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_video_link_alone_is_enough(as_user, owner, answer):
    in_status(answer, Status.IN_REVIEW)
    post(
        as_user(owner),
        "staff:plan_exchange",
        answer,
        exchange_data(
            **{"echange-place": "", "echange-video_url": "https://webconf.numerique.gouv.fr/cpts"}
        ),
    )
    exchange = Exchange.objects.get()
    assert exchange.place == ""
    content = OutgoingEmail.objects.first().attachments[0]["content"]
    assert "LOCATION:https://webconf.numerique.gouv.fr/cpts" in content


# --- Orientation -----------------------------------------------------------------------------


def test_information_orientation_tells_the_referents(as_user, owner, answer):
    in_status(answer, Status.IN_REVIEW)
    post(
        as_user(owner),
        "staff:orient",
        answer,
        {"orientation-orientation": "information", "orientation-message": "Voici le guide."},
    )
    answer.refresh_from_db()
    assert (answer.status, answer.orientation) == (Status.ORIENTED, "information")
    email = OutgoingEmail.objects.filter(template="ami/emails/oriented").first()
    assert email.subject == f"Suite donnée à votre réponse {answer.reference} à l’AMI CPTS"
    assert "Votre réponse est orientée vers une information sur les CPTS." in email.body_text
    assert "vous transmettront les informations sur les CPTS" in email.body_text
    assert "Voici le guide." in email.body_text


def test_connection_links_both_answers_and_never_reveals_the_other_team(as_user, owner, answer):
    in_status(answer, Status.IN_REVIEW)
    other = SubmissionFactory()
    other.referents.update(name="Gwenaëlle Secret", email="secret@example.org")
    third = SubmissionFactory()
    response = post(as_user(owner), "staff:orient", answer, {
        "orientation-orientation": "connection",
        "orientation-other_references": f"{other.reference}, {third.pk}",
    })  # fmt: skip
    assert "L’orientation est enregistrée" in page_text(response)
    assert set(answer.linked_submissions.all()) == {other, third}
    assert answer in other.linked_submissions.all()  # both ways
    event = answer.events.get(kind=Kind.ORIENTED)
    assert event.data["linked"] == [other.reference, third.reference]
    email = OutgoingEmail.objects.filter(template="ami/emails/oriented").first()
    assert "mise en relation avec 2 autres équipes" in email.body_text
    assert "Gwenaëlle" not in email.body_text and other.reference not in email.body_text


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"orientation-orientation": "connection"}, "Choisissez au moins une réponse"),
        ({"orientation-orientation": "connection", "orientation-other_references": "AMI-99999"},
         "Réponse introuvable : AMI-99999."),
        ({"orientation-orientation": "connection", "orientation-other_references": "Quimper"},
         "n’est pas une référence de réponse"),
        ({"orientation-orientation": ""}, "Ce champ est obligatoire."),
    ],
)  # fmt: skip
def test_orientation_form_errors(as_user, owner, answer, data, error):
    in_status(answer, Status.IN_REVIEW)
    response = post(as_user(owner), "staff:orient", answer, data)
    assert response.status_code == 200
    assert error in page_text(response)
    answer.refresh_from_db()
    assert answer.status == Status.IN_REVIEW


def test_support_orientation_creates_the_cpts_project(as_user, owner, answer):
    from projects.models import CptsProject

    in_status(answer, Status.IN_REVIEW)
    response = post(as_user(owner), "staff:orient", answer, {"orientation-orientation": "support"})
    project = CptsProject.objects.get(submissions=answer)
    # Proposed from the territory's EPCI or main commune, never the free text (issue 14).
    from projects.selectors import suggested_name

    assert (project.name, project.name_suggested) == (suggested_name(answer), True)
    event = answer.events.get(kind=Kind.ORIENTED)
    assert (event.data["project_id"], event.data["project"]) == (project.pk, project.name)
    assert project.get_absolute_url() in page_text(response)
    email = OutgoingEmail.objects.filter(template="ami/emails/oriented").first()
    assert "La première étape est la lettre d’intention." in email.body_text


# --- Closure --------------------------------------------------------------------------------


def test_closing_needs_a_reason_which_the_referents_receive(as_user, owner, answer):
    client = as_user(owner)
    response = post(client, "staff:close", answer, {"cloture-reason": ""})
    assert "Ce champ est obligatoire." in page_text(response)
    post(client, "staff:close", answer, {
        "cloture-reason": "information_given",
        "cloture-message": "Bonne continuation.",
        "cloture-comment": "Appel du 12 : ils ne souhaitent pas aller plus loin",
    })  # fmt: skip
    answer.refresh_from_db()
    assert (answer.status, answer.closure_reason) == (Status.CLOSED, "information_given")
    event = answer.events.get(kind=Kind.CLOSED)
    assert event.data == {"reason": "information_given", "message": "Bonne continuation."}
    email = OutgoingEmail.objects.filter(template="ami/emails/closed").first()
    assert email.subject == f"Clôture de votre réponse {answer.reference} à l’AMI CPTS"
    assert "Motif : Information transmise, pas d’autre demande." in email.body_text
    assert "Bonne continuation." in email.body_text
    assert "Appel du 12" not in email.body_text
    pdf_url = reverse("ami:referent_pdf", args=[answer.access_token])
    assert pdf_url in email.body_text and pdf_url in email.body_html


# --- Notes, opinions, messages ----------------------------------------------------------------


def test_notes_and_opinions_stay_with_staff(as_user, owner, urps_member, am_agent, answer):
    post(as_user(am_agent), "staff:note", answer, {"note-text": "Note confidentielle AM"})
    post(as_user(urps_member), "staff:opinion", answer, {
        "avis-opinion": "reserved", "avis-text": "Avis confidentiel URPS"})  # fmt: skip
    staff_page = page_text(as_user(owner).get(reverse("staff:submission", args=[answer.pk])))
    assert "Note confidentielle AM" in staff_page
    assert "Avis : Réservé" in staff_page and "Avis confidentiel URPS" in staff_page
    referent_page = page_text(as_user(None).get(answer.get_private_url()))
    for private in ("Note confidentielle", "Avis confidentiel", "Réservé", "Note interne"):
        assert private not in referent_page
    assert not OutgoingEmail.objects.exists()


def test_staff_message_reaches_the_referents_by_email_and_on_their_page(
    as_user, owner, answer, settings
):
    post(as_user(owner), "staff:message", answer, {"message-text": "Pouvez-vous préciser ?"})
    event = answer.events.get(kind=Kind.MESSAGE)
    assert (event.author, event.data) == (owner, {"from": "staff"})
    email = OutgoingEmail.objects.get(
        template="ami/emails/message_to_referents", recipient="yann@example.org"
    )
    assert email.subject == f"Nouveau message de l’ARS sur votre réponse {answer.reference}"
    assert "Pouvez-vous préciser ?" in email.body_text
    assert f"{settings.SITE_URL}{answer.get_private_url()}#messages" in email.body_text
    assert "Pouvez-vous préciser ?" in page_text(as_user(None).get(answer.get_private_url()))


def test_rolled_back_transition_leaves_no_email(owner, answer, monkeypatch):
    from ami import workflow

    in_status(answer, Status.IN_REVIEW)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workflow.SubmissionEvent.objects, "create", broken)
    with pytest.raises(RuntimeError):
        from ami.staff import services

        services.close(answer, owner, reason="duplicate")
    answer.refresh_from_db()
    assert (answer.status, answer.closure_reason) == (Status.IN_REVIEW, "")
    assert not OutgoingEmail.objects.exists()


def test_superuser_may_act_without_group(as_user, answer):
    admin = UserFactory(is_superuser=True)
    post(as_user(admin), "staff:change_status", answer, {"statut-to": "in_review"})
    answer.refresh_from_db()
    assert answer.status == Status.IN_REVIEW
