"""The region of an outgoing email, without importing the apps that know regions.

``notifications`` sits below every app: the app that knows regions registers, once, how to
read the region code of the object an email is about, and the codes of the regions a user
reads (``register``). Without a registration (a single-region deployment), emails have no
region code and every agent allowed to read the outbox reads all of it.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Model

# What ``user_region_codes`` answers for the national level and superusers: no filter.
EVERY_REGION = None

_hooks: dict[str, Callable[..., Any]] = {}


def register(
    code_of: Callable[[Model], str], codes_of_user: Callable[[Any], frozenset[str] | None]
) -> None:
    """``code_of(obj)``: the region code of the object an email is about ("" when none);
    ``codes_of_user(user)``: the codes of the regions ``user`` reads, ``None`` for all."""
    _hooks["code_of"] = code_of
    _hooks["codes_of_user"] = codes_of_user


def region_code_of(obj: Model | None) -> str:
    if obj is None or "code_of" not in _hooks:
        return ""
    return _hooks["code_of"](obj) or ""


def user_region_codes(user: Any) -> frozenset[str] | None:
    if "codes_of_user" not in _hooks:
        return EVERY_REGION
    return _hooks["codes_of_user"](user)
