"""The AMI answers using a territory, for ``territories.uses`` (registered in ``AmiConfig``)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from territories.uses import TerritoryUse

from .models import Submission


def answers_of(territory_ids: list[int]) -> dict[int, list[TerritoryUse]]:
    result: dict[int, list[TerritoryUse]] = {}
    rows = (
        Submission.objects.filter(territory_id__in=territory_ids)
        .order_by("pk")
        .values_list("pk", "territory_id", "campaign__edition")
    )
    for pk, territory_id, edition in rows:
        reference = Submission(pk=pk).reference
        result.setdefault(territory_id, []).append(
            TerritoryUse(
                _("Réponse à l’AMI"),
                f"{reference} — {edition}",
                reverse("staff:submission", args=[pk]),
            )
        )
    return result


def used_by_answers() -> Q:
    return Q(submission__isnull=False)
