"""Template helpers of the staff workspace."""

from django import template

from ..workflow import Action, can

register = template.Library()


@register.filter
def may(user, action: str) -> bool:
    """``{% if user|may:"personal_data" %}``: the role table of ``ami.workflow`` decides, as
    for the view the link leads to (and from the roles already read, without a query)."""
    return can(user, Action(action))
