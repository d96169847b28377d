"""Which regions a user's data may come from: the one place that scopes staff by region.

A partner agent (ARS, URPS, Assurance Maladie) belongs to an institution of one region
(``StaffMembership``) and reads that region's campaigns, answers, projects and territories
only; the national role and superusers read every region; anyone else (a coordinator, a
staff account not attached to an institution yet) reads no region's data through the staff
pages — a coordinator reaches their own projects through ``projects.permissions``.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet

from cpts_portal.roles import STAFF_ROLES, Role, has_role

from .models import Region, StaffMembership

User = AbstractBaseUser | AnonymousUser

# ``region_scope``'s answer for the national level: no filter.
EVERY_REGION = None


def region_scope(user: User) -> frozenset[int] | None:
    """The ids of the regions ``user`` may read, or ``EVERY_REGION`` (``None``).

    One query at most per user object (cached on it like its roles); ``forget_region``
    drops the cache when the membership changes.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser or has_role(user, Role.NATIONAL):
        return EVERY_REGION
    region_id, _ars_name = _membership_of(user)
    return frozenset() if region_id is None else frozenset({region_id})


def _membership_of(user: User) -> tuple[int | None, str]:
    """The region id and ARS name of the user's institution, ``(None, "")`` if unattached:
    one query per user object, shared by the scope and the header."""
    cached = getattr(user, "_membership", None)
    if cached is None:
        row = (
            StaffMembership.objects.filter(user_id=user.pk)
            .values_list("institution__region_id", "institution__region__identity__ars_name")
            .first()
        )
        cached = (row[0], row[1] or "") if row else (None, "")
        user._membership = cached
    return cached


def operator_of(user: User) -> str:
    """The ARS a partner agent works with (their region's), for the header and footer; ""
    for anyone else (the portal's operator is named then). No query for a coordinator or
    a visitor; for an agent, the one ``region_scope`` makes anyway."""
    if not user.is_authenticated or user.is_superuser or not has_role(user, *STAFF_ROLES):
        return ""
    return _membership_of(user)[1]


def forget_region(sender, instance: StaffMembership, **kwargs) -> None:
    """Connected to the save and delete of ``StaffMembership``."""
    instance.user.__dict__.pop("_membership", None)


def in_region_scope(user: User, region_id: int | None) -> bool:
    """Whether ``user`` may read an object of the region ``region_id``."""
    scope = region_scope(user)
    return scope is EVERY_REGION or region_id in scope


def scope_by_region(rows: QuerySet, user: User, field: str = "region") -> QuerySet:
    """``rows`` restricted to the regions ``user`` may read (``field``: the lookup path to
    the region, e.g. ``"campaign__region"`` for answers). Adds a WHERE, never a query."""
    scope = region_scope(user)
    if scope is EVERY_REGION:
        return rows
    return rows.filter(**{f"{field}__in": scope})


def home_region(user: User) -> Region | None:
    """The region of the user's institution (``None`` for national staff and the rest):
    where what they create belongs (a campaign, a territory drawn from scratch)."""
    if not user.is_authenticated:
        return None
    membership = (
        StaffMembership.objects.filter(user_id=user.pk)
        .select_related("institution__region")
        .first()
    )
    return membership.institution.region if membership else None


def default_region() -> Region:
    """The region of ``settings.PORTAL_DEFAULT_REGION`` (where a superuser's or the national
    level's new rows go, and whose ARS names the pages of no region)."""
    region, _created = Region.objects.get_or_create(
        code=settings.PORTAL_DEFAULT_REGION, defaults={"name": settings.PORTAL_DEFAULT_REGION}
    )
    return region


def region_of(obj: Model) -> int | None:
    """The region id of a campaign, territory or project (an object with ``region_id``)."""
    return getattr(obj, "region_id", None)
