"""Helpers of the data migrations that gave every row a region (one region served before).

Used with the historical models a migration gets (``apps``), never the current ones.
"""

from django.conf import settings

# Names of the regions, for a database upgraded before its geography was loaded (the
# default region must exist to own the rows; ``load_geography`` completes it later).
_REGION_NAMES = {"53": "Bretagne", "76": "Occitanie"}


def default_region(apps):
    """The region of ``PORTAL_DEFAULT_REGION``, created bare when the geography is absent."""
    Region = apps.get_model("territories", "Region")
    code = settings.PORTAL_DEFAULT_REGION
    region, _created = Region.objects.get_or_create(
        code=code, defaults={"name": _REGION_NAMES.get(code, code)}
    )
    return region


def region_by_name(apps, name: str, fallback):
    """The region called ``name`` (accents and case aside), else ``fallback``."""
    from territories.rules import normalize_commune_name

    wanted = normalize_commune_name(name or "")
    for region in apps.get_model("territories", "Region").objects.all():
        if normalize_commune_name(region.name) == wanted:
            return region
    return fallback
