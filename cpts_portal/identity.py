"""Who operates the portal, for the pages that belong to no region (legal notice, privacy).

``cpts_portal`` is below every app: it cannot read ``territories.RegionIdentity``. The
territories app registers the reader in its ``AppConfig.ready()``; without it the portal
names the settings' operator alone.
"""

from collections.abc import Callable
from typing import Any

_served: Callable[[], list[Any]] | None = None


def register_served_identities(reader: Callable[[], list[Any]]) -> None:
    global _served
    _served = reader


def served_identities() -> list[Any]:
    """The identities (``ars_name``, ``privacy_controller``, ``privacy_contact``…) of the
    regions served; empty when no app provides them."""
    return _served() if _served is not None else []


_operator_of: Callable[[Any], str] | None = None


def register_operator_of(reader: Callable[[Any], str]) -> None:
    global _operator_of
    _operator_of = reader


def operator_of(user: Any) -> str:
    """The ARS a signed-in agent works with (their region's), "" when unknown: the header
    and footer then name the portal's operator (``PORTAL_OPERATOR``)."""
    return _operator_of(user) if _operator_of is not None else ""
