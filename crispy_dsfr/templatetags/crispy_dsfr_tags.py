"""Template tags and filters of the ``crispy_dsfr`` template pack.

The pack's templates use them to turn any Django widget into DSFR markup without the
form author having to set a single CSS class:

``{% crispy_dsfr_field field %}``
    Renders the widget of a bound field with the DSFR class of its kind (``fr-input``,
    ``fr-select``, ``fr-upload``), ``aria-invalid`` and an ``aria-describedby`` that
    points to the hint and to the error messages. The widget's own ``attrs`` are left
    untouched (nothing is written back to the form).
``field|dsfr_kind``
    What the field looks like to the DSFR: ``hidden``, ``checkbox``, ``checkboxes``,
    ``radios``, ``select``, ``file``, ``textarea`` or ``input``.
``field|dsfr_help_id``, ``field|dsfr_messages_id``, ``field|dsfr_legend_id``
    The ids given to the hint, to the block of error messages and to the legend of a
    field, so that templates and ``aria-*`` attributes always agree.
``{% crispy_dsfr_has_errors field as has_errors %}``
    Whether the field's errors are to be shown (they are not with
    ``FormHelper.form_show_errors = False``).
``{% crispy_dsfr_optgroups field as optgroups %}``
    The options of a ``RadioSelect`` / ``CheckboxSelectMultiple`` with their attributes.
``{% crispy_dsfr_optional_marker field %}``
    `` (facultatif)`` after the label of an optional field, see the README.
``{% crispy_dsfr_clearable_file field as clearable %}``
    What a ``ClearableFileInput`` needs besides its ``<input type="file">``.
``{% crispy_dsfr_form_errors form as errors %}``
    Non-field errors, followed by the errors of hidden fields (which have no place of
    their own on the page).
``input|dsfr_button_class``, ``flat_attrs|dsfr_button_attrs``
    DSFR classes of crispy's ``Submit`` / ``Button`` / ``Reset`` / ``StrictButton``.
"""

import re

from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext

register = template.Library()

#: DSFR class of the control, by kind of field (kinds missing here get no class).
CONTROL_CLASSES = {
    "input": "fr-input",
    "textarea": "fr-input",
    "select": "fr-select",
    "file": "fr-upload",
}

#: DSFR class of the group wrapping label, control and messages, by kind of field.
GROUP_CLASSES = {
    "input": "fr-input-group",
    "textarea": "fr-input-group",
    "select": "fr-select-group",
    "file": "fr-upload-group",
    "checkbox": "fr-checkbox-group",
}

#: DSFR classes of crispy's buttons, by ``input_type``.
BUTTON_CLASSES = {
    "submit": "fr-btn",
    "button": "fr-btn fr-btn--secondary",
    "reset": "fr-btn fr-btn--tertiary",
    "hidden": "",
}
BUTTON_VARIANTS = ("fr-btn--secondary", "fr-btn--tertiary", "fr-btn--tertiary-no-outline")
# Classes that crispy-forms hard-codes for Bootstrap on its buttons.
BOOTSTRAP_BUTTON_CLASS = re.compile(r"^(btn|btn-[\w-]+|hidden)$")


def _join_tokens(*values: str | None) -> str:
    """Space-separated tokens (classes, ids), without blanks or duplicates, in order."""
    seen: list[str] = []
    for value in values:
        for token in (value or "").split():
            if token not in seen:
                seen.append(token)
    return " ".join(seen)


def _show_errors(context: template.Context) -> bool:
    return bool(context.get("form_show_errors", True))


@register.filter
def dsfr_kind(field: BoundField) -> str:
    """Kind of DSFR component the field is rendered as."""
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.Select | forms.SelectDateWidget):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


@register.filter
def dsfr_group_class(field: BoundField) -> str:
    """``fr-input-group``, ``fr-select-group``, ``fr-upload-group`` or ``fr-checkbox-group``."""
    return GROUP_CLASSES.get(dsfr_kind(field), "fr-input-group")


@register.filter
def dsfr_help_id(field: BoundField) -> str:
    """Id of the hint (Django's own convention, ``<auto_id>_helptext``)."""
    return f"{field.auto_id}_helptext" if field.auto_id else ""


@register.filter
def dsfr_messages_id(field: BoundField) -> str:
    """Id of the ``fr-messages-group`` holding the errors (DSFR's ``<id>-messages``)."""
    return f"{field.auto_id}-messages" if field.auto_id else ""


@register.filter
def dsfr_legend_id(field: BoundField) -> str:
    """Id of the ``<legend>`` of a group of radios or checkboxes."""
    return f"{field.auto_id}-legend" if field.auto_id else ""


@register.simple_tag(takes_context=True)
def crispy_dsfr_has_errors(context: template.Context, field: BoundField) -> bool:
    """True when the field has errors and the form shows them."""
    return _show_errors(context) and bool(field.errors)


def _base_attrs(field: BoundField, widget: forms.Widget, show_errors: bool) -> dict:
    """``required``, ``disabled`` and ``aria-invalid`` as Django computes them."""
    attrs = field.build_widget_attrs({}, widget)
    # Django's aria-describedby points to "<auto_id>_error", which the pack does not
    # use: the pack computes its own (see _described_by).
    attrs.pop("aria-describedby", None)
    if not show_errors:
        attrs.pop("aria-invalid", None)
    return attrs


def _described_by(field: BoundField, show_errors: bool) -> str:
    ids = [field.field.widget.attrs.get("aria-describedby", "")]
    if field.help_text:
        ids.append(dsfr_help_id(field))
    if show_errors and field.errors:
        ids.append(dsfr_messages_id(field))
    return _join_tokens(*ids)


@register.simple_tag(takes_context=True)
def crispy_dsfr_field(context: template.Context, field: BoundField, css_class: str = "", **attrs):
    """Render the field's widget as a DSFR control.

    ``css_class`` adds classes to the control; other keyword arguments become HTML
    attributes (``data_foo="1"`` becomes ``data-foo="1"``).
    """
    show_errors = _show_errors(context)
    widget = field.field.widget
    kind = dsfr_kind(field)
    if (
        isinstance(widget, forms.ClearableFileInput)
        and widget.template_name == forms.ClearableFileInput.template_name
    ):
        # The "currently / clear" part is rendered by the pack (layout/field_file.html)
        # with DSFR markup: only the <input type="file"> is left to the widget.
        widget = forms.FileInput(attrs=widget.attrs)
    if field.field.localize:
        widget.is_localized = True

    final_attrs = _base_attrs(field, widget, show_errors)
    final_attrs["class"] = _join_tokens(
        CONTROL_CLASSES.get(kind, ""), widget.attrs.get("class"), css_class
    )
    if not final_attrs["class"]:
        del final_attrs["class"]
    described_by = _described_by(field, show_errors)
    if described_by:
        final_attrs["aria-describedby"] = described_by
    if field.auto_id and "id" not in widget.attrs:
        final_attrs["id"] = field.auto_id
    final_attrs.update({name.replace("_", "-"): value for name, value in attrs.items()})
    return widget.render(
        name=field.html_name,
        value=field.value(),
        attrs=final_attrs,
        renderer=field.form.renderer,
    )


@register.filter
def dsfr_hidden_initial(field: BoundField) -> str:
    """The hidden input of a field with ``show_hidden_initial=True``, else nothing."""
    if field.field.show_hidden_initial:
        return field.as_hidden(only_initial=True)
    return ""


@register.simple_tag(takes_context=True)
def crispy_dsfr_optgroups(context: template.Context, field: BoundField) -> list:
    """``(group label, options, index)`` of a choice widget, as Django computes them.

    Each option is a dict with ``name``, ``value``, ``label``, ``type`` (``radio`` or
    ``checkbox``) and ``attrs`` (``id``, ``checked``, ``required``, ``aria-invalid``...).
    """
    widget = field.field.widget
    attrs = _base_attrs(field, widget, _show_errors(context))
    input_id = widget.attrs.get("id") or field.auto_id
    if input_id:
        attrs["id"] = input_id
    values = widget.format_value(field.value())
    return widget.optgroups(field.html_name, values, attrs)


@register.simple_tag(takes_context=True)
def crispy_dsfr_optional_marker(context: template.Context, field: BoundField) -> str:
    """`` (facultatif)`` after the label of an optional field.

    The DSFR asks to mark optional fields rather than required ones. A single checkbox
    is never marked: it is a yes/no answer, never left "empty". Turned off with
    ``CRISPY_DSFR_MARK_OPTIONAL_FIELDS = False`` in the settings, or for one form with
    ``helper.dsfr_mark_optional_fields = False``. A field with
    ``field.required_by_group = True`` is not marked either: it belongs to a group whose
    requirement is said above it (« une date ou une période »), so it is not optional.
    """
    mark = context.get("dsfr_mark_optional_fields")
    if mark is None:
        mark = getattr(settings, "CRISPY_DSFR_MARK_OPTIONAL_FIELDS", True)
    if not mark or field.field.required or dsfr_kind(field) in ("checkbox", "hidden"):
        return ""
    if getattr(field.field, "required_by_group", False):
        return ""
    return format_html(" {}", pgettext("DSFR form field label", "(optional)"))


@register.simple_tag
def crispy_dsfr_clearable_file(field: BoundField) -> dict:
    """What ``ClearableFileInput`` shows besides the file input; ``{}`` for other widgets.

    Keys: ``is_initial``, ``value`` (the current file, with ``url``), ``initial_text``,
    ``input_text``, ``checkbox_name``, ``checkbox_id``, ``clear_checkbox_label``,
    ``required``, ``checked``, ``disabled``.
    """
    widget = field.field.widget
    if not isinstance(widget, forms.ClearableFileInput):
        return {}
    if widget.template_name != forms.ClearableFileInput.template_name:
        return {}
    attrs = {"id": field.auto_id} if field.auto_id else {}
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    context["checked"] = context["attrs"].get("checked", False)
    context["disabled"] = field.field.disabled or context["attrs"].get("disabled", False)
    return context


@register.simple_tag
def crispy_dsfr_form_errors(form) -> list:
    """Non-field errors of the form, then the errors of its hidden fields."""
    if form is None or not hasattr(form, "non_field_errors"):
        return []
    errors = list(form.non_field_errors())
    for field in form.hidden_fields():
        for error in field.errors:
            # Same wording as Django's own form rendering (translated by Django).
            errors.append(
                gettext("(Hidden field %(name)s) %(error)s") % {"name": field.name, "error": error}
            )
    return errors


def _button_class(input_type: str, classes: str) -> str:
    extra = [c for c in (classes or "").split() if not BOOTSTRAP_BUTTON_CLASS.match(c)]
    base = BUTTON_CLASSES.get(input_type, "fr-btn").split()
    if any(c in BUTTON_VARIANTS for c in extra):
        base = [c for c in base if c not in BUTTON_VARIANTS]
    return _join_tokens(*base, *extra)


@register.filter
def dsfr_button_class(input_object) -> str:
    """DSFR classes of a crispy ``BaseInput`` (``Submit``, ``Button``, ``Reset``...).

    ``Submit`` is a primary button, ``Button`` a secondary one, ``Reset`` a tertiary one;
    a ``css_class`` such as ``fr-btn--secondary`` replaces the default variant. The
    Bootstrap classes that crispy-forms puts on its buttons are dropped.
    """
    return _button_class(input_object.input_type, input_object.field_classes)


@register.filter
def dsfr_button_attrs(flat_attrs: str) -> str:
    """Rewrite the ``class`` of a ``StrictButton``'s flattened attributes for the DSFR."""

    def replace(match: re.Match) -> str:
        return f'class="{_button_class("submit", match.group(1))}"'

    return SafeString(re.sub(r'class="([^"]*)"', replace, str(flat_attrs), count=1))


@register.filter
def dsfr_visible_inputs(inputs) -> list:
    """The helper's inputs that are buttons (not ``Hidden``)."""
    return [item for item in inputs or () if getattr(item, "input_type", "") != "hidden"]


@register.filter
def dsfr_remove_classes(classes: str | None, unwanted: str) -> str:
    """``classes`` without the space-separated classes of ``unwanted``."""
    removed = set(unwanted.split())
    return " ".join(c for c in (classes or "").split() if c not in removed)
