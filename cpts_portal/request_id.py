"""A request id on every log record, and a JSON log format for log collectors.

``RequestIdMiddleware`` takes the id the reverse proxy sent (``X-Request-ID``, when it looks
like one) or makes one, returns it in the response and keeps it in a context variable for
the time of the request; ``RequestIdFilter`` puts it on every log record (``-`` outside a
request). ``JsonFormatter`` writes one JSON object a line (``LOG_FORMAT=json``).
"""

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get("X-Request-ID", "")
        current = sent if _ACCEPTED.match(sent) else uuid.uuid4().hex
        # Not reset on the way out: Django logs 4xx and 5xx responses after the middleware
        # chain has returned, and those lines need the id too; the next request sets its own.
        request_id.set(current)
        response = self.get_response(request)
        response["X-Request-ID"] = current
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, request id, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
