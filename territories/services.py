"""Writes of the territories app: the territories staff build on their own page."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from cpts_portal.roles import Role, has_role
from territories.permissions import default_region, home_region

from .models import Commune, Territory


def save_territory(
    territory: Territory,
    by: AbstractBaseUser,
    *,
    name: str,
    communes: Iterable[Commune],
    other_places: Iterable[str] = (),
) -> Territory:
    """Create (``territory`` not saved yet) or update a territory: its name and communes.

    Side effects, in one transaction: the row saved, its communes replaced. Raises
    ``PermissionDenied`` unless ``by`` is ARS staff, and for a row an AMI answer or a
    project owns: that one changes on its owner's page (history, overlap rule).
    """
    if not has_role(by, Role.ARS):
        raise PermissionDenied
    if territory.pk is not None and territory.is_used_by_other_than():
        raise PermissionDenied
    if territory.region_id is None:
        territory.region = home_region(by) or default_region()
    with transaction.atomic():
        territory.name = name
        territory.other_places = "\n".join(other_places)
        territory.save()
        territory.communes.set(communes)
    return territory
