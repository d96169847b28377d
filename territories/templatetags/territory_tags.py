"""Small filters of the territory builder's and the territory list's templates."""

from collections.abc import Callable
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

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


def detail_url_maker() -> Callable[[int], str]:
    """``pk -> reverse("territories:territory_detail", args=[pk])``, HTML-escaped, for many ids
    at the cost of one ``reverse``: the URL of a marker id, cut around it."""
    marker = "2147483647"
    url = escape(reverse("territories:territory_detail", args=[marker]))
    head, tail = url.rsplit(marker, 1)
    return lambda pk: f"{head}{int(pk)}{tail}"


@register.filter
def overlap_links(overlaps: list[tuple[int | None, str]]) -> str:
    """The list's « Chevauchements » cell: a link to each territory named, the unnamed ones
    (another region's) as text, « — » for none.

    Written here rather than with ``{% for %}`` and ``{% url %}``: a page of 25 territories
    may name a thousand overlaps, and the template loop cost more than the rest of the page.
    ``html.escape`` is what Django's ``escape`` calls, without its lazy-string wrapper.
    """
    if not overlaps:
        return "—"
    url = detail_url_maker()
    return mark_safe(  # noqa: S308 (every name is escaped, every URL made of an int)
        ", ".join(
            f'<a href="{url(pk)}">{escape(name)}</a>' if pk else escape(name)
            for pk, name in overlaps
        )
    )
