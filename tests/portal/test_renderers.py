"""The Python widget renderer writes exactly what Django's widget templates write."""

import datetime

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from cpts_portal.renderers import FastWidgetRenderer

CHOICES = [
    ("", "Tous"),
    ("29", "Finistère <29>"),
    ("22", "Côtes-d’Armor & co"),
    (3, 1234),
    ("Groupe « A »", [("a1", "Un"), ("a2", mark_safe("<b>Deux</b>"))]),
]


class EveryWidget(forms.Form):
    text = forms.CharField(help_text="aide", max_length=20)
    email = forms.EmailField(required=False)
    number = forms.IntegerField(min_value=0)
    decimal = forms.DecimalField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    hidden = forms.CharField(widget=forms.HiddenInput)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    url = forms.URLField(required=False, assume_scheme="https")
    flag = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": '"q"'}))
    choice = forms.ChoiceField(choices=CHOICES)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    maybe = forms.NullBooleanField()
    radios = forms.ChoiceField(choices=CHOICES[1:3], widget=forms.RadioSelect)
    disabled = forms.CharField(disabled=True, required=False)


BOUND = {
    "text": 'a "quoted" <value> & more',
    "email": "x@example.org",
    "number": "12",
    "decimal": "1.5",
    "day": "2026-12-06",
    "hidden": "h&idden",
    "secret": "s<e>cret",
    "flag": "on",
    "notes": "line 1\n<line 2>",
    "choice": "29",
    "many": ["22", "a2", "3"],
    "maybe": "true",
    "radios": "22",
}


def render_all(form: forms.Form) -> list[str]:
    return [str(field) for field in form]


@pytest.mark.parametrize(
    "make",
    [
        lambda renderer: EveryWidget(renderer=renderer),
        lambda renderer: EveryWidget(BOUND, renderer=renderer),
        lambda renderer: EveryWidget({}, renderer=renderer),
        lambda renderer: EveryWidget(
            initial={"day": datetime.date(2026, 1, 2), "number": 12345, "flag": True},
            renderer=renderer,
        ),
    ],
    ids=["blank", "bound", "errors", "initial"],
)
def test_fast_renderer_writes_what_the_templates_write(make):
    assert render_all(make(FastWidgetRenderer())) == render_all(make(TemplatesSetting()))


def test_fast_renderer_is_the_projects_form_renderer(settings):
    from django.forms.renderers import get_default_renderer

    get_default_renderer.cache_clear()
    try:
        assert isinstance(get_default_renderer(), FastWidgetRenderer)
    finally:
        get_default_renderer.cache_clear()


def test_an_overridden_widget_template_is_used(settings, tmp_path):
    folder = tmp_path / "django" / "forms" / "widgets"
    folder.mkdir(parents=True)
    (folder / "select.html").write_text("<custom-select>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    field = forms.ChoiceField(choices=CHOICES)
    form = forms.Form(renderer=FastWidgetRenderer())
    form.fields["x"] = field
    assert str(form["x"]) == "<custom-select>"
