"""Rendered HTML kept between requests, and the versions that make it stale.

Some markup is identical for every user who sees it: the blank answer form, the dashboard's
filter form for given filters (109 départements, the campaigns, the agents...). It is kept
in the ``fragments`` cache (each process's memory) under a key naming everything it
depends on: the language, the form's data, the queries of its choices, and *versions*.

A version is a random token in the ``default`` cache (Redis when configured: shared by every
process), replaced by ``bump`` whenever a table the markup shows changes
(``bump_on_change`` connects the models' signals, and bumps again when the transaction
commits; bulk writers such as ``load_geography`` call ``bump`` themselves). A new token
changes every key that includes it: the next request renders afresh, in every process, and
stale entries expire. Figures computed from many rows (the statistics,
``ami/staff/stats.py``) are kept the same way, in the default cache.

When the default cache cannot be reached, ``versions`` returns a new random token: the page
is rendered as if nothing were cached, never from a version it cannot check. After one
failure the process leaves the cache alone for ``CACHE_PAUSE_SECONDS`` (a frozen Redis
costs a request one timeout, not one per saved row), and bumps the versions it could not
bump as soon as the cache answers again.
"""

import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

logger = logging.getLogger(__name__)

PREFIX = "fragment-version:"
# Kept "for ever" (no expiry): an expired token only costs one rendering.
VERSION_TIMEOUT = None
CACHE_PAUSE_SECONDS = 30.0

# Per process: until when the cache is left alone, and the versions owed a bump.
_paused_until = 0.0
_missed: set[str] = set()


def _cache_paused() -> bool:
    return time.monotonic() < _paused_until


def cache_paused() -> bool:
    """Whether ``versions`` is making tokens up (the default cache failed lately): what is
    kept under them could never be found again, so keeping it only fills memory."""
    return _cache_paused()


def _pause_cache() -> None:
    global _paused_until
    _paused_until = time.monotonic() + CACHE_PAUSE_SECONDS


def _catch_up() -> None:
    """Bump what could not be bumped while the cache was away (called once it answers)."""
    if _missed:
        owed = sorted(_missed)
        _missed.clear()
        cache.set_many({PREFIX + name: uuid.uuid4().hex for name in owed}, VERSION_TIMEOUT)


def versions(*names: str) -> str:
    """The current tokens of ``names``, joined: part of a cache key."""
    keys = [PREFIX + name for name in names]
    if _cache_paused():
        return uuid.uuid4().hex
    try:
        _catch_up()
        found = cache.get_many(keys)
        for key in keys:
            if key not in found:
                cache.add(key, uuid.uuid4().hex, VERSION_TIMEOUT)
                found[key] = cache.get(key)
    except Exception:  # the cache is down: never serve what cannot be checked
        logger.warning("Fragment versions unavailable: rendering afresh")
        _pause_cache()
        return uuid.uuid4().hex
    return ".".join(str(found[key]) for key in keys)


# Per process: the tokens ``recent_versions`` read, and when (``time.monotonic``).
_recent: dict[tuple[str, ...], tuple[str, float]] = {}


def recent_versions(*names: str, max_age: float) -> str:
    """``versions(*names)``, read from the default cache at most once every ``max_age``
    seconds by this process (a round trip to Redis saved on every request).

    Only for answers that their own ``Cache-Control`` lets browsers and proxies keep longer
    than ``max_age`` anyway (the commune search: public, an hour): a bump made by this
    process shows at once, one made by another process within ``max_age`` seconds."""
    now = time.monotonic()
    found = _recent.get(names)
    if found is not None and now - found[1] < max_age:
        return found[0]
    token = versions(*names)
    if not _cache_paused():  # never remember a made-up token
        _recent[names] = (token, now)
    return token


@receiver(setting_changed)
def _forget_recent_versions(**kwargs: Any) -> None:
    _recent.clear()  # tests swap the default cache


def bump(*names: str) -> None:
    """Make every fragment depending on ``names`` stale, in every process."""
    _recent.clear()
    if _cache_paused():
        _missed.update(names)
        return
    try:
        _catch_up()
        cache.set_many({PREFIX + name: uuid.uuid4().hex for name in names}, VERSION_TIMEOUT)
    except Exception:
        logger.warning("Could not bump fragment versions %s", names)
        _missed.update(names)
        _pause_cache()


# Saves that change nothing any markup shows (a sign-in writes ``last_login``).
IGNORED_UPDATES = frozenset({"last_login"})


def bump_on_change(name: str, models: Iterable[str], m2m: Iterable[Any] = ()) -> None:
    """Bump ``name`` after any save or delete of ``models`` ("app.Model") and any change of
    the many-to-many relations ``m2m`` (their ``through`` models)."""

    def handler(update_fields: Any = None, **kwargs: Any) -> None:
        if update_fields and set(update_fields) <= IGNORED_UPDATES:
            return
        bump(name)
        using = kwargs.get("using")
        connection = transaction.get_connection(using)
        if not connection.in_atomic_block:
            return
        # Once more after the commit: a request that read the new token before the commit
        # may have cached what it saw of the old rows under it. Registered once per
        # transaction (an answer saves a dozen rows): a savepoint rollback that drops the
        # pending callback drops the changes made since it was registered too.
        if any(getattr(entry[1], "bumps", None) == name for entry in connection.run_on_commit):
            return

        def after_commit() -> None:
            bump(name)

        after_commit.bumps = name  # type: ignore[attr-defined]
        transaction.on_commit(after_commit, using=using)

    # Kept alive by the signals (weak=False); dispatch_uid makes a second call harmless.
    for label in models:
        model = apps.get_model(label)
        for signal in (post_save, post_delete):
            signal.connect(handler, sender=model, weak=False, dispatch_uid=f"{name}:{label}")
    for through in m2m:
        m2m_changed.connect(
            handler, sender=through, weak=False, dispatch_uid=f"{name}:{through._meta.label}"
        )


def form_key(form: Any) -> str:
    """A digest of what a form's markup depends on besides the language and the versions:
    bound or not, its data (or initial values), each field's choices (the SQL of a model
    choice field's queryset, not its rows), its errors following from those."""
    parts: list[str] = [type(form).__qualname__, str(form.prefix), str(form.is_bound)]
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if form.is_bound:
            data = form.data
            value = data.getlist(key) if hasattr(data, "getlist") else data.get(key)
        else:
            value = form.get_initial_for_field(field, name)
        parts.append(f"{name}={value!r}")
        queryset = getattr(field, "queryset", None)
        if queryset is not None:
            parts.append(queryset_key(queryset))
        elif hasattr(field, "choices"):
            parts.append(repr(list(field.choices)))
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def queryset_key(queryset: Any) -> str:
    """A digest of a queryset's SQL and parameters: what figures computed from its rows
    depend on besides the versions (its filters, whoever they come from)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # ``.none()``, or a filter no row can match
        sql, params = "", ()
    return hashlib.blake2b(repr((sql, params)).encode(), digest_size=16).hexdigest()
