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
- « Deux CPTS ne peuvent coexister sur un même territoire » (AMI ARS Bretagne, 2022):
  see ``Territory.overlapping``.
"""

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
