"""Which rows of the apps above use a territory (AMI answers, CPTS projects), without
importing them.

Apps depend one way (``territories`` ← ``ami`` ← ``projects``): the territory list and page
must say which answers and projects use a territory, yet this app may import neither. Each
app above registers one provider in its ``AppConfig.ready()``, as ``projects`` answers the
hooks of ``ami.hooks``: a provider takes territory ids and returns, per id, the uses it
knows, in one query for any number of ids (the list pages have a query budget). A second
provider under the same name is refused; without providers, a territory has no use.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q


@dataclass(frozen=True)
class TerritoryUse:
    kind: str  #: « Réponse à l’AMI », « Projet de CPTS »
    label: str
    url: str


#: Territory ids -> {territory id: [uses]}; one query whatever the number of ids.
UseProvider = Callable[[list[int]], dict[int, list[TerritoryUse]]]
#: A filter on ``Territory`` rows: those the provider's rows point at.
UsedFilter = Callable[[], Q]


@dataclass(frozen=True)
class Provider:
    uses: UseProvider
    used: UsedFilter


_providers: dict[str, Provider] = {}


def _qualified(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def register(name: str, uses: UseProvider, used: UsedFilter) -> None:
    """Make ``uses`` and ``used`` answer for ``name`` (« answers », « projects »).

    Registering the same functions again is allowed (``ready()`` may run twice in tests).
    """
    current = _providers.get(name)
    if current is not None and _qualified(current.uses) != _qualified(uses):
        raise ImproperlyConfigured(
            f"Territory uses {name!r} already has a provider: {_qualified(current.uses)}"
        )
    _providers[name] = Provider(uses, used)


def uses_of(territory_ids: Iterable[int]) -> dict[int, list[TerritoryUse]]:
    """Every registered use of these territories: one query per provider."""
    ids = list(territory_ids)
    result: dict[int, list[TerritoryUse]] = {pk: [] for pk in ids}
    if not ids:
        return result
    for name in sorted(_providers):
        for pk, uses in _providers[name].uses(ids).items():
            result.setdefault(pk, []).extend(uses)
    return result


def used_filter() -> Q:
    """Territories used by a row of any registered app (``Q(pk__in=[])`` if none)."""
    query = Q(pk__in=[])
    for provider in _providers.values():
        query |= provider.used()
    return query


def used_by(name: str) -> Q:
    """Territories used by the rows of one registered app (``Q(pk__in=[])`` if absent)."""
    provider = _providers.get(name)
    return provider.used() if provider is not None else Q(pk__in=[])
