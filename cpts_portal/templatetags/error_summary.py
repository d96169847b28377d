"""``{% error_summary form formset ... %}``: the error summary of a page sent back with errors.

Renders ``includes/error_summary.html`` with the errors of the given forms and formsets
(see ``cpts_portal.error_summary``); nothing when they have none. ``None`` and unbound
forms are skipped, so a page can name all of its forms.
"""

from django import template

from cpts_portal.error_summary import error_summary as summary_of

register = template.Library()


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms) -> dict:
    return {"error_summary": summary_of(*forms)}
