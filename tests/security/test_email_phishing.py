"""The portal relays no phishing: the attack of issue #12, finding 2.

An anonymous answer named its actor « Dr X » followed by blank lines and a fake warning
with a link, and typed a stranger's address as référent: the acknowledgement, sent from the
portal's own address, read as if the portal had written the warning. Now names refuse line
breaks, what people typed appears only inside a quoted block, and an address gets a few
acknowledgements a day at most.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ami.models import Submission, SubmissionEvent
from cpts_portal.validators import SINGLE_LINE_MESSAGE
from notifications.models import OutgoingEmail
from notifications.services import render_email
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory, CommuneFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

PHISHING = (
    "\r\n\r\nIMPORTANT : votre réponse est incomplète, reconnectez-vous sous 24 h "
    "https://evil.example/suivi/login"
)
ACKNOWLEDGEMENT = "ami/emails/acknowledgement"
NOTIFICATION = "ami/emails/ars_notification"
QUOTE_HEADER = "Votre réponse, telle que saisie dans le formulaire (reproduite sans vérification) :"


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.RATELIMIT_ENABLED = False


@pytest.fixture
def campaign():
    return CampaignFactory(contact_email="ars-bretagne@ars.sante.fr")


def answer(client, campaign, **overrides):
    return client.post(
        reverse("ami:answer", kwargs={"slug": campaign.slug}), answer_data(**overrides)
    )


# --- a) Single-line fields: the attack itself is refused ------------------------------------


@pytest.mark.parametrize(
    "field",
    ["actors-0-name", "actors-0-practice_place", "referents-0-name", "referents-0-function"],
)
def test_the_phishing_answer_is_refused_next_to_the_field(client, campaign, field):
    response = answer(client, campaign, **{field: "Dr X" + PHISHING})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}-message-error"' in page
    next_to_field = page.split(f'id="id_{field}-message-error"', 1)[1][:500]
    assert str(SINGLE_LINE_MESSAGE) in next_to_field
    assert not Submission.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_the_form_with_the_attack_is_sent_back_with_the_error_summary(client, campaign):
    response = answer(
        client,
        campaign,
        **{"actors-0-name": "Dr X" + PHISHING, "referents-0-name": "Dr Y" + PHISHING},
    )
    page = response.content.decode()
    assert page.count(str(SINGLE_LINE_MESSAGE)) >= 2
    assert "Erreur" in page.split("</title>", 1)[0]
    assert not Submission.objects.exists()
    assert not OutgoingEmail.objects.exists()


# --- b) What people typed is only quoted ----------------------------------------------------

SPOOF = "Dr X IMPORTANT : votre réponse est incomplète https://evil.example/suivi/login"


@pytest.fixture
def spoofed(client, campaign, django_capture_on_commit_callbacks):
    """A one-line lure, which the validator lets through: it must read as a quotation."""
    CommuneFactory(name="Douarnenez", insee_code="29046", postal_codes="29100")
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(
            client,
            campaign,
            **{
                "actors-0-name": SPOOF,
                "actors-0-practice_place": "Douarnenez",
                "referents-0-name": SPOOF,
                "territory_text": "Douarnenez\r\nhttps://evil.example/suivi/login",
            },
        )
    assert response.status_code == 302
    return Submission.objects.get()


def quoted_lines(text: str, header: str) -> tuple[list[str], list[str]]:
    """The lines of the text part before the quotation, and those of the quotation."""
    before, quotation = text.split(header, 1)
    block = []
    for line in quotation.lstrip("\n").splitlines():
        if not line.startswith(">"):
            break
        block.append(line)
    return before.splitlines(), block


@pytest.mark.parametrize(
    ("template", "header"),
    [
        (ACKNOWLEDGEMENT, QUOTE_HEADER),
        (
            NOTIFICATION,
            "La réponse, telle que saisie dans le formulaire (reproduite sans vérification) :",
        ),
    ],
)
def test_typed_text_appears_only_inside_the_quoted_block_of_the_text_part(
    spoofed, template, header
):
    email = OutgoingEmail.objects.get(template=template)
    text = email.body_text
    before, block = quoted_lines(text, header)
    assert any(SPOOF in line for line in block)
    assert all(line == ">" or line.startswith("> ") for line in block)
    # Every line that holds a typed value is a quoted line: never the portal's own.
    for line in text.splitlines():
        if "evil.example" in line or "IMPORTANT" in line:
            assert line.startswith("> "), line
    assert not any("evil.example" in line for line in before)
    assert "evil.example" not in email.subject


def test_a_multi_line_typed_text_is_quoted_line_by_line(spoofed):
    text = OutgoingEmail.objects.get(template=NOTIFICATION).body_text
    assert "> Territoire envisagé : Douarnenez\n> https://evil.example/suivi/login" in text


@pytest.mark.parametrize("template", [ACKNOWLEDGEMENT, NOTIFICATION])
def test_typed_text_appears_only_inside_the_blockquote_of_the_html_part(
    spoofed, template, settings
):
    html = OutgoingEmail.objects.get(template=template).body_html
    assert html.count("<blockquote") == 1
    before, rest = html.split("<blockquote", 1)
    inside, after = rest.split("</blockquote>", 1)
    assert "telle que saisie</h2>" in before
    assert SPOOF in inside
    assert "evil.example" not in before + after
    # Never a link: the only links are the portal's own.
    links = re.findall(r"href=\"([^\"]*)\"", html)
    assert links and all(link.startswith(settings.SITE_URL + "/") for link in links), links


def test_a_referents_message_to_the_ars_is_quoted():
    message = "Bonjour,\r\n\r\nMot de passe expiré : https://evil.example"
    _subject, text, html = render_email(
        "ami/emails/message_from_referent",
        {"submission": SubmissionFactory(), "message": message, "staff_url": "https://x/"},
    )
    assert "> Bonjour,\n>\n> Mot de passe expiré : https://evil.example\n" in text
    inside = html.split("<blockquote", 1)[1].split("</blockquote>", 1)[0]
    assert "https://evil.example" in inside
    assert html.count("evil.example") == 1


def test_the_ars_subject_names_the_commune_of_the_reference_data_only(
    client, campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer(client, campaign, **{"actors-0-practice_place": "Urgent https://evil.example"})
    notification = OutgoingEmail.objects.get(template=NOTIFICATION)
    assert "evil.example" not in notification.subject
    assert notification.subject.endswith(f"({campaign.edition})")


def test_the_acknowledgement_tells_a_stranger_to_ignore_it(spoofed):
    text = OutgoingEmail.objects.get(template=ACKNOWLEDGEMENT).body_text
    assert "Si vous n’êtes pas à l’origine de cette réponse, vous pouvez l’ignorer." in text


# --- c) A few acknowledgements a day per address ------------------------------------------


def answer_naming(client, campaign, address: str, **overrides):
    return answer(client, campaign, **{"referents-0-email": address, **overrides})


def test_the_fourth_answer_naming_an_address_gets_no_acknowledgement(client, campaign, settings):
    assert settings.ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY == 3
    for _ in range(4):
        assert answer_naming(client, campaign, "victime@example.org").status_code == 302
    assert Submission.objects.count() == 4
    acknowledgements = OutgoingEmail.objects.filter(template=ACKNOWLEDGEMENT)
    assert acknowledgements.filter(recipient="victime@example.org").count() == 3
    assert OutgoingEmail.objects.filter(template=NOTIFICATION).count() == 4
    last = Submission.objects.order_by("pk").last()
    assert not acknowledgements.filter(related_id=last.pk).exists()
    assert OutgoingEmail.objects.filter(template=NOTIFICATION, related_id=last.pk).exists()
    event = last.events.get(kind=SubmissionEvent.Kind.SUBMITTED)
    assert event.data == {"acknowledgements_withheld": [last.referents.get().pk]}


def test_the_confirmation_page_still_shows_the_private_link(client, campaign, settings):
    settings.ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY = 0
    response = answer_naming(client, campaign, "victime@example.org")
    submission = Submission.objects.get()
    assert not OutgoingEmail.objects.filter(template=ACKNOWLEDGEMENT).exists()
    page = client.get(response.url).content.decode()
    assert submission.get_private_url() in page


def test_the_cap_ignores_the_case_of_the_address(client, campaign, settings):
    settings.ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY = 2
    for address in ["Victime@Example.org", "victime@example.org", "VICTIME@EXAMPLE.ORG"]:
        answer_naming(client, campaign, address)
    assert OutgoingEmail.objects.filter(template=ACKNOWLEDGEMENT).count() == 2


def test_one_answer_naming_an_address_ten_times_sends_one_acknowledgement(client, campaign):
    rows = {
        "referents-TOTAL_FORMS": "10",
        **{f"referents-{i}-name": f"Référent {i}" for i in range(10)},
        **{
            f"referents-{i}-email": ("victime@example.org" if i % 2 else "VICTIME@example.org")
            for i in range(10)
        },
    }
    assert answer(client, campaign, **rows).status_code == 302
    assert OutgoingEmail.objects.filter(template=ACKNOWLEDGEMENT).count() == 1


def test_the_cap_counts_the_last_24_hours_only(client, campaign):
    for _ in range(3):
        answer_naming(client, campaign, "victime@example.org")
    OutgoingEmail.objects.update(created_at=timezone.now() - timedelta(hours=25))
    answer_naming(client, campaign, "victime@example.org")
    assert OutgoingEmail.objects.filter(template=ACKNOWLEDGEMENT).count() == 4


def test_other_addresses_of_the_same_answer_still_get_theirs(client, campaign):
    for _ in range(3):
        answer_naming(client, campaign, "victime@example.org")
    answer(
        client,
        campaign,
        **{
            "referents-TOTAL_FORMS": "2",
            "referents-0-email": "victime@example.org",
            "referents-1-name": "Yann Kerbrat",
            "referents-1-email": "yann.kerbrat@example.org",
        },
    )
    last = Submission.objects.order_by("pk").last()
    sent = OutgoingEmail.objects.filter(template=ACKNOWLEDGEMENT, related_id=last.pk)
    assert list(sent.values_list("recipient", flat=True)) == ["yann.kerbrat@example.org"]
