"""Labels tell the truth (issue 13, item 6): a requirement over a group of fields is said
above the group, none of its fields says « facultatif »; the error summary follows the page
and names the repeated rows."""

import re

import pytest
from django.urls import reverse

from ami.forms import ReferentForm, SubmissionForm
from cpts_portal.error_summary import FieldsOf, Rows, error_summary
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return CampaignFactory()


def label_of(page: str, field_id: str) -> str:
    label = re.search(rf'<label[^>]*for="{field_id}"[^>]*>(.*?)</label>', page, re.S)
    return re.sub(r"<[^>]+>", " ", label[1])


def test_calendar_group_says_its_requirement_and_no_field_is_optional(client, campaign):
    page = client.get(reverse("ami:answer", args=[campaign.slug])).content.decode()
    calendar = page.split('id="calendrier"', 1)[1].split("portal-honeypot", 1)[0]
    assert "Indiquez une date ou une période" in calendar.split("</legend>", 1)[0]
    for field_id in ("id_meeting_wished_by", "id_meeting_wish"):
        assert "facultatif" not in label_of(page, field_id)


def test_referent_contact_group_says_one_is_required_and_neither_is_optional(client, campaign):
    page = client.get(reverse("ami:answer", args=[campaign.slug])).content.decode()
    assert "Indiquez au moins une adresse électronique ou un téléphone." in page
    for field_id in ("id_referents-0-email", "id_referents-0-phone"):
        assert "facultatif" not in label_of(page, field_id)
    # A really optional field still says so.
    assert "facultatif" in label_of(page, "id_referents-0-function")


def test_error_summary_follows_the_page_and_names_the_rows(client, campaign):
    data = answer_data(
        **{
            "actors-TOTAL_FORMS": "2",
            "actors-1-name": "Yann Kerbrat",
            "actors-1-practice_place": "Douarnenez",
            "actors-1-practice_setting": "msp",
            "referents-0-email": "",
            "referents-0-phone": "",
            "objectives": None,
            "context": "",
            "meeting_wish": "",
            "consent": None,
        }
    )
    response = client.post(reverse("ami:answer", args=[campaign.slug]), data)
    summary = response.content.decode().split('id="erreurs"', 1)[1].split("</ul>", 1)[0]
    entries = [re.sub(r"<[^>]+>", "", item).strip() for item in summary.split("<li>")[1:]]
    labels = [entry.split(" : ", 1)[0] for entry in entries]
    assert labels == [
        "Acteur 2 — Profession",
        "Référent 1 — Adresse électronique",
        "Objectifs attendus",
        "Contexte",
        "Date souhaitée pour un temps d’échange",
        "J’accepte que les données saisies soient traitées par l’ARS, l’Assurance Maladie "
        "et les URPS pour répondre à cette manifestation d’intérêt.",
    ], entries


def test_error_summary_parts_in_the_order_given():
    form = SubmissionForm(data={"context": "", "form_token": "x"})
    late, early = ["context"], ["objectives"]
    entries = error_summary(FieldsOf(form, late), FieldsOf(form, early))
    assert [entry["id"] for entry in entries] == ["id_context", "id_objectives"]
    rest = error_summary(FieldsOf(form, exclude=[*late, *early]))
    assert "id_context" not in [entry["id"] for entry in rest]


def test_rows_name_their_number_even_for_an_error_without_a_field():
    from ami.forms import ReferentFormSet

    formset = ReferentFormSet(
        data={
            "r-TOTAL_FORMS": "2",
            "r-INITIAL_FORMS": "0",
            "r-0-name": "Anne",
            "r-0-email": "anne@example.org",
            "r-1-name": "",
            "r-1-function": "Secrétaire",
        },
        prefix="r",
    )
    entries = error_summary(Rows(formset, "Référent"))
    assert entries[0]["label"] == "Référent 2 — Nom et prénom"
    assert isinstance(ReferentForm().fields["email"].required_by_group, bool)


def test_the_edit_page_keeps_each_stored_rows_hidden_id(client):
    """The référent rows' layout named only their visible fields: the hidden id was dropped,
    and saving an edit answered « Une ligne a été modifiée ou supprimée entre-temps »."""
    submission = SubmissionFactory()
    page = client.get(submission.get_private_url() + "modifier/").content.decode()
    referent, actor = submission.referents.first(), submission.actors.first()
    assert re.search(rf'name="referents-0-id" value="{referent.pk}"', page)
    assert re.search(rf'name="actors-0-id" value="{actor.pk}"', page)
