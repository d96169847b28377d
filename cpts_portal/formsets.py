"""Formset helpers shared by the AMI form and the projet de santé."""

from collections.abc import Mapping

from django.forms import BaseFormSet
from django.http import QueryDict


def with_added_row(data: QueryDict, formsets: Mapping[str, type[BaseFormSet]]) -> QueryDict | None:
    """The POST data with one more blank row in the formset named by the « add_row » button.

    ``formsets`` maps each prefix the page may extend to its formset class, whose
    ``max_num`` caps the rows. This is how rows are added without JavaScript: the button
    re-renders the form. ``None`` when the button names no such formset.
    """
    prefix = data.get("add_row")
    if prefix not in formsets:
        return None
    data = data.copy()
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", "1"))
    except ValueError:
        total = 1
    data[f"{prefix}-TOTAL_FORMS"] = str(max(min(total + 1, formsets[prefix].max_num), 1))
    return data
