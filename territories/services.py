"""Territory services: name normalisation and what a set of communes amounts to.

Other apps call these functions (e.g. ``size_tier``), never the territory views.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from territories.rules import SizeTier, TerritoryWarning, size_tier, territory_warnings

__all__ = ["TerritorySummary", "normalize_commune_name", "size_tier", "summarize_communes"]

# Letters that Unicode decomposition leaves whole (Œuilly, Bonnœil).
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Abbreviations people type for the saints most commune names start with.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normalize_commune_name(text: str) -> str:
    """Return the search form of a commune name, as stored in ``Commune.search_name``.

    Lowercase, accents and ligatures removed, every run of hyphens, apostrophes,
    punctuation or spaces turned into a single space, and the abbreviations
    St/Ste/Sts/Stes expanded, so that what a user types and the official name meet:

    >>> normalize_commune_name("Ste-Anne-d'Auray")
    'sainte anne d auray'
    >>> normalize_commune_name("L'Haÿ-les-Roses")
    'l hay les roses'
    """
    text = text.lower().translate(_LIGATURES)
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    words = _NON_ALNUM.sub(" ", text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


@dataclass(frozen=True)
class TerritorySummary:
    """What a set of communes amounts to, for the builder and the staff pages."""

    commune_count: int
    population: int
    tier: SizeTier
    departements: list[str]
    regions: list[str]
    warnings: list[TerritoryWarning]


def summarize_communes(communes: QuerySet) -> TerritorySummary:
    """Population, ACI size tier and warnings of a set of communes, in two queries."""
    totals = communes.aggregate(count=Count("pk"), population=Sum("population"))
    population = totals["population"] or 0
    places = (
        communes.order_by()
        .values_list("departement__code", "departement__name", "departement__region__name")
        .distinct()
    )
    departements = sorted({f"{name} ({code})" for code, name, _region in places})
    regions = sorted({region for _code, _name, region in places})
    return TerritorySummary(
        commune_count=totals["count"],
        population=population,
        tier=size_tier(population),
        departements=departements,
        regions=regions,
        warnings=territory_warnings(population, departements, regions) if totals["count"] else [],
    )
