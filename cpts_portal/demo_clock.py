"""A clock for the demo data only: tell a story with dates in the past.

The demo walks its answers and projects through the real services (workflow, history,
milestones, contract), each step on its own day, so that every date they record is in
order: an answer received, then oriented, then its project created, its milestones done,
its letter deposited... ``demo_clock(moment)`` makes ``django.utils.timezone.now()`` (and
so ``localdate()``, ``auto_now`` and the ``default=timezone.now`` fields) return
``moment`` for the duration of the block. Never used outside ``setup_demo``'s data.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime as real_datetime
from unittest import mock


class _DemoDatetimeMeta(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, real_datetime)


@contextmanager
def demo_clock(moment: real_datetime) -> Iterator[None]:
    """``timezone.now()`` returns ``moment`` (aware) inside the block."""

    class DemoDatetime(real_datetime, metaclass=_DemoDatetimeMeta):
        @classmethod
        def now(cls, tz=None) -> real_datetime:
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    with mock.patch("django.utils.timezone.datetime", DemoDatetime):
        yield
