"""Small filters of the territory builder's template."""

from django import template

from territories.builder import TerritoryBuilderForm
from territories.models import Commune
from territories.search import commune_suggestion_label

register = template.Library()


@register.filter
def suggestion_value(builder: TerritoryBuilderForm, commune: Commune) -> str:
    return builder.suggestion_value(commune)


@register.filter
def suggestion_label(commune: Commune) -> str:
    return commune_suggestion_label(commune)
