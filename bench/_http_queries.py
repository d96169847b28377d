"""In-process figures for ``bench/http.py``: queries and milliseconds per request.

Run as ``python -m bench._http_queries`` with the portal's environment (the bench database,
DEBUG=0). Reads on stdin a JSON list of ``{"name", "path", "session"}`` (the session cookie of
the user signed in by the benchmark, or null) and prints, for each page, one JSON line:
``{"name", "status", "queries", "ms"}`` (the median of 5 requests after a warm-up one,
through Django's test client, queries captured with ``CaptureQueriesContext``).
"""

import json
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpts_portal.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench._common import QueryCounter  # noqa: E402


def measure(path: str, session: str | None) -> dict:
    client = Client(HTTP_HOST="127.0.0.1")
    if session:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    response = client.get(path)  # warm-up: templates, caches
    timings, queries = [], 0
    for _ in range(5):
        captured = QueryCounter()
        with connection.execute_wrapper(captured):
            started = time.perf_counter()
            response = client.get(path)
            if getattr(response, "streaming", False):
                for _chunk in response.streaming_content:
                    pass
            timings.append(time.perf_counter() - started)
        queries = captured.count
    return {
        "status": response.status_code,
        "queries": queries,
        "ms": statistics.median(timings) * 1000,
    }


for page in json.load(sys.stdin):
    print(json.dumps({"name": page["name"], **measure(page["path"], page["session"])}), flush=True)
