"""The error summary of a form page sent back with errors (RGAA 11.10 and 11.11).

A page sent back with errors shows, at the top, one summary of them
(``templates/includes/error_summary.html``): it takes the focus on load
(``data-focus-on-load``, handled by static/js/portal.js), so screen readers announce it,
and lists each error as a link to its field.

``error_summary(*forms)`` builds its entries from any bound forms and formsets. Templates
call it through the ``{% error_summary form formset ... %}`` tag (``{% load error_summary %}``),
which renders the include; a view may instead pass the list itself as ``error_summary`` and
``{% include "includes/error_summary.html" %}``.

The summary follows the page: give the parts in the page's order, split a form whose fields
are not shown together with ``FieldsOf(form, names)`` / ``FieldsOf(form, exclude=names)``,
and wrap a formset whose rows are numbered on the page in ``Rows(formset, "Acteur")``: its
errors then read « Acteur 2 — Profession : ... ». Within a form, errors follow the order of
its fields, then come the errors of the form as a whole.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.forms import BaseForm, BaseFormSet, BoundField


@dataclass(frozen=True)
class Rows:
    """A formset whose rows the page numbers « <label> 1 », « <label> 2 »..."""

    formset: BaseFormSet
    label: str


@dataclass(frozen=True)
class FieldsOf:
    """Some fields of a form, in the order given (``names``), or all but ``exclude``,
    in the form's order. The form's non-field errors go with the part that has
    ``exclude`` (or no ``names``): list the form's fields once across its parts."""

    form: BaseForm
    names: Iterable[str] | None = None
    exclude: Iterable[str] = ()


def entry(message: object, field: BoundField | None = None, prefix: str = "") -> dict[str, str]:
    """One error; ``id`` and ``label`` are empty when it has no field to link to.

    ``prefix`` names the row of a repeated group: « Acteur 2 » gives « Acteur 2 — Nom ».
    """
    if field is None:
        return {
            "id": "",
            "label": "",
            "message": f"{prefix} — {message}" if prefix else str(message),
        }
    field_id = field.field.widget.attrs.get("id") or field.auto_id
    label = f"{prefix} — {field.label}" if prefix else str(field.label)
    return {"id": field_id, "label": label, "message": str(message)}


def shows_errors(form: BaseForm) -> bool:
    """False for a form whose crispy helper hides its errors (``form_show_errors = False``),
    as after an « add a row » button: the summary lists only what the page shows."""
    helper = getattr(form, "helper", None)
    return getattr(helper, "form_show_errors", True) is not False


def error_summary(
    *forms: BaseForm | BaseFormSet | Rows | FieldsOf | None, hidden: bool = True
) -> list[dict]:
    """Every error of these forms, in the order given, each with its field's id and label.

    A formset gives the errors of each of its rows, then its own (``non_form_errors``).
    Anything else than a form, a formset, ``Rows`` or ``FieldsOf`` (``None``, an empty
    template variable) and unbound forms are skipped. Non-field errors and the errors of
    hidden fields have no field to link to: they are listed as text; ``hidden=False``
    leaves the latter out (for a view that reports them otherwise).
    """
    summary: list[dict] = []
    for part in forms:
        if isinstance(part, Rows | BaseFormSet):
            formset, label = (part.formset, part.label) if isinstance(part, Rows) else (part, "")
            if formset.is_bound:
                for number, row in enumerate(formset.forms, start=1):
                    prefix = f"{label} {number}" if label else ""
                    summary += form_errors(row, None, (), hidden, prefix)
                summary += [entry(error) for error in formset.non_form_errors()]
        elif isinstance(part, FieldsOf):
            summary += form_errors(part.form, part.names, part.exclude, hidden)
        elif isinstance(part, BaseForm):
            summary += form_errors(part, None, (), hidden)
    return summary


def form_errors(
    form: BaseForm,
    names: Iterable[str] | None,
    exclude: Iterable[str],
    hidden: bool,
    prefix: str = "",
) -> list[dict]:
    if not form.is_bound or not shows_errors(form):
        return []
    errors = form.errors
    excluded = set(exclude)
    if names is None:
        # The form's fields in its order, then its own errors and any other key.
        ordered = [name for name in form.fields if name in errors and name not in excluded]
        ordered += [name for name in errors if name not in form.fields and name not in excluded]
    else:
        ordered = [name for name in names if name in errors]
    summary: list[dict] = []
    for name in ordered:
        field = form[name] if name in form.fields else None
        if field is not None and field.is_hidden:
            if not hidden:
                continue
            field = None
        summary += [entry(error, field, prefix) for error in errors[name]]
    return summary
