"""Only an X-Request-ID of the portal's own shape reaches the logs (finding 10 of #12)."""

import logging

import pytest

from cpts_portal.request_id import RequestIdFilter

pytestmark = pytest.mark.django_db

FORGED = [
    "abcdef0123456789abcdef0123456789\r\nINFO forged log line",
    "abcdef0123456789abcdef0123456789\n",
    "request id with spaces",
    "a" * 200,
    "0" * 200,
    "abc-123-def-456",  # the old rule's letters, digits and dashes: any text of 8 to 64
    "not-a-uuid-but-long-enough-0000000000000000",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("sent", FORGED)
def test_a_request_id_not_of_the_portals_shape_is_replaced(client, sent):
    returned = client.get("/robots.txt", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
    assert returned != sent
    assert len(returned) == 32 and int(returned, 16) >= 0


# Fixed values: xdist workers must collect the same parameters.
PROXY_IDS = [
    "fa91ad130db648cb98206d3ed519c36e",
    "b047b6f1-bf8a-41b8-a797-11c36fe27eae",
    "3CBE3C75A3B846139509DD23643E93F7",
]


@pytest.mark.parametrize("sent", PROXY_IDS)
def test_a_proxy_request_id_is_kept(client, sent):
    assert client.get("/robots.txt", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] == sent


def test_a_forged_request_id_never_reaches_a_log_record(client, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    forged = "0123456789abcdef0123456789abcdef\n"  # the old rule's $ let the newline through
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/nulle-part/", HTTP_X_REQUEST_ID=forged)
    ids = [record.request_id for record in caplog.records if record.name == "django.request"]
    assert ids and all("\n" not in value for value in ids)
