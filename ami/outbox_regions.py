"""The regions of the outbox (``notifications.regions``), told by the AMI: the lowest app
that knows both regions and the outbox."""

from django.db.models import Model

from territories.models import Region
from territories.permissions import EVERY_REGION, User, region_scope


def region_code_of(obj: Model) -> str:
    """The region code of an answer (its campaign's), or of any object with a ``region``
    (a campaign, a territory, a CPTS project); "" for anything else."""
    holder = obj.campaign if hasattr(obj, "campaign_id") else obj
    if getattr(holder, "region_id", None) is None:
        return ""
    return holder.region.code  # the region once per object (cached on it)


def region_codes_of_user(user: User) -> frozenset[str] | None:
    """The codes of the regions ``user`` reads; ``None`` for every region."""
    scope = region_scope(user)
    if scope is EVERY_REGION:
        return None
    return frozenset(Region.objects.filter(pk__in=scope).values_list("code", flat=True))
