"""The crispy_dsfr template pack: DSFR markup and RGAA-minded attributes of crispy forms.

Every test renders a form through crispy-forms (``{% crispy %}``, ``|crispy``,
``|as_crispy_field``), parses the HTML with the standard library and checks the result.
"""

from html.parser import HTMLParser

import pytest
from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Button, Column, Layout, Row, Submit
from django import forms
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from crispy_dsfr.layout import Fieldset

VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


# --- A small DOM, enough to query the rendered forms -------------------------------------


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []

    @property
    def classes(self):
        return set((self.attrs.get("class") or "").split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        wanted_classes = set(cls.split()) if cls else set()
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and wanted_classes <= node.classes
            and all(node.attrs.get(name.replace("_", "-")) == v for name, v in attrs.items())
        ]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls!r} {attrs}> in the rendered HTML"
        return found[0]

    def by_id(self, element_id):
        found = [node for node in self.iter() if node.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id={element_id!r}"
        return found[0]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self):
        parts = []
        for child in self.children:
            parts.append(child.text() if isinstance(child, Node) else child)
        return " ".join(" ".join(parts).split())

    def index_in_parent(self):
        return [c for c in self.parent.children if isinstance(c, Node)].index(self)


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID_ELEMENTS:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html):
    builder = TreeBuilder()
    builder.feed(str(html))
    builder.close()
    return builder.root


def render(template, **context):
    context.setdefault("csrf_token", "test-csrf-token")
    return Template("{% load crispy_forms_tags %}" + template).render(Context(context))


def crispy(form, helper=None):
    if helper is None:
        return parse(render("{% crispy form %}", form=form))
    return parse(render("{% crispy form helper %}", form=form, helper=helper))


def crispy_filter(form):
    return parse(render("{{ form|crispy }}", form=form))


def control(dom, name):
    found = [n for n in dom.iter() if n.attrs.get("name") == name and n.tag != "button"]
    assert found, f"no control named {name!r}"
    return found[0]


def described_by(node):
    return (node.attrs.get("aria-describedby") or "").split()


# --- Forms ---------------------------------------------------------------------------------


class ContactForm(forms.Form):
    name = forms.CharField(label="Nom", help_text="Tel qu’il figure sur vos papiers.")
    email = forms.EmailField(label="Courriel", required=False)
    phone = forms.CharField(label="Téléphone", widget=forms.TextInput(attrs={"type": "tel"}))
    count = forms.IntegerField(label="Nombre de professionnels")
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    website = forms.URLField(label="Site", required=False, assume_scheme="https")
    message = forms.CharField(label="Message", widget=forms.Textarea)
    region = forms.ChoiceField(label="Région", choices=[("", "---"), ("bzh", "Bretagne")])
    consent = forms.BooleanField(label="J’accepte", help_text="Voir la page dédiée.")
    topics = forms.MultipleChoiceField(
        label="Thèmes",
        help_text="Cochez une ou plusieurs cases.",
        choices=[("soins", "Soins"), ("prevention", "Prévention")],
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(
        label="Type de structure",
        choices=[("cpts", "CPTS"), ("msp", "MSP")],
        widget=forms.RadioSelect,
    )
    attachment = forms.FileField(label="Pièce jointe", required=False)
    token = forms.CharField(widget=forms.HiddenInput)


VALID_DATA = {
    "name": "Dupont",
    "phone": "0299123456",
    "count": "3",
    "date": "2030-01-01",
    "message": "Bonjour",
    "region": "bzh",
    "consent": "on",
    "topics": ["soins"],
    "kind": "cpts",
    "token": "abc",
}


def bound_form(**overrides):
    data = {**VALID_DATA, **overrides}
    data = {key: value for key, value in data.items() if value is not None}
    form = ContactForm(data=data)
    form.is_valid()
    return form


# --- Text-like inputs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "input_type"),
    [
        ("name", "text"),
        ("email", "email"),
        ("phone", "tel"),
        ("count", "number"),
        ("date", "date"),
        ("website", "url"),
    ],
)
def test_text_like_inputs_get_fr_input_inside_input_group(name, input_type):
    dom = crispy(ContactForm())

    field = control(dom, name)
    assert field.tag == "input"
    assert field.attrs["type"] == input_type
    assert "fr-input" in field.classes
    assert "fr-input-group" in field.parent.classes


def test_textarea_gets_fr_input_class():
    dom = crispy(ContactForm())

    textarea = control(dom, "message")
    assert textarea.tag == "textarea"
    assert "fr-input" in textarea.classes
    assert "fr-input-group" in textarea.parent.classes


def test_every_visible_control_has_a_label_for_its_id():
    dom = crispy(ContactForm())

    controls = [
        node
        for node in dom.iter()
        if node.tag in {"input", "select", "textarea"} and node.attrs.get("type") != "hidden"
    ]
    assert len(controls) >= 14
    label_targets = {label.attrs.get("for") for label in dom.find_all("label")}
    for node in controls:
        assert node.attrs.get("id"), f"{node.attrs.get('name')} has no id"
        assert node.attrs["id"] in label_targets, f"{node.attrs['name']} has no <label for>"


def test_label_has_dsfr_class_and_text():
    dom = crispy(ContactForm())

    label = dom.find("label", **{"for": "id_name"})
    assert "fr-label" in label.classes
    assert label.text().startswith("Nom")


def test_help_text_has_id_referenced_by_aria_describedby():
    dom = crispy(ContactForm())

    hint = dom.by_id("id_name_helptext")
    assert "fr-hint-text" in hint.classes
    assert hint.text() == "Tel qu’il figure sur vos papiers."
    assert "id_name_helptext" in described_by(control(dom, "name"))


def test_field_without_help_text_has_no_dangling_aria_describedby():
    dom = crispy(ContactForm())

    assert "aria-describedby" not in control(dom, "count").attrs


# --- Errors --------------------------------------------------------------------------------


def test_field_error_is_linked_with_aria_describedby():
    dom = crispy(bound_form(name=""))

    field = control(dom, "name")
    assert field.attrs.get("aria-invalid") == "true"
    messages = dom.by_id("id_name-messages")
    assert "fr-messages-group" in messages.classes
    assert "id_name-messages" in described_by(field)
    assert "id_name_helptext" in described_by(field)
    error = messages.find("p", cls="fr-message fr-message--error")
    assert error.text() == "Ce champ est obligatoire."


def test_field_error_puts_error_modifier_on_input_group():
    dom = crispy(bound_form(name=""))

    group = dom.by_id("div_id_name")
    assert {"fr-input-group", "fr-input-group--error"} <= group.classes
    assert group.find("p", cls="fr-message--error")


def test_error_message_is_the_form_own_french_message():
    form = bound_form(email="pas-un-courriel")
    dom = crispy(form)

    messages = dom.by_id("id_email-messages")
    assert messages.text() == form.errors["email"][0]
    assert messages.text().startswith("Saisissez une adresse")


def test_valid_field_has_no_error_markup():
    dom = crispy(bound_form())

    field = control(dom, "name")
    assert "aria-invalid" not in field.attrs
    assert "id_name-messages" not in described_by(field)
    assert "fr-input-group--error" not in dom.by_id("div_id_name").classes
    assert not dom.find_all(cls="fr-message--error")


def test_form_show_errors_false_hides_error_markup():
    helper = FormHelper()
    helper.form_show_errors = False
    dom = crispy(bound_form(name=""), helper)

    field = control(dom, "name")
    assert "aria-invalid" not in field.attrs
    assert "fr-input-group--error" not in dom.by_id("div_id_name").classes
    assert not dom.find_all(cls="fr-messages-group")


# --- Select --------------------------------------------------------------------------------


def test_select_gets_fr_select_class():
    dom = crispy(ContactForm())

    select = control(dom, "region")
    assert select.tag == "select"
    assert "fr-select" in select.classes
    assert "fr-select-group" in select.parent.classes
    assert "fr-input" not in select.classes


def test_select_error_uses_select_group_error_modifier():
    dom = crispy(bound_form(region=""))

    group = dom.by_id("div_id_region")
    assert {"fr-select-group", "fr-select-group--error"} <= group.classes
    select = control(dom, "region")
    assert select.attrs.get("aria-invalid") == "true"
    assert "id_region-messages" in described_by(select)


# --- Single checkbox -----------------------------------------------------------------------


def test_single_checkbox_renders_input_before_label_in_checkbox_group():
    dom = crispy(ContactForm())

    checkbox = control(dom, "consent")
    group = checkbox.parent
    assert "fr-checkbox-group" in group.classes
    label = group.find("label", **{"for": "id_consent"})
    assert "fr-label" in label.classes
    assert checkbox.index_in_parent() < label.index_in_parent()
    assert "fr-input" not in checkbox.classes


def test_single_checkbox_error_uses_checkbox_group_error_modifier():
    dom = crispy(bound_form(consent=None))

    group = dom.by_id("div_id_consent")
    assert "fr-checkbox-group--error" in group.classes
    checkbox = control(dom, "consent")
    assert checkbox.attrs.get("aria-invalid") == "true"
    assert "id_consent-messages" in described_by(checkbox)
    assert dom.by_id("id_consent-messages").text() == "Ce champ est obligatoire."


# --- Radios and checkboxes -----------------------------------------------------------------


def test_checkbox_group_renders_fieldset_with_legend():
    dom = crispy(ContactForm())

    fieldset = dom.by_id("div_id_topics")
    assert fieldset.tag == "fieldset"
    assert "fr-fieldset" in fieldset.classes
    legend = fieldset.find("legend")
    assert "fr-fieldset__legend" in legend.classes
    assert legend.text().startswith("Thèmes")
    assert fieldset.attrs.get("aria-labelledby") == legend.attrs["id"]
    groups = fieldset.find_all("div", cls="fr-checkbox-group")
    assert len(groups) == 2
    for group in groups:
        assert "fr-fieldset__element" in group.parent.classes
        checkbox = group.find("input", type="checkbox")
        assert group.find("label", **{"for": checkbox.attrs["id"]}).text() in {
            "Soins",
            "Prévention",
        }


def test_checkbox_group_help_text_is_in_legend_and_describes_fieldset():
    dom = crispy(ContactForm())

    fieldset = dom.by_id("div_id_topics")
    hint = dom.by_id("id_topics_helptext")
    assert hint.parent.tag == "legend"
    assert "id_topics_helptext" in described_by(fieldset)


def test_radio_select_renders_one_radio_group_per_option():
    dom = crispy(ContactForm())

    fieldset = dom.by_id("div_id_kind")
    assert fieldset.tag == "fieldset"
    assert fieldset.find("legend").text() == "Type de structure"
    radios = fieldset.find_all("input", type="radio")
    assert [radio.attrs["value"] for radio in radios] == ["cpts", "msp"]
    for radio in radios:
        assert "fr-radio-group" in radio.parent.classes
        assert "required" in radio.attrs


def test_radio_select_keeps_the_selected_option_checked():
    dom = crispy(bound_form(kind="msp"))

    checked = [r for r in dom.find_all("input", type="radio") if "checked" in r.attrs]
    assert [r.attrs["value"] for r in checked] == ["msp"]


def test_choice_fieldset_errors_are_at_fieldset_level():
    dom = crispy(bound_form(topics=None))

    fieldset = dom.by_id("div_id_topics")
    assert "fr-fieldset--error" in fieldset.classes
    assert fieldset.attrs.get("role") == "group"
    labelled_by = fieldset.attrs["aria-labelledby"].split()
    assert labelled_by == ["id_topics-legend", "id_topics-messages"]
    messages = dom.by_id("id_topics-messages")
    assert messages.parent is fieldset
    assert messages.text() == "Ce champ est obligatoire."
    for checkbox in fieldset.find_all("input", type="checkbox"):
        assert checkbox.attrs.get("aria-invalid") == "true"


def test_inline_radios_put_options_side_by_side():
    helper = FormHelper()
    helper.layout = Layout(InlineRadios("kind"))
    dom = crispy(ContactForm(), helper)

    elements = dom.by_id("div_id_kind").find_all(cls="fr-fieldset__element")
    assert len(elements) == 2
    assert all("fr-fieldset__element--inline" in element.classes for element in elements)


def test_grouped_choices_get_a_nested_fieldset():
    class GroupedForm(forms.Form):
        profession = forms.ChoiceField(
            label="Profession",
            choices=[("Médical", [("mg", "Médecin généraliste")]), ("ide", "Infirmier")],
            widget=forms.RadioSelect,
        )

    dom = crispy(GroupedForm())

    outer = dom.by_id("div_id_profession")
    nested = [f for f in outer.find_all("fieldset")]
    assert len(nested) == 1
    assert nested[0].find("legend").text() == "Médical"
    assert nested[0].find("input", value="mg")


# --- Hidden and file inputs ----------------------------------------------------------------


def test_hidden_input_rendered_bare():
    dom = crispy(ContactForm())

    hidden = control(dom, "token")
    assert hidden.attrs["type"] == "hidden"
    assert hidden.parent.tag == "form"
    assert not dom.find_all("label", **{"for": "id_token"})


def test_file_input_renders_upload_group():
    dom = crispy(ContactForm())

    upload = control(dom, "attachment")
    assert upload.attrs["type"] == "file"
    assert "fr-upload" in upload.classes
    assert "fr-upload-group" in upload.parent.classes
    assert dom.find("form").attrs.get("enctype") == "multipart/form-data"


def test_clearable_file_input_shows_current_file_and_dsfr_clear_checkbox():
    class CurrentFile:
        url = "/media/statuts.pdf"

        def __str__(self):
            return "statuts.pdf"

    class UploadForm(forms.Form):
        statutes = forms.FileField(label="Statuts", required=False)

    dom = crispy(UploadForm(initial={"statutes": CurrentFile()}))

    group = dom.by_id("div_id_statutes")
    assert group.find("a", href="/media/statuts.pdf").text() == "statuts.pdf"
    clear = group.find("input", type="checkbox", name="statutes-clear")
    assert "fr-checkbox-group" in clear.parent.classes
    assert clear.parent.find("label", **{"for": clear.attrs["id"]}).text() == "Effacer"
    assert len(group.find_all("input", type="file")) == 1


# --- Non-field errors ----------------------------------------------------------------------


class PeriodForm(forms.Form):
    start = forms.DateField(label="Début")
    end = forms.DateField(label="Fin")
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            raise forms.ValidationError("La fin doit suivre le début.")
        return cleaned


def test_non_field_errors_shown_as_alert():
    form = PeriodForm(data={"start": "2030-02-01", "end": "2030-01-01", "token": "x"})
    form.is_valid()
    dom = crispy(form)

    alert = dom.find("div", cls="fr-alert fr-alert--error")
    assert alert.attrs.get("role") == "alert"
    assert [item.text() for item in alert.find_all("li")] == ["La fin doit suivre le début."]


def test_no_alert_without_non_field_errors():
    form = PeriodForm(data={"start": "2030-01-01", "end": "2030-02-01", "token": "x"})
    form.is_valid()
    dom = crispy(form)

    assert not dom.find_all(cls="fr-alert")


def test_hidden_field_errors_are_shown_in_alert():
    form = PeriodForm(data={"start": "2030-01-01", "end": "2030-02-01"})
    form.is_valid()
    dom = crispy(form)

    items = [item.text() for item in dom.find("div", cls="fr-alert").find_all("li")]
    assert items == ["(champ masqué token) Ce champ est obligatoire."]


def test_error_alert_gets_title_from_helper():
    form = PeriodForm(data={"start": "2030-02-01", "end": "2030-01-01", "token": "x"})
    form.is_valid()
    helper = FormHelper()
    helper.form_error_title = "Le formulaire contient des erreurs"
    dom = crispy(form, helper)

    alert = dom.find("div", cls="fr-alert fr-alert--error")
    assert alert.find(cls="fr-alert__title").text() == "Le formulaire contient des erreurs"
    assert "fr-alert--sm" not in alert.classes


# --- Required and optional fields ----------------------------------------------------------


def test_required_field_keeps_required_attribute_without_asterisk():
    dom = crispy(ContactForm())

    assert "required" in control(dom, "name").attrs
    label = dom.find("label", **{"for": "id_name"})
    assert "*" not in label.text()
    assert "facultatif" not in label.text()


def test_optional_field_is_marked_in_its_label():
    dom = crispy(ContactForm())

    label = dom.find("label", **{"for": "id_email"})
    assert label.text() == "Courriel (facultatif)"
    assert "required" not in control(dom, "email").attrs


def test_optional_marker_can_be_turned_off_by_setting():
    with override_settings(CRISPY_DSFR_MARK_OPTIONAL_FIELDS=False):
        dom = crispy(ContactForm())

    assert dom.find("label", **{"for": "id_email"}).text() == "Courriel"


def test_optional_marker_can_be_turned_off_by_helper():
    helper = FormHelper()
    helper.dsfr_mark_optional_fields = False
    dom = crispy(ContactForm(), helper)

    assert dom.find("label", **{"for": "id_email"}).text() == "Courriel"


# --- Form tag, filters, buttons ------------------------------------------------------------


def test_crispy_tag_renders_form_with_method_and_csrf_token():
    helper = FormHelper()
    helper.form_id = "contact"
    helper.form_action = "/contact/"
    dom = crispy(ContactForm(), helper)

    form = dom.find("form")
    assert form.attrs["method"] == "post"
    assert form.attrs["id"] == "contact"
    assert form.attrs["action"] == "/contact/"
    token = form.find("input", name="csrfmiddlewaretoken")
    assert token.attrs["value"] == "test-csrf-token"


def test_crispy_filter_renders_dsfr_markup_without_form_tag():
    dom = crispy_filter(bound_form(name=""))

    assert not dom.find_all("form")
    assert "fr-input" in control(dom, "name").classes
    assert "fr-input-group--error" in dom.by_id("div_id_name").classes


def test_as_crispy_field_filter_renders_one_dsfr_field():
    dom = parse(render("{{ form.region|as_crispy_field }}", form=ContactForm()))

    assert "fr-select-group" in dom.by_id("div_id_region").classes
    assert len(dom.find_all("select")) == 1


def test_submit_input_is_a_primary_dsfr_button():
    helper = FormHelper()
    helper.add_input(Submit("save", "Enregistrer"))
    dom = crispy(ContactForm(), helper)

    button = dom.find("button", name="save")
    assert button.attrs["type"] == "submit"
    assert button.classes == {"fr-btn"}
    assert button.text() == "Enregistrer"
    assert "fr-btns-group" in button.parent.parent.classes


def test_button_input_is_a_secondary_dsfr_button():
    helper = FormHelper()
    helper.add_input(Button("cancel", "Annuler"))
    dom = crispy(ContactForm(), helper)

    button = dom.find("button", name="cancel")
    assert button.attrs["type"] == "button"
    assert button.classes == {"fr-btn", "fr-btn--secondary"}


def test_button_variant_from_css_class_replaces_the_default():
    helper = FormHelper()
    helper.add_input(Submit("draft", "Brouillon", css_class="fr-btn--secondary"))
    dom = crispy(ContactForm(), helper)

    assert dom.find("button", name="draft").classes == {"fr-btn", "fr-btn--secondary"}


# --- Labels hidden, widget attributes ------------------------------------------------------


def test_form_show_labels_false_keeps_label_for_screen_readers():
    helper = FormHelper()
    helper.form_show_labels = False
    dom = crispy(ContactForm(), helper)

    label = dom.find("label", **{"for": "id_name"})
    assert "fr-sr-only" in label.classes
    # The DSFR draws a checkbox with its label: it must stay visible.
    assert "fr-sr-only" not in dom.find("label", **{"for": "id_consent"}).classes


def test_existing_widget_class_and_describedby_are_kept():
    class NoteForm(forms.Form):
        note = forms.CharField(
            label="Note",
            help_text="Courte.",
            widget=forms.TextInput(attrs={"class": "js-note", "aria-describedby": "intro"}),
        )

    dom = crispy(NoteForm())

    field = control(dom, "note")
    assert {"fr-input", "js-note"} <= field.classes
    assert described_by(field) == ["intro", "id_note_helptext"]


def test_rendering_does_not_mutate_widget_attrs():
    form = ContactForm()
    before = dict(form.fields["name"].widget.attrs)

    crispy(form)
    dom = crispy(ContactForm())

    assert form.fields["name"].widget.attrs == before
    assert control(dom, "name").attrs["class"] == "fr-input"


# --- Layout objects ------------------------------------------------------------------------


def test_fieldset_layout_renders_legend_and_hint():
    helper = FormHelper()
    helper.layout = Layout(Fieldset("Votre demande", "name", "email", hint="Tous les champs."))
    dom = crispy(ContactForm(), helper)

    fieldset = dom.find("fieldset", cls="fr-fieldset")
    legend = fieldset.find("legend", cls="fr-fieldset__legend")
    assert legend.text() == "Votre demande Tous les champs."
    assert legend.find("span", cls="fr-hint-text")
    element = fieldset.find("div", cls="fr-fieldset__element")
    assert control(element, "name")
    assert control(element, "email")


def test_row_and_column_use_dsfr_grid():
    helper = FormHelper()
    helper.layout = Layout(Row(Column("name"), Column("email", css_class="fr-col-4")))
    dom = crispy(ContactForm(), helper)

    row = dom.find("div", cls="fr-grid-row fr-grid-row--gutters")
    columns = [child for child in row.children if isinstance(child, Node)]
    assert [column.classes for column in columns] == [{"fr-col-12", "fr-col-md"}, {"fr-col-4"}]


# --- Formsets ------------------------------------------------------------------------------


class ActorForm(forms.Form):
    name = forms.CharField(label="Nom de l’acteur")
    role = forms.ChoiceField(label="Rôle", choices=[("pilote", "Pilote"), ("membre", "Membre")])


ActorFormSet = forms.formset_factory(ActorForm, extra=2, max_num=3, validate_max=True)


def test_formset_renders_management_form():
    dom = crispy(ActorFormSet())

    for name, value in [("form-TOTAL_FORMS", "2"), ("form-INITIAL_FORMS", "0")]:
        hidden = control(dom, name)
        assert hidden.attrs["type"] == "hidden"
        assert hidden.attrs["value"] == value
    assert control(dom, "form-MIN_NUM_FORMS")
    assert control(dom, "form-MAX_NUM_FORMS")


def test_formset_renders_each_form_with_dsfr_fields():
    dom = crispy(ActorFormSet())

    for index in range(2):
        assert "fr-input" in control(dom, f"form-{index}-name").classes
        assert "fr-select" in control(dom, f"form-{index}-role").classes
        assert dom.find("label", **{"for": f"id_form-{index}-name"})


def test_formset_non_form_errors_shown_as_alert():
    data = {"form-TOTAL_FORMS": "4", "form-INITIAL_FORMS": "0"}
    for index in range(4):
        data[f"form-{index}-name"] = f"Acteur {index}"
        data[f"form-{index}-role"] = "membre"
    formset = ActorFormSet(data=data)
    formset.is_valid()
    dom = crispy(formset)

    alert = dom.find("div", cls="fr-alert fr-alert--error")
    assert alert.attrs.get("role") == "alert"
    assert alert.find("li").text() == "Veuillez soumettre au plus 3 formulaires."


def test_formset_filter_renders_management_form_and_field_errors():
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-role": "pilote"}
    formset = ActorFormSet(data=data)
    formset.is_valid()
    dom = crispy_filter(formset)

    assert control(dom, "form-TOTAL_FORMS").attrs["value"] == "1"
    assert "fr-input-group--error" in dom.by_id("div_id_form-0-name").classes
    assert "id_form-0-name-messages" in described_by(control(dom, "form-0-name"))


def test_table_inline_formset_renders_dsfr_table():
    helper = FormHelper()
    helper.template = "crispy_dsfr/table_inline_formset.html"
    dom = crispy(ActorFormSet(), helper)

    table = dom.find("div", cls="fr-table").find("table")
    headers = [th.text() for th in table.find("thead").find_all("th")]
    assert headers == ["Nom de l’acteur", "Rôle"]
    assert all(th.attrs.get("scope") == "col" for th in table.find_all("th"))
    rows = [tr for tr in table.find("tbody").children if isinstance(tr, Node) and tr.tag == "tr"]
    assert len(rows) == 2
    assert control(dom, "form-TOTAL_FORMS").attrs["type"] == "hidden"
    label = dom.find("label", **{"for": "id_form-0-name"})
    assert "fr-sr-only" in label.classes
