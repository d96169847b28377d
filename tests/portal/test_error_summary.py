"""The error summary (RGAA 11.10, 11.11) of every form page sent back with errors.

One mechanism for the whole portal: ``cpts_portal.error_summary.error_summary`` lists the
errors of bound forms and formsets, ``templates/includes/error_summary.html`` shows them
(``{% error_summary form formset %}`` in templates). The summary is the first element of the
page to take the focus on load (``data-focus-on-load``, static/js/portal.js) and links each
error to its field; a page without errors has none.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django import forms
from django.forms import formset_factory
from django.template import Context, Template
from django.urls import reverse

from ami.models import Submission
from ami.staff import services as staff_services
from cpts_portal.error_summary import error_summary
from cpts_portal.forms import inline_helper
from cpts_portal.roles import Role
from projects.models import Stage
from tests.factories import (
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.helpers import advance_to

SUMMARY_ID = "erreurs"


# --- The helper ----------------------------------------------------------------------------


class ContactForm(forms.Form):
    name = forms.CharField(label="Nom")
    email = forms.EmailField()  # no label: Django's « Email »
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Tout est faux.")


def test_entries_give_the_fields_id_and_label_in_the_forms_order():
    data = {"contact-name": "", "contact-email": "pas une adresse", "contact-token": ""}
    form = ContactForm(data, prefix="contact")
    assert error_summary(form) == [
        {"id": "id_contact-name", "label": "Nom", "message": "Ce champ est obligatoire."},
        {
            "id": "id_contact-email",
            "label": "Email",
            "message": "Saisissez une adresse de courriel valide.",
        },
        # A hidden field has nowhere to be linked to: its error is text, like a form's own.
        {"id": "", "label": "", "message": "Ce champ est obligatoire."},
        {"id": "", "label": "", "message": "Tout est faux."},
    ]
    assert [e["message"] for e in error_summary(form, hidden=False)] == [
        "Ce champ est obligatoire.",
        "Saisissez une adresse de courriel valide.",
        "Tout est faux.",
    ]


class RowForm(forms.Form):
    title = forms.CharField(label="Titre")


class BaseRows(forms.BaseFormSet):
    def clean(self):
        raise forms.ValidationError("Trop de lignes.")


def test_a_formset_gives_its_rows_then_its_own_errors():
    Rows = formset_factory(RowForm, formset=BaseRows, extra=0)
    data = {
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "0",
        "rows-0-title": "Une fiche",
        "rows-1-title": "",
    }
    formset = Rows(data, prefix="rows")
    formset.forms[1].empty_permitted = False
    formset.forms[1].use_required_attribute = False
    formset.full_clean()
    assert error_summary(formset) == [
        {"id": "id_rows-1-title", "label": "Titre", "message": "Ce champ est obligatoire."},
        {"id": "", "label": "", "message": "Trop de lignes."},
    ]


def test_unbound_forms_hidden_errors_and_anything_else_are_skipped():
    hidden = RowForm({"title": ""})
    hidden.helper = inline_helper()
    hidden.helper.form_show_errors = False  # as after an « add a row » button
    assert error_summary(None, "", RowForm(), hidden) == []
    assert len(error_summary(RowForm({"title": ""}))) == 1


def test_the_template_tag_renders_the_summary_only_with_errors():
    template = Template("{% load error_summary %}{% error_summary form other %}")
    assert template.render(Context({"form": RowForm()})).strip() == ""
    page = template.render(Context({"form": RowForm({"title": ""}), "other": None}))
    summary = parse(page).summary
    assert summary is not None
    assert summary.links == ["id_title"]
    assert "Le formulaire contient 1 erreur" in summary.text


# --- The pages -----------------------------------------------------------------------------


@dataclass
class Summary:
    attrs: dict
    links: list[str] = field(default_factory=list)
    text: str = ""


class PageParser(HTMLParser):
    """Every id of the page, the elements that ask for the focus, and the summary."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.focus_on_load: list[str] = []
        self.summaries: list[Summary] = []
        self._depth = 0  # inside the summary: the depth of <div>s still open

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "data-focus-on-load" in attrs:
            self.focus_on_load.append(attrs.get("id", tag))
        if self._depth:
            if tag == "div":
                self._depth += 1
            if tag == "a":
                self.summaries[-1].links.append(attrs["href"].removeprefix("#"))
        elif "data-error-summary" in attrs:
            self.summaries.append(Summary(attrs))
            self._depth = 1

    def handle_endtag(self, tag) -> None:
        if self._depth and tag == "div":
            self._depth -= 1

    def handle_data(self, data) -> None:
        if self._depth:
            self.summaries[-1].text += data

    @property
    def summary(self) -> Summary | None:
        assert len(self.summaries) <= 1, "more than one error summary"
        return self.summaries[0] if self.summaries else None


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    return parser


def assert_summary(response, *expected_links: str, plain: int = 0) -> Summary:
    """The page has one summary, first to take the focus, linking to fields of the page."""
    assert response.status_code in (200, 422), response.status_code
    page = parse(response.content.decode())
    summary = page.summary
    assert summary is not None, "no error summary"
    assert summary.attrs.get("id") == SUMMARY_ID
    assert summary.attrs.get("tabindex") == "-1"
    assert page.focus_on_load[0] == SUMMARY_ID, page.focus_on_load
    for link in summary.links:
        # A group of radios or checkboxes: the link names the field, the page numbers its
        # options (id_x_0...), static/js/portal.js focuses the first one.
        assert link in page.ids or f"{link}_0" in page.ids, f"#{link}: no such field"
    assert summary.links == list(expected_links)
    entries = len(summary.links) + plain
    assert f"contient {entries} erreur" in summary.text, summary.text
    assert response.content.decode().count("<title>Erreur — ") == 1
    return summary


def assert_no_summary(response) -> None:
    assert response.status_code == 200, response.status_code
    page = parse(response.content.decode())
    assert page.summary is None
    assert SUMMARY_ID not in page.focus_on_load


@dataclass
class People:
    coordinator: object
    ars: object
    urps: object
    am: object


@pytest.fixture
def people(db, settings, tmp_path) -> People:
    settings.MEDIA_ROOT = tmp_path / "media"
    return People(
        coordinator=CoordinatorFactory(),
        ars=UserFactory(roles=[Role.ARS]),
        urps=UserFactory(roles=[Role.URPS]),
        am=UserFactory(roles=[Role.ASSURANCE_MALADIE]),
    )


@pytest.fixture
def project_at(people):
    def make(stage: Stage):
        territory = TerritoryFactory(communes=[CommuneFactory(population=20_000)])
        project = CptsProjectFactory(
            name="CPTS de l’Aulne", coordinators=[people.coordinator], territory=territory,
            by=people.ars,
        )  # fmt: skip
        return advance_to(project, stage, **vars(people))

    return make


def test_letter(client, people, project_at):
    url = reverse("projects:letter", args=[project_at(Stage.DRAFT).pk])
    client.force_login(people.coordinator)
    assert_no_summary(client.get(url))
    response = client.post(url, {"objectives": "Un objectif\x00", "enregistrer": ""})
    summary = assert_summary(response, "id_objectives")
    assert "Objectifs : " in summary.text


def test_letter_refusal_keeps_its_own_alert(client, people, project_at):
    url = reverse("projects:letter", args=[project_at(Stage.DRAFT).pk])
    client.force_login(people.coordinator)
    response = client.post(url, {"deposer": ""})
    assert response.status_code == 422
    page = parse(response.content.decode())
    assert page.summary is None
    assert page.focus_on_load == ["refus"]


def test_contract_parties_are_shown_open_with_their_errors(client, people, project_at):
    url = reverse("projects:contract", args=[project_at(Stage.CONTRACT_SIGNED).pk])
    client.force_login(people.ars)
    response = client.get(url)
    assert_no_summary(response)
    assert '<details class="fr-mb-4w">' in response.content.decode()

    data = {"parties_submit": "", "cpts_name": "CPTS\x00", "cpam_name": "x" * 201, "ars_name": ""}
    response = client.post(url, data)
    assert_summary(response, "id_cpts_name", "id_cpam_name")
    assert '<details class="fr-mb-4w" open>' in response.content.decode()


def test_contract_dialogue(client, people, project_at):
    url = reverse("projects:contract", args=[project_at(Stage.CONTRACT_SIGNED).pk])
    client.force_login(people.ars)
    response = client.post(url, {"dialogue_submit": "", "year": "1"})
    assert_summary(response, "id_held_on", "id_summary")
    assert '<details class="fr-mb-4w">' in response.content.decode()


def test_health_project_links_to_the_fiche_actions_fields(client, people, project_at):
    url = reverse("projects:health_project", args=[project_at(Stage.LETTER_VALIDATED).pk])
    client.force_login(people.coordinator)
    assert_no_summary(client.get(url))
    half_filled_sheet = {
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-title": "Accès au médecin traitant",
        "save": "",
    }
    assert_summary(
        client.post(url, half_filled_sheet),
        "id_actions-0-mission",
        "id_actions-0-referents",
        "id_actions-0-tasks",
        "id_actions-0-indicators",
    )


def test_health_project_add_a_row_shows_no_summary(client, people, project_at):
    """« Ajouter une fiche-action » comes back without errors, even for a half-filled row."""
    url = reverse("projects:health_project", args=[project_at(Stage.LETTER_VALIDATED).pk])
    client.force_login(people.coordinator)
    data = {
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-title": "Accès au médecin traitant",
        "add_row": "actions",
    }
    page = parse(client.post(url, data).content.decode())
    assert page.summary is None


def test_project_form(client, people, project_at):
    client.force_login(people.ars)
    create = reverse("projects:create")
    assert_no_summary(client.get(create))
    assert_summary(client.post(create, {"name": ""}), "id_name")
    edit = reverse("projects:edit", args=[project_at(Stage.DRAFT).pk])
    assert_no_summary(client.get(edit))
    assert_summary(client.post(edit, {"name": ""}), "id_name")


def test_territory_form(client, people, project_at):
    url = reverse("projects:territory", args=[project_at(Stage.DRAFT).pk])
    client.force_login(people.ars)
    assert_no_summary(client.get(url))
    # Saved empty: the builder's own error, with no field to link to.
    summary = assert_summary(client.post(url, {"territory-commune_codes": "", "save": ""}), plain=1)
    assert "Choisissez au moins une commune." in summary.text
    # A step that fails: the summary is focused before the builder.
    data = {"territory-add_communes": "Nulle-part-sur-Mer", "territory_step": "1"}
    response = client.post(url, data)
    assert_summary(response, "id_territory-add_communes")
    assert parse(response.content.decode()).focus_on_load == [SUMMARY_ID, "territory-builder"]


def test_simple_form_pages(client, people, project_at):
    deposited = project_at(Stage.LETTER_DEPOSITED)
    client.force_login(people.urps)
    opinion = reverse("projects:urps_opinion", args=[deposited.pk])
    assert_no_summary(client.get(opinion))
    response = client.post(opinion, {"objectives_comment": ""})
    assert_summary(
        response, "id_objectives_verdict", "id_mobilisation_verdict", "id_territory_verdict"
    )

    client.force_login(people.coordinator)
    holder = reverse("projects:holder", args=[deposited.pk])
    assert_no_summary(client.get(holder))
    assert_summary(client.post(holder, {"name": "", "rna_number": ""}), "id_name", "id_rna_number")

    client.force_login(people.ars)
    send_back = reverse("projects:stage_change", args=[deposited.pk, Stage.LETTER_TO_COMPLETE])
    assert_no_summary(client.get(send_back))
    assert_summary(client.post(send_back, {"comment": ""}), "id_comment")

    upload = reverse("projects:document_upload", args=[deposited.pk])
    assert_summary(client.post(upload, {"kind": "", "retour": ""}), "id_kind", "id_file")


def test_ami_edit(client, db):
    submission = SubmissionFactory()
    url = reverse("ami:edit", args=[submission.access_token])
    assert_no_summary(client.get(url))
    # Sent without the page's hidden token nor any row: those errors have no field to link to.
    response = client.post(url, {"context": ""})
    # In the page's order: the objectives come before the context.
    summary = assert_summary(
        response, "id_objectives", "id_context", "id_meeting_wished_by", plain=3
    )
    assert "None" not in summary.text
    assert "Indiquez au moins un référent." in summary.text


@pytest.fixture
def agent_and_answer(db):
    agent = UserFactory(roles=[Role.ARS])
    submission = SubmissionFactory(assignee=agent)
    staff_services.change_status(submission, Submission.Status.IN_REVIEW, by=agent)
    return agent, submission


def test_staff_answer_page_close(client, agent_and_answer):
    agent, submission = agent_and_answer
    client.force_login(agent)
    assert_no_summary(client.get(reverse("staff:submission", args=[submission.pk])))
    response = client.post(reverse("staff:close", args=[submission.pk]), {"cloture-reason": ""})
    summary = assert_summary(response, "id_cloture-reason")
    assert "Motif de la clôture : Ce champ est obligatoire." in " ".join(summary.text.split())


def test_staff_answer_page_plan_exchange_and_note(client, agent_and_answer):
    agent, submission = agent_and_answer
    client.force_login(agent)
    response = client.post(reverse("staff:plan_exchange", args=[submission.pk]), {})
    assert_summary(
        response, "id_echange-date", "id_echange-start", "id_echange-end", "id_echange-place"
    )
    response = client.post(reverse("staff:note", args=[submission.pk]), {"note-text": ""})
    assert_summary(response, "id_note-text")


def test_staff_hidden_field_errors_stay_a_message(client, agent_and_answer):
    """A button's value has no field to link to: it is reported as a message, once."""
    agent, submission = agent_and_answer
    client.force_login(agent)
    url = reverse("staff:change_status", args=[submission.pk])
    response = client.post(url, {"statut-to": "nimporte"})
    assert response.status_code == 200
    page = response.content.decode()
    assert parse(page).summary is None
    assert page.count("Votre demande n’a pas pu être traitée") == 1
