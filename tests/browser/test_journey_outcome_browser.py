"""Issue #13, the outcome side of the journey, in chromium: an orientation that cancels the
planned exchange told to the référents (page, email, courrier de décision); a correction
asked and made, staff told; a message with a file each way, downloaded. axe-core checks
each new page state (no serious or critical violation)."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from ami.models import Attachment, Submission, SubmissionEvent
from ami.staff import services
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from tests.factories import ExchangeFactory, SubmissionFactory, UserFactory
from tests.projects.helpers import PDF_BYTES

pytestmark = pytest.mark.browser
Status = Submission.Status
AXE = Axe()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def sign_out(page) -> None:
    page.context.clear_cookies()


def check_axe(page) -> None:
    violations = AXE.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not blocking, (
        page.url,
        [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in blocking],
    )


def text_of(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def agent() -> object:
    return UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")


def test_orientation_cancelling_the_exchange_is_told_to_the_referent(page, live_server):
    ars = agent()
    submission = SubmissionFactory(assignee=ars, status=Status.EXCHANGE_PLANNED)
    ExchangeFactory(submission=submission, starts_at=timezone.now() + timedelta(days=5))
    services.send_message(submission, ars, "L’échange est fixé au jeudi, à la MSP.")
    sign_in(page, live_server, ars)

    page.goto(f"/tableau-de-bord/reponses/{submission.pk}/")
    page.locator("summary", has_text="Orienter").click()  # the form opens on demand
    orient = page.locator("form[action$='/orientation/']")
    orient.get_by_text("Accompagnement d’un projet de CPTS", exact=True).click()  # DSFR radio
    orient.get_by_label("Annuler l’échange", exact=False).check(force=True)  # kept by default
    orient.get_by_label("Message aux référents").fill("Un chargé de mission vous appellera.")
    orient.get_by_role("button", name="Enregistrer l’orientation").click()
    page.wait_for_load_state()
    assert page.get_by_text("L’orientation est enregistrée").is_visible()
    check_axe(page)  # the staff page with the outcome's files block

    sign_out(page)
    page.goto(submission.get_private_url())
    body = text_of(page)
    assert "Votre réponse est orientée vers un accompagnement de projet de CPTS :" in body
    assert "Un chargé de mission vous appellera." in body
    assert "est annulé." in body
    assert "Un temps d’échange avec l’ARS est prévu" not in body
    assert "La première étape est la lettre d’intention." in body
    check_axe(page)

    email = OutgoingEmail.objects.get(template="ami/emails/oriented")
    assert "Un chargé de mission vous appellera." in email.body_text
    assert "est annulé" in email.body_text
    assert email.attachments[0]["filename"].endswith(".ics")  # the cancellation

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le courrier de décision (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"{submission.reference}-courrier-de-decision.pdf"
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Votre réponse est orientée vers un accompagnement de projet de CPTS." in text
    assert "Un chargé de mission vous appellera." in text


def test_correction_requested_then_made_and_staff_told(page, live_server):
    ars = agent()
    submission = SubmissionFactory(assignee=ars, status=Status.IN_REVIEW)
    sign_in(page, live_server, ars)
    page.goto(f"/tableau-de-bord/reponses/{submission.pk}/")
    page.locator("summary", has_text="Demander une correction").click()  # opens on demand
    form = page.locator("form[action$='/correction/']")
    form.get_by_label("Ce que les référents doivent corriger ou compléter").fill(
        "Précisez les communes de votre territoire."
    )
    form.get_by_role("button", name="Envoyer la demande de correction").click()
    page.wait_for_load_state()
    assert page.get_by_text("La demande de correction est envoyée").is_visible()
    assert "Correction demandée" in page.get_by_role("heading", level=1).text_content()
    check_axe(page)
    assert OutgoingEmail.objects.filter(template="ami/emails/correction_requested").exists()

    sign_out(page)
    page.goto(submission.get_private_url())
    body = text_of(page)
    assert "L’ARS vous demande de corriger ou de compléter votre réponse." in body
    assert "Précisez les communes de votre territoire." in body
    check_axe(page)  # the follow-up page while a correction is asked

    page.get_by_role("link", name="Modifier ma réponse").click()
    page.wait_for_load_state()
    page.get_by_label("Territoire de projet envisagé", exact=False).first.fill(
        "Douarnenez Communauté et Pouldergat"
    )
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_load_state()
    assert page.get_by_text("Vos modifications ont été enregistrées.").is_visible()
    edited = OutgoingEmail.objects.get(template="ami/emails/referent_edited")
    assert edited.recipient == ars.email

    page.get_by_label("Message à l’ARS").fill("Territoire précisé.")
    page.get_by_role("button", name="Renvoyer ma réponse corrigée").click()
    page.wait_for_load_state()
    assert page.get_by_text("Votre réponse corrigée est transmise à l’ARS").is_visible()
    assert "Modifier ma réponse" not in text_of(page)
    check_axe(page)
    submission.refresh_from_db()
    assert submission.status == Status.IN_REVIEW
    resubmitted = OutgoingEmail.objects.get(template="ami/emails/answer_resubmitted")
    assert resubmitted.recipient == ars.email
    assert "Territoire précisé." in resubmitted.body_text
    assert submission.events.filter(kind=SubmissionEvent.Kind.RESUBMITTED).count() == 1


def test_message_with_a_file_each_way(page, live_server, tmp_path):
    ars = agent()
    submission = SubmissionFactory(assignee=ars, status=Status.IN_REVIEW)
    letter = tmp_path / "modele-lettre.pdf"
    letter.write_bytes(PDF_BYTES)
    sign_in(page, live_server, ars)
    page.goto(f"/tableau-de-bord/reponses/{submission.pk}/")
    form = page.locator("form[action$='/message/']")
    form.get_by_label("Message aux référents").fill("Voici le modèle de lettre d’intention.")
    form.locator("#id_message-file").set_input_files(str(letter))
    form.get_by_role("button", name="Envoyer le message").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le message et sa pièce jointe sont envoyés").is_visible()

    sign_out(page)
    page.goto(submission.get_private_url())
    check_axe(page)  # the thread with a file
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Pièce jointe : modele-lettre.pdf").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"{submission.reference}-piece-jointe-")
    assert Path(download.path()).read_bytes() == PDF_BYTES

    reply = tmp_path / "liste.pdf"
    reply.write_bytes(PDF_BYTES)
    page.get_by_label("Écrire à l’ARS").fill("La liste des professionnels, en pièce jointe.")
    page.locator("#id_reponse-file").set_input_files(str(reply))
    page.get_by_role("button", name="Envoyer le message").click()
    page.wait_for_load_state()
    assert page.get_by_text("Votre message a été transmis à l’ARS.").is_visible()
    mine = Attachment.objects.get(from_referent=True)

    # A refused file: the error next to the field, the text kept.
    fake = tmp_path / "virus.pdf"
    fake.write_bytes(b"MZ not a pdf at all")
    page.get_by_label("Écrire à l’ARS").fill("Un autre fichier.")
    page.locator("#id_reponse-file").set_input_files(str(fake))
    page.get_by_role("button", name="Envoyer le message").click()
    page.wait_for_load_state()
    assert page.locator("#erreurs").is_visible()
    assert page.get_by_label("Écrire à l’ARS").input_value() == "Un autre fichier."
    check_axe(page)  # the follow-up page with a refused file

    sign_in(page, live_server, ars)
    page.goto(f"/tableau-de-bord/reponses/{submission.pk}/")
    check_axe(page)
    with page.expect_download() as download_info:
        page.locator(f"a[href='{mine.staff_url}']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes() == PDF_BYTES
    email = OutgoingEmail.objects.get(template="ami/emails/message_from_referent")
    assert "> liste.pdf" in email.body_text
