"""The CPTS projects using a territory, for ``territories.uses`` (see ``ProjectsConfig``)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from territories.uses import TerritoryUse

from .models import CptsProject


def projects_of(territory_ids: list[int]) -> dict[int, list[TerritoryUse]]:
    result: dict[int, list[TerritoryUse]] = {}
    rows = (
        CptsProject.objects.filter(territory_id__in=territory_ids)
        .order_by("name", "pk")
        .values_list("pk", "territory_id", "name")
    )
    for pk, territory_id, name in rows:
        result.setdefault(territory_id, []).append(
            TerritoryUse(_("Projet de CPTS"), name, reverse("projects:detail", args=[pk]))
        )
    return result


def used_by_projects() -> Q:
    return Q(cpts_projects__isnull=False)
