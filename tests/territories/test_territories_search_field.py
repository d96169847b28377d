"""CommuneField: resolution, French error messages, and choosing a homonym without JavaScript.

A tiny form and view, declared here with their own URLconf (``pytest.mark.urls``), play the
part of a project page: the round trip goes through real POSTs and the rendered HTML.
"""

from html.parser import HTMLParser

import pytest
from django import forms
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.urls import include, path

from territories.forms import CommuneEntry, CommuneField, CommuneInput
from territories.models import Commune
from tests.territories.test_territories_search import load_module_geography

pytestmark = pytest.mark.django_db

geography = pytest.fixture(scope="module")(load_module_geography)

PLOUHINEC_29 = "29197"
PLOUHINEC_56 = "56169"
SAINT_MARTIN_32 = "32389"
SAINT_MARTIN_65 = "65392"


class PracticeForm(forms.Form):
    name = forms.CharField(label="Nom")
    commune = CommuneField(label="Commune d’exercice")


class OptionalCommuneForm(forms.Form):
    commune = CommuneField(label="Commune", required=False)


PAGE = Template(
    "{% load crispy_forms_tags %}"
    '<form method="post">{{ form|crispy }}<button type="submit">Envoyer</button></form>'
)


def practice_view(request: HttpRequest) -> HttpResponse:
    form = PracticeForm(request.POST or None)
    if form.is_valid():
        return HttpResponse(f"OK {form.cleaned_data['commune'].insee_code}")
    return HttpResponse(PAGE.render(Context({"form": form})))


urlpatterns = [
    path("territoires/", include("territories.urls")),
    path("exercice/", practice_view),
]
round_trip_urls = pytest.mark.urls(__name__)


class Inputs(HTMLParser):
    """The <input> elements of a page, and the text of each <label for>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.labels: dict[str, str] = {}
        self._label_for: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input":
            self.inputs.append(attributes)
        elif tag == "label":
            self._label_for = attributes.get("for")

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None

    def handle_data(self, data):
        if self._label_for:
            self.labels[self._label_for] = self.labels.get(self._label_for, "") + data

    def radios(self) -> dict[str, dict[str, str | None]]:
        """Radio buttons by the text of their label."""
        return {
            self.labels[radio["id"]].strip(): radio
            for radio in self.inputs
            if radio.get("type") == "radio"
        }


def clean(value, field: CommuneField | None = None) -> Commune | None:
    return (field or CommuneField()).clean(value)


# --- Resolution and messages -------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Quimper", "quimper", "29000", "29232", "Quimper (29) — 29000", "  QUIMPER "]
)
def test_field_returns_the_commune_for_a_name_a_code_or_a_label(geography, text):
    assert clean(text).insee_code == "29232"


def test_field_accepts_a_commune_or_its_primary_key(geography):
    quimper = Commune.objects.get(insee_code="29232")

    assert clean(quimper) == quimper
    assert clean(quimper.pk) == quimper


def test_required_field_asks_for_a_commune(geography):
    form = PracticeForm({"name": "Anne", "commune": "  "})

    assert form.errors["commune"] == ["Indiquez le nom ou le code postal d’une commune."]


def test_optional_field_left_blank_gives_none(geography):
    form = OptionalCommuneForm({"commune": ""})

    assert form.is_valid()
    assert form.cleaned_data["commune"] is None


def test_unknown_name_is_refused_with_advice(geography):
    form = PracticeForm({"name": "Anne", "commune": "Quimpr"})

    assert form.errors["commune"] == [
        "Aucune commune ne correspond à « Quimpr ». "
        "Vérifiez l’orthographe ou indiquez le code postal."
    ]
    assert form.fields["commune"].candidates == []


def test_ambiguous_name_is_refused_and_its_candidates_exposed(geography):
    form = PracticeForm({"name": "Anne", "commune": "Saint-Martin"})

    assert form.errors["commune"] == [
        "Plusieurs communes correspondent à « Saint-Martin » : "
        "précisez le code postal ou choisissez dans la liste."
    ]
    candidates = form.fields["commune"].candidates
    assert {commune.insee_code for commune in candidates} == {SAINT_MARTIN_32, SAINT_MARTIN_65}


def test_error_codes_tell_unknown_from_ambiguous(geography):
    field = CommuneField()

    with pytest.raises(forms.ValidationError) as unknown:
        field.clean("Quimpr")
    with pytest.raises(forms.ValidationError) as ambiguous:
        field.clean("Plouhinec")

    assert unknown.value.code == "unknown"
    assert ambiguous.value.code == "ambiguous"


def test_error_messages_can_be_replaced(geography):
    field = CommuneField(error_messages={"ambiguous": "Laquelle, « %(text)s » ?"})

    with pytest.raises(forms.ValidationError) as error:
        field.clean("Plouhinec")

    assert error.value.messages == ["Laquelle, « Plouhinec » ?"]


# --- Widget --------------------------------------------------------------------------------


def test_widget_is_a_plain_text_input_ready_for_the_autocomplete(geography):
    html = PracticeForm().as_div()
    (text_input,) = [i for i in Inputs(html).inputs if i.get("name") == "commune"]

    assert text_input["type"] == "text"
    assert text_input["autocomplete"] == "off"
    assert text_input["data-commune-autocomplete"] == "/territoires/communes/recherche/"
    assert text_input["list"] == "id_commune-communes"
    assert '<datalist id="id_commune-communes"></datalist>' in html
    assert 'type="radio"' not in html


def test_widget_shows_an_initial_commune_as_its_label(geography):
    quimper = Commune.objects.get(insee_code="29232")
    form = PracticeForm(initial={"commune": quimper})

    assert 'value="Quimper (29) — 29000"' in form.as_div()
    assert not PracticeForm(
        {"name": "", "commune": "Quimper (29) — 29000"}, initial={"commune": quimper}
    ).has_changed()


def test_widget_reads_the_text_and_the_chosen_candidate():
    widget = CommuneInput()

    assert widget.value_from_datadict({"c": "Plouhinec", "c_insee": "29197"}, {}, "c") == (
        CommuneEntry("Plouhinec", "29197")
    )
    assert widget.value_from_datadict({"c": "Brest"}, {}, "c") == CommuneEntry("Brest")
    assert widget.value_from_datadict({}, {}, "c") is None


def test_crispy_renders_the_candidates_as_dsfr_radios_under_the_input(geography):
    form = PracticeForm({"name": "Anne", "commune": "Plouhinec"})
    html = PAGE.render(Context({"form": form}))

    radios = Inputs(html).radios()
    assert set(radios) == {
        "Plouhinec (Morbihan, 56) — 56680",
        "Plouhinec (Finistère, 29) — 29780",
    }
    assert {radio["name"] for radio in radios.values()} == {"commune_insee"}
    assert "fr-input-group--error" in html
    assert 'class="fr-radio-group"' in html
    assert (
        html.index('name="commune"')
        < html.index("commune_insee")
        < html.index("Plusieurs communes correspondent")
    )


# --- Choosing among homonyms without JavaScript -------------------------------------------


@round_trip_urls
def test_no_js_round_trip_chooses_among_homonyms(client, geography):
    first = client.post("/exercice/", {"name": "Anne", "commune": "Saint-Martin"})
    page = Inputs(first.content.decode())
    radios = page.radios()
    chosen = radios["Saint-Martin (Hautes-Pyrénées, 65) — 65360"]

    second = client.post(
        "/exercice/",
        {"name": "Anne", "commune": "Saint-Martin", chosen["name"]: chosen["value"]},
    )

    assert "Plusieurs communes correspondent à « Saint-Martin »" in first.content.decode()
    assert "Saint-Martin (Gers, 32) — 32300" in radios
    assert second.content.decode() == f"OK {SAINT_MARTIN_65}"


@round_trip_urls
def test_chosen_candidate_stays_checked_when_another_field_fails(client, geography):
    response = client.post(
        "/exercice/", {"name": "", "commune": "Plouhinec", "commune_insee": PLOUHINEC_29}
    )

    radios = Inputs(response.content.decode()).radios()
    assert "checked" in radios["Plouhinec (Finistère, 29) — 29780"]
    assert "checked" not in radios["Plouhinec (Morbihan, 56) — 56680"]
    assert "Plusieurs communes correspondent" not in response.content.decode()


def test_choice_outside_the_candidates_is_ignored(geography):
    form = PracticeForm({"name": "Anne", "commune": "Plouhinec", "commune_insee": "29232"})

    assert not form.is_valid()
    assert form.errors["commune"][0].startswith("Plusieurs communes correspondent")


def test_edited_text_wins_over_a_previous_choice(geography):
    form = PracticeForm({"name": "Anne", "commune": "Quimper", "commune_insee": PLOUHINEC_56})

    assert form.is_valid()
    assert form.cleaned_data["commune"].insee_code == "29232"
    assert form.fields["commune"].candidates == []


def test_choice_works_inside_a_prefixed_form(geography):
    form = PracticeForm(
        {"actor-name": "Anne", "actor-commune": "Plouhinec", "actor-commune_insee": PLOUHINEC_56},
        prefix="actor",
    )

    assert form.is_valid()
    assert form.cleaned_data["commune"].insee_code == PLOUHINEC_56
