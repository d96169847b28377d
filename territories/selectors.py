"""Reads over territories shared by the apps that locate things on the map."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from territories.models import Commune


@dataclass(frozen=True)
class Area:
    """Communes where something happens, and the EPCI they belong to."""

    commune_ids: frozenset[int]
    epci_ids: frozenset[int]

    def __bool__(self) -> bool:
        return bool(self.commune_ids)

    def lookup(self, commune_path: str) -> Q:
        """A filter matching rows whose ``commune_path`` is in the area or one of its EPCI."""
        return Q(**{f"{commune_path}__in": self.commune_ids}) | Q(
            **{f"{commune_path}__epci__in": self.epci_ids}
        )


def area_of(commune_ids: Iterable[int]) -> Area:
    ids = frozenset(commune_ids)
    epcis = (
        Commune.objects.filter(pk__in=ids, epci__isnull=False).values_list("epci_id", flat=True)
        if ids
        else []
    )
    return Area(ids, frozenset(epcis))
