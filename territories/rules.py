"""The territory rules of the source documents, in one place.

- ACI size tiers (accord conventionnel interprofessionnel of 2019, as quoted by the URPS
  Médecins Libéraux Occitanie guide, 2021): taille 1 « moins de 40 000 habitants »,
  taille 2 « entre 40 000 et 80 000 », taille 3 « entre 80 000 et 175 000 »,
  taille 4 « plus de 175 000 ». The source leaves the shared bounds open; the rule here
  puts 40,000 and 80,000 in the upper tier (lower bound inclusive) and 175,000 in tier 3
  (taille 4 is strictly « plus de » 175,000).
- Order of magnitude: « des populations d'un ordre de grandeur supérieur à 20 000
  habitants » (AMI ARS Bretagne, 2022).
- Projects across département or région borders « sont plus difficiles à mettre en
  œuvre » (URPS guide, 2021); the territory is « infra-départemental de préférence ».
- « Deux CPTS ne peuvent coexister sur un même territoire » (AMI ARS Bretagne, 2022): a
  rule between projects, ``projects.rules.overlap_blocks``; ``Territory.overlapping`` is
  the query that finds the territories sharing communes.

And the search form of commune names (``normalize_commune_name``), which the loader, the
search and the builder share.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SizeTier:
    number: int
    lowest: int  # inclusive
    highest: int | None  # inclusive; None: no upper bound
    label: str


SIZE_TIERS: tuple[SizeTier, ...] = (
    SizeTier(1, 0, 39_999, _("Taille 1 : moins de 40 000 habitants")),
    SizeTier(2, 40_000, 79_999, _("Taille 2 : de 40 000 à 80 000 habitants")),
    SizeTier(3, 80_000, 175_000, _("Taille 3 : de 80 000 à 175 000 habitants")),
    SizeTier(4, 175_001, None, _("Taille 4 : plus de 175 000 habitants")),
)
SIZE_TIERS_SOURCE = _(
    "Accord conventionnel interprofessionnel de 2019 (guide URPS Médecins Libéraux Occitanie, 2021)"
)
MINIMUM_USUAL_POPULATION = 20_000


def size_tier(population: int) -> SizeTier:
    """The ACI size tier of a territory of ``population`` inhabitants."""
    if population < 0:
        raise ValueError("population cannot be negative")
    return next(tier for tier in SIZE_TIERS if tier.highest is None or population <= tier.highest)


@dataclass(frozen=True)
class TerritoryWarning:
    code: str
    message: str


def territory_warnings(
    population: int, departements: list[str], regions: list[str]
) -> list[TerritoryWarning]:
    """What staff and professionals should know about a territory's shape (not refusals)."""
    warnings = []
    if population < MINIMUM_USUAL_POPULATION:
        warnings.append(
            TerritoryWarning(
                "small",
                _(
                    "Moins de 20 000 habitants : l’AMI vise des territoires d’un ordre de "
                    "grandeur supérieur à 20 000 habitants."
                ),
            )
        )
    if len(regions) > 1:
        warnings.append(
            TerritoryWarning(
                "several_regions",
                _(
                    "Le territoire s’étend sur plusieurs régions (%(regions)s) : ces projets "
                    "sont plus difficiles à mettre en œuvre."
                )
                % {"regions": ", ".join(regions)},
            )
        )
    elif len(departements) > 1:
        warnings.append(
            TerritoryWarning(
                "several_departements",
                _(
                    "Le territoire s’étend sur plusieurs départements (%(departements)s) : un "
                    "territoire infra-départemental est préférable."
                )
                % {"departements": ", ".join(departements)},
            )
        )
    return warnings


def outside_region_warning(region: str, communes: list[str]) -> TerritoryWarning:
    """Communes outside the region the territory belongs to (its campaign's, its
    project's, its own): a territory may cross a border, but the ARS should know."""
    return TerritoryWarning(
        "outside_region",
        _("Communes hors de la région %(region)s : %(communes)s.")
        % {"region": region, "communes": ", ".join(communes)},
    )


# What a user reads of a project or territory of a region they may not read, when it
# shares communes with one of theirs: that it exists, never its name nor a link.
NEIGHBOUR_REGION_PROJECT = _("un projet existe dans la région voisine")


def overlap_warning(territories: list[str]) -> TerritoryWarning:
    return TerritoryWarning(
        "overlap",
        _(
            "Des communes appartiennent aussi à d’autres territoires (%(territories)s) : deux "
            "CPTS ne peuvent coexister sur un même territoire."
        )
        % {"territories": ", ".join(territories)},
    )


def other_places_warning(places: list[str]) -> TerritoryWarning:
    return TerritoryWarning(
        "other_places",
        _(
            "Lieux non reconnus, gardés tels que saisis : %(places)s. Ils ne comptent ni dans "
            "la population ni dans la taille."
        )
        % {"places": ", ".join(f"« {place} »" for place in places)},
    )


# --- Commune names -----------------------------------------------------------------------

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
