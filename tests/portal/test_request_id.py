"""Request ids in responses and logs; the JSON log format."""

import contextvars
import json
import logging

import pytest

from cpts_portal.request_id import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_each_response_carries_a_request_id(client):
    first = client.get("/robots.txt")["X-Request-ID"]
    second = client.get("/robots.txt")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_the_proxy_request_id_is_kept_and_a_forged_one_replaced(client):
    proxy_id = "0af7651916cd43dd8448eb211c80319c"  # nginx's $request_id shape
    assert client.get("/robots.txt", HTTP_X_REQUEST_ID=proxy_id)["X-Request-ID"] == proxy_id
    forged = client.get("/robots.txt", HTTP_X_REQUEST_ID="x\n<script>")["X-Request-ID"]
    assert forged != "x\n<script>" and len(forged) == 32


def test_log_records_of_a_request_carry_its_id_as_json(client, caplog):
    caplog.handler.addFilter(RequestIdFilter())  # as the console handler does, at emit time
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/nulle-part/")
    record = next(r for r in caplog.records if r.name == "django.request")
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "django.request"
    assert "Not Found" in entry["message"]
    assert entry["request_id"] == response["X-Request-ID"]


def test_outside_any_request_the_id_is_a_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
    context = contextvars.Context()
    context.run(RequestIdFilter().filter, record)
    assert record.request_id == "-"
