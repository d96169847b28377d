"""The public AMI form: validation, storage, double submit, closed campaigns."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami.models import Actor, Referent, Submission, SubmissionEvent
from notifications.models import OutgoingEmail
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return CampaignFactory(slug="bretagne-2022-04")


def answer_url(campaign) -> str:
    return reverse("ami:answer", kwargs={"slug": campaign.slug})


class ErrorLinks(HTMLParser):
    """Collects, for each input, its aria-describedby and whether it is marked invalid."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.ids: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"input", "select", "textarea", "fieldset"} and attributes.get("id"):
            self.inputs[attributes["id"]] = attributes
        if attributes.get("id"):
            self.ids[attributes["id"]] = tag


def post_answer(client, campaign, **overrides):
    return client.post(answer_url(campaign), answer_data(**overrides))


def test_home_lists_open_campaigns_only(client):
    CampaignFactory(edition="Avril 2022")
    CampaignFactory(
        edition="Septembre 2021",
        opens_on=timezone.localdate() - timedelta(days=400),
        closes_on=timezone.localdate() - timedelta(days=200),
    )
    response = client.get(reverse("ami:home"))
    assert "Avril 2022" in response.content.decode()
    assert "Septembre 2021" not in response.content.decode()


def test_form_shows_every_section_of_the_fiche(client, campaign):
    page = client.get(answer_url(campaign)).content.decode()
    for label in [
        "Professionnels / Structures",
        "Référents",
        "Besoin d’informations sur ce qu’est une CPTS",
        "Réflexion en cours autour d’un projet de CPTS",
        "Initiative engagée pour monter un projet de CPTS",
        "Contexte",
        "Territoire de projet",
        "Calendrier",
    ]:
        assert label in page
    assert 'name="actors-TOTAL_FORMS"' in page
    assert 'name="consent"' in page


def test_valid_answer_is_stored_with_actors_referents_and_history(client, campaign):
    data = answer_data() | {"objectives": ["information", "initiative"]}
    response = client.post(answer_url(campaign), data)
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "ami:confirmation", kwargs={"slug": campaign.slug, "pk": submission.pk}
    )
    assert submission.wants_information and submission.has_initiative
    assert not submission.has_reflection
    assert submission.status == Submission.Status.RECEIVED
    assert submission.consent_at is not None
    assert Actor.objects.get().practice_place == "Douarnenez"
    referent = Referent.objects.get()
    assert referent.phone.as_e164 == "+33298921234"
    assert list(submission.events.values_list("kind", flat=True)) == [
        SubmissionEvent.Kind.SUBMITTED
    ]


def test_confirmation_shows_summary_and_private_link(client, campaign):
    response = post_answer(client, campaign)
    page = client.get(response["Location"]).content.decode()
    submission = Submission.objects.get()
    assert submission.reference in page
    assert submission.get_private_url() in page
    assert "Dr Anne Le Goff" in page


def test_confirmation_is_not_shown_to_another_browser(client, campaign):
    response = post_answer(client, campaign)
    client.cookies.clear()
    again = client.get(response["Location"])
    assert again.status_code == 302
    assert again["Location"] == answer_url(campaign)


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        (
            {"referents-0-phone": "12345"},
            "id_referents-0-phone",
            "numéro de téléphone français valide",
        ),
        (
            {"referents-0-phone": "+1 202 555 0143"},
            "id_referents-0-phone",
            "numéro de téléphone français valide",
        ),
        (
            {"referents-0-email": "anne.legoff@"},
            "id_referents-0-email",
            "adresse électronique valide",
        ),
        ({"objectives": None}, "id_objectives_0", "Cochez au moins un objectif"),
        ({"context": ""}, "id_context", "Décrivez le contexte"),
        ({"context": "x" * 5001}, "id_context", "5000 caractères"),
        ({"consent": None}, "id_consent", "Votre accord est nécessaire"),
        (
            {"actors-0-profession": "autre"},
            "id_actors-0-profession_other",
            "Précisez la profession",
        ),
        (
            {"actors-0-profession": "sorcier"},
            "id_actors-0-profession",
            "Sélectionnez un choix valide",
        ),
        ({"actors-0-practice_place": ""}, "id_actors-0-practice_place", "commune d’exercice"),
        (
            {"meeting_wish": "", "meeting_wished_by": ""},
            "id_meeting_wished_by",
            "Indiquez une date ou une période",
        ),
        ({"meeting_wished_by": "2001-01-01"}, "id_meeting_wished_by", "date à venir"),
        ({"meeting_wished_by": "31/02/2027"}, "id_meeting_wished_by", "date valide"),
        (
            {"referents-0-email": "", "referents-0-phone": ""},
            "id_referents-0-email",
            "au moins une adresse électronique ou un téléphone",
        ),
    ],
)
def test_invalid_field_shows_french_error_next_to_it_and_keeps_input(
    client, campaign, overrides, field_id, message
):
    response = post_answer(client, campaign, **overrides)
    page = response.content.decode().replace("’", "'").replace("&#x27;", "'")
    message = message.replace("’", "'")
    assert response.status_code == 200
    assert Submission.objects.count() == 0
    parser = ErrorLinks()
    parser.feed(page)
    field = parser.inputs[field_id]
    assert field.get("aria-invalid") == "true"
    # The message sits in an element the field (or its group's fieldset) points to.
    described = (field.get("aria-describedby") or "").split()
    group = parser.inputs.get("div_" + field_id.rsplit("_", 1)[0], {})
    described += (group.get("aria-labelledby") or "").split()
    assert any(
        target in parser.ids and message in page.split(f'id="{target}"', 1)[1][:600]
        for target in described
    ), described
    # What was typed is kept.
    assert 'value="Dr Anne Le Goff"' in page or overrides.get("actors-0-name") is not None
    assert "Nous réfléchissons à une CPTS" in page or "context" in overrides


def test_referent_phone_only_is_refused_when_nobody_has_an_email(client, campaign):
    response = post_answer(client, campaign, **{"referents-0-email": ""})
    assert Submission.objects.count() == 0
    assert "Au moins un référent doit avoir une adresse électronique" in response.content.decode()


def test_answer_without_referent_is_refused(client, campaign):
    data = answer_data()
    data["referents-TOTAL_FORMS"] = "0"
    for key in [key for key in data if key.startswith("referents-0-")]:
        del data[key]
    response = client.post(answer_url(campaign), data)
    assert Submission.objects.count() == 0
    assert "Indiquez au moins un référent" in response.content.decode()


def test_second_referent_and_actor_are_stored(client, campaign):
    data = answer_data(
        **{
            "actors-TOTAL_FORMS": "2",
            "actors-1-name": "Yann Kerbrat",
            "actors-1-profession": "masseur_kinesitherapeute",
            "actors-1-practice_place": "Pouldergat",
            "actors-1-practice_setting": "cabinet_groupe",
            "referents-TOTAL_FORMS": "2",
            "referents-1-name": "Yann Kerbrat",
            "referents-1-phone": "06 12 34 56 78",
        }
    )
    client.post(answer_url(campaign), data)
    submission = Submission.objects.get()
    assert submission.actors.count() == 2
    assert sorted(submission.referents.values_list("name", flat=True)) == [
        "Anne Le Goff",
        "Yann Kerbrat",
    ]


def test_add_row_button_adds_a_blank_row_without_javascript_and_keeps_input(client, campaign):
    response = post_answer(client, campaign, add_row="actors", context="Mon contexte")
    page = response.content.decode()
    assert Submission.objects.count() == 0
    assert 'name="actors-TOTAL_FORMS" value="2"' in page
    assert 'name="actors-1-name"' in page
    assert "Mon contexte" in page
    # No error is shown for a row the person has not filled yet.
    assert "fr-error-text" not in page


def test_html_in_context_is_escaped_on_every_page(client, campaign):
    script = '<script>alert("x")</script>'
    response = post_answer(client, campaign, context=f"Contexte {script}")
    submission = Submission.objects.get()
    assert submission.context == f"Contexte {script}"
    for url in [response["Location"], submission.get_private_url()]:
        page = client.get(url).content.decode()
        assert script not in page
        assert "&lt;script&gt;" in page


def test_double_submit_creates_one_submission(client, campaign):
    data = answer_data()
    first = client.post(answer_url(campaign), data)
    second = client.post(answer_url(campaign), data)
    assert Submission.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert OutgoingEmail.objects.count() == 2


def test_resent_form_from_another_browser_is_acknowledged_without_revealing_it(client, campaign):
    data = answer_data()
    client.post(answer_url(campaign), data)
    client.cookies.clear()
    response = client.post(answer_url(campaign), data)
    assert Submission.objects.count() == 1
    assert response.status_code == 200
    assert "déjà été reçue" in response.content.decode()
    assert Submission.objects.get().access_token not in response.content.decode()


def test_honeypot_filled_stores_nothing(client, campaign):
    response = post_answer(client, campaign, website="https://spam.example")
    assert response.status_code == 400
    assert Submission.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


@pytest.mark.parametrize(
    ("opens_in", "closes_in", "message"),
    [(-30, -1, "Cet appel est clos"), (5, 60, "Cet appel n’est pas encore ouvert")],
)
def test_unavailable_campaign_shows_explanation_and_no_form(client, opens_in, closes_in, message):
    today = timezone.localdate()
    campaign = CampaignFactory(
        opens_on=today + timedelta(days=opens_in), closes_on=today + timedelta(days=closes_in)
    )
    get = client.get(answer_url(campaign))
    post = client.post(answer_url(campaign), answer_data())
    assert message in get.content.decode()
    assert "<form" not in get.content.decode().split('id="contenu"')[1]
    assert Submission.objects.count() == 0
    assert post.status_code == 200


def test_campaign_is_open_on_its_closing_day():
    today = timezone.localdate()
    campaign = CampaignFactory.build(opens_on=today, closes_on=today)
    assert campaign.is_open(today)
    assert not campaign.is_open(today + timedelta(days=1))
    assert not campaign.is_open(today - timedelta(days=1))


def test_unknown_campaign_is_404(client):
    assert client.get("/ami/inexistante/").status_code == 404


FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def test_blank_form_is_rendered_once_and_each_visitor_keeps_own_tokens(client, campaign):
    first = client.get(answer_url(campaign))
    second = Client().get(answer_url(campaign))

    field_templates = [t for t in first.templates if (t.name or "").startswith("crispy_dsfr/")]
    assert field_templates, "the first visit renders the fields"
    assert not [t for t in second.templates if (t.name or "").startswith("crispy_dsfr/")]
    tokens = [FORM_TOKEN.search(page.content.decode()).group(1) for page in (first, second)]
    assert tokens[0] != tokens[1]
    fields = [
        page.content.decode().split(token)[1].split("</form>")[0]
        for page, token in zip((first, second), tokens, strict=True)
    ]
    assert fields[0] == fields[1]


def test_form_with_errors_is_never_served_from_the_blank_form(client, campaign):
    client.get(answer_url(campaign))
    response = post_answer(client, campaign, context="")
    page = response.content.decode()
    assert response.status_code == 200
    assert "fr-input-group--error" in page or "fr-fieldset--error" in page
    assert 'id="contexte"' in page
