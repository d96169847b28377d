"""A request id on every log record, and a JSON log format for log collectors.

``RequestIdMiddleware`` takes the id the reverse proxy sent (``X-Request-ID``) when it has
the shape of the portal's own (32 hexadecimal digits, as nginx's ``$request_id``, or a UUID)
or makes one: anything else (spaces, line breaks, long text) would be the client's words
written into the logs as given (log forging). It returns the id in the response and keeps
it in a context variable for the time of the request; ``RequestIdFilter`` puts it on every
log record (``-`` outside a request). ``JsonFormatter`` writes one JSON object a line
(``LOG_FORMAT=json``).
"""

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_ACCEPTED = re.compile(
    r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # META, not request.headers: building the headers' mapping costs more than the rest
        # of this middleware, on every request.
        sent = request.META.get("HTTP_X_REQUEST_ID", "")
        current = sent if _ACCEPTED.fullmatch(sent) else uuid.uuid4().hex
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
