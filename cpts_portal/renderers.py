"""A form renderer that writes the common widgets in Python instead of a template per option.

Django renders every widget through templates, and a ``<select>`` through one more
template per ``<option>``: a filter of the 109 départements was some 300 template renders,
about 70 % of the staff dashboard. ``FastWidgetRenderer`` is Django's ``TemplatesSetting``
(the project's ``FORM_RENDERER``) that produces the markup of Django's own templates for
``<input>`` (text, email, number, date, hidden, checkbox…), ``<textarea>`` and ``<select>``
directly, byte for byte the same (``tests/portal/test_renderers.py`` compares them with the
templates), and leaves every other widget, and any of these whose template a project
overrides, to the templates.
"""

from collections.abc import Callable
from typing import Any

from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString

WIDGETS = "django/forms/widgets/"
SELECT_OPTION = WIDGETS + "select_option.html"
# Django's widget templates that only include input.html (each file adds a final newline).
INPUT_TEMPLATES = {
    f"{WIDGETS}{name}.html"
    for name in (
        "text", "email", "number", "date", "datetime", "time", "hidden", "password",
        "url", "tel", "search", "color", "checkbox",
    )
}  # fmt: skip


def _text(value: Any) -> str:
    """``{{ value }}`` in a template: localized, then escaped unless already safe."""
    if not isinstance(value, str):
        value = localize(value)
    return conditional_escape(value)


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: ``str(value)``, escaped unless it was safe."""
    return value if isinstance(value, SafeData) else conditional_escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html, included by text.html & co. (two final newlines)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>\n\n"
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>\n"
    )


def _option(option: dict) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>\n"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != SELECT_OPTION:
                return None  # a custom option template: the templates render the whole select
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


FAST: dict[str, Callable[[dict], str | None]] = {
    **dict.fromkeys(INPUT_TEMPLATES, _input),
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
    WIDGETS + "select_date.html": None,  # a MultiWidget: left to its template
}


class FastWidgetRenderer(TemplatesSetting):
    """``TemplatesSetting`` with common widgets written in Python (see the module)."""

    def __init__(self) -> None:
        super().__init__()
        self._stock: dict[str, bool] = {}

    def is_stock(self, template_name: str) -> bool:
        """True when the template found for this name is Django's own (not overridden)."""
        if template_name not in self._stock:
            origin = getattr(self.get_template(template_name), "origin", None)
            path = str(getattr(origin, "name", ""))
            self._stock[template_name] = path.replace("\\", "/").endswith(
                "django/forms/templates/" + template_name
            )
        return self._stock[template_name]

    def render(self, template_name: str, context: dict, request=None) -> str:
        fast = FAST.get(template_name)
        widget = context.get("widget")
        if fast is not None and widget is not None and self.is_stock(template_name):
            if template_name.endswith("select.html") and not self.is_stock(SELECT_OPTION):
                return super().render(template_name, context, request)
            html = fast(widget)
            if html is not None:
                return SafeString(html.strip())  # as BaseRenderer.render does
        return super().render(template_name, context, request)
