"""Private links (/suivi/<token>/) never reach the logs."""

import io
import logging
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from gunicorn.config import Config

from cpts_portal.gunicorn_logging import MaskingLogger
from cpts_portal.log_filters import mask_private_links

TOKEN = "Zk3xQ9_secret-token-AbCdEfGh0123456789"


@contextmanager
def captured(handler: logging.Handler):
    """What ``handler`` (a configured StreamHandler) writes, while the block runs."""
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def handler_named(logger_name: str, handler_name: str) -> logging.Handler:
    logger = logging.getLogger(logger_name)
    return next(handler for handler in logger.handlers if handler.name == handler_name)


@pytest.mark.parametrize("name", ["ami:follow", "ami:edit"])
def test_both_private_urls_are_masked(name):
    url = reverse(name, kwargs={"token": TOKEN})
    masked = mask_private_links(f"GET {url} HTTP/1.1")
    assert TOKEN not in masked
    assert "/suivi/[masqué]/" in masked


def test_other_paths_are_left_alone():
    line = "GET /ami/bretagne-2022-04/?page=2 HTTP/1.1"
    assert mask_private_links(line) == line


def test_development_server_request_lines_do_not_show_the_token():
    handler = handler_named("django.server", "django.server")
    with captured(handler) as stream:
        logging.getLogger("django.server").info(
            '"%s" %s %s',
            f"GET /suivi/{TOKEN}/modifier/ HTTP/1.1",
            "200",
            "5123",
            extra={"status_code": 200},
        )
    output = stream.getvalue()
    assert TOKEN not in output
    assert '"GET /suivi/[masqué]/modifier/ HTTP/1.1" 200 5123' in output


@pytest.mark.django_db
def test_not_found_warning_of_a_private_link_does_not_show_the_token(client):
    handler = handler_named("", "console")
    with captured(handler) as stream:
        assert client.get(f"/suivi/{TOKEN}/").status_code == 404
    output = stream.getvalue()
    assert "Not Found: /suivi/[masqué]/" in output
    assert TOKEN not in output


@pytest.mark.django_db
def test_csrf_refusal_on_a_private_link_does_not_show_the_token(client):
    from django.test import Client

    handler = handler_named("", "console")
    with captured(handler) as stream:
        response = Client(enforce_csrf_checks=True).post(f"/suivi/{TOKEN}/modifier/", {})
    assert response.status_code == 403
    output = stream.getvalue()
    assert "Forbidden (CSRF" in output
    assert TOKEN not in output


def gunicorn_line(environ: dict) -> str:
    logger = MaskingLogger(Config())
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ.get("HTTP_REFERER", "-"))])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=12))
    return Config().access_log_format % logger.atoms_wrapper_class(atoms)


def test_gunicorn_access_log_masks_the_request_line_and_the_referer():
    environ = {
        "REMOTE_ADDR": "192.0.2.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/static/css/portal.css",
        "PATH_INFO": "/static/css/portal.css",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://portail-cpts.example.fr/suivi/{TOKEN}/",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    line = gunicorn_line(environ)
    assert TOKEN not in line
    assert '"https://portail-cpts.example.fr/suivi/[masqué]/"' in line

    environ.update(RAW_URI=f"/suivi/{TOKEN}/modifier/", PATH_INFO=f"/suivi/{TOKEN}/modifier/")
    line = gunicorn_line(environ)
    assert TOKEN not in line
    assert '"GET /suivi/[masqué]/modifier/ HTTP/1.1" 200 1234' in line
