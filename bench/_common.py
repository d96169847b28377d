"""Shared by the benchmark scripts: Django set-up, a throwaway database, percentiles."""

import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpts_portal.settings")
    import django

    django.setup()


@contextmanager
def throwaway_database(label: str) -> Iterator[None]:
    """A freshly migrated database of its own, dropped at the end.

    A temporary SQLite file (not in-memory, to measure real disk writes) or
    ``bench_<label>_<pid>`` on the configured PostgreSQL server: the configured database,
    and a concurrent pytest run's test database, are left alone.
    """
    from django.db import connection

    with tempfile.TemporaryDirectory() as tmp:
        original_name = connection.settings_dict["NAME"]
        test_settings = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            test_settings["NAME"] = str(Path(tmp) / "bench.sqlite3")
        else:
            test_settings["NAME"] = f"bench_{label}_{os.getpid()}"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            version = ".".join(map(str, connection.get_database_version()))
            print(f"Database: {connection.vendor} {version} ({connection.settings_dict['NAME']})")
            yield
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def describe_ms(values: list[float]) -> str:
    milliseconds = [value * 1000 for value in values]
    p50, p95 = statistics.median(milliseconds), percentile(milliseconds, 0.95)
    worst, count = max(milliseconds), len(milliseconds)
    return f"p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   max {worst:6.2f} ms   (n={count})"


class QueryCounter:
    """``with connection.execute_wrapper(counter := QueryCounter()):`` counts the queries.

    Counted through the connection: Django's ``CaptureQueriesContext`` loses a request's
    queries, as ``request_started`` empties the connection's log.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
