"""The error summary of a form page sent back with errors (RGAA 11.10 and 11.11).

A page sent back with errors shows, at the top, one summary of them
(``templates/includes/error_summary.html``): it takes the focus on load
(``data-focus-on-load``, handled by static/js/portal.js), so screen readers announce it,
and lists each error as a link to its field.

``error_summary(*forms)`` builds its entries from any bound forms and formsets. Templates
call it through the ``{% error_summary form formset ... %}`` tag (``{% load error_summary %}``),
which renders the include; a view may instead pass the list itself as ``error_summary`` and
``{% include "includes/error_summary.html" %}``.
"""

from django.forms import BaseForm, BaseFormSet, BoundField


def entry(message: object, field: BoundField | None = None) -> dict[str, str]:
    """One error; ``id`` and ``label`` are empty when it has no field to link to."""
    if field is None:
        return {"id": "", "label": "", "message": str(message)}
    field_id = field.field.widget.attrs.get("id") or field.auto_id
    return {"id": field_id, "label": str(field.label), "message": str(message)}


def shows_errors(form: BaseForm) -> bool:
    """False for a form whose crispy helper hides its errors (``form_show_errors = False``),
    as after an « add a row » button: the summary lists only what the page shows."""
    helper = getattr(form, "helper", None)
    return getattr(helper, "form_show_errors", True) is not False


def error_summary(*forms: BaseForm | BaseFormSet | None, hidden: bool = True) -> list[dict]:
    """Every error of these forms, in the order given, each with its field's id and label.

    A formset gives the errors of each of its rows, then its own (``non_form_errors``).
    Anything else than a form or a formset (``None``, an empty template variable) and
    unbound forms are skipped. Non-field errors and the errors of hidden fields have no
    field to link to: they are listed as text; ``hidden=False`` leaves the latter out (for
    a view that reports them otherwise).
    """
    summary: list[dict] = []
    for form in forms:
        if isinstance(form, BaseFormSet):
            if form.is_bound:
                summary += error_summary(*form.forms, hidden=hidden)
                summary += [entry(error) for error in form.non_form_errors()]
            continue
        if not isinstance(form, BaseForm) or not form.is_bound or not shows_errors(form):
            continue
        for name, errors in form.errors.items():
            field = form[name] if name in form.fields else None
            if field is not None and field.is_hidden:
                if not hidden:
                    continue
                field = None
            summary += [entry(error, field) for error in errors]
    return summary
