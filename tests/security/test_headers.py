"""Security headers and cookies of real responses, with the production settings."""

import importlib.util
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CampaignFactory, SubmissionFactory

from .conftest import ROOT, run_manage

pytestmark = pytest.mark.django_db

HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}
PASSWORD = "Un mot de passe assez long 42"

EXPECTED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
}


def parse_csp(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def page_url(name: str) -> str:
    """The URL of one page of the portal, with the data it needs."""
    if name in {"follow", "edit"}:
        token = SubmissionFactory().access_token
        return reverse(f"ami:{name}", kwargs={"token": token})
    if name == "answer":
        return reverse("ami:answer", kwargs={"slug": CampaignFactory().slug})
    return reverse({"home": "ami:home", "admin_login": "admin:login"}.get(name, name))


def test_check_deploy_reports_nothing_for_a_production_configuration():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults_turn_on_https_hsts_and_secure_cookies(production_settings):
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert production_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production_settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    assert production_settings["RATELIMIT_ENABLED"] is True


PAGES = ["home", "answer", "follow", "edit", "privacy", "legal", "admin_login"]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_carries_the_security_headers_in_production(client, production_overrides, name):
    url = page_url(name)
    response = client.get(url, **HTTPS)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_csp_allows_no_inline_or_eval_anywhere(client, production_overrides):
    header = client.get(reverse("ami:home"), **HTTPS)["Content-Security-Policy"]
    for directive, sources in parse_csp(header).items():
        assert not sources & {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"}, directive


def test_plain_http_is_redirected_to_https_in_production(client, production_overrides):
    response = client.get(reverse("ami:home"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def load_healthcheck():
    spec = importlib.util.spec_from_file_location("healthcheck", ROOT / "docker" / "healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ClientConnection:
    """Stands for http.client.HTTPConnection in docker/healthcheck.py: the request goes
    through Django's whole stack (middleware included) with the test client."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.response = None

    def request(self, method: str, path: str, headers: dict[str, str]) -> None:
        meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
        self.response = Client().generic(method, path, **meta)

    def getresponse(self):
        return SimpleNamespace(status=self.response.status_code)

    def close(self) -> None:
        pass


@pytest.mark.parametrize("behind_proxy", ["1", "0"])
def test_docker_health_check_stays_healthy_with_https_redirect_on(
    production_overrides, monkeypatch, capsys, behind_proxy
):
    healthcheck = load_healthcheck()
    monkeypatch.setattr(healthcheck.http.client, "HTTPConnection", ClientConnection)
    monkeypatch.setenv("ALLOWED_HOSTS", "portail-cpts.example.fr")
    monkeypatch.setenv("BEHIND_HTTPS_PROXY", behind_proxy)
    production_overrides.ALLOWED_HOSTS = ["portail-cpts.example.fr"]
    assert healthcheck.main() == 0
    # The health endpoint is exempt from the HTTPS redirect: probes speak plain HTTP inside.
    assert "GET /sante/ -> 200" in capsys.readouterr().out


def test_session_and_csrf_cookies_are_secure_httponly_and_lax_in_production(
    client, production_overrides, django_user_model
):
    django_user_model.objects.create_user("agent", password=PASSWORD, is_staff=True)
    form = client.get(reverse("admin:login"), **HTTPS)
    login = client.post(
        reverse("admin:login"),
        {"username": "agent", "password": PASSWORD, "next": "/admin/"},
        **HTTPS,
    )
    assert login.status_code == 302
    for cookie in (form.cookies["csrftoken"], login.cookies["sessionid"]):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


def test_private_pages_send_no_referrer_to_other_sites(client, production_overrides):
    submission = SubmissionFactory()
    for url in (submission.get_private_url(), reverse("ami:edit", args=[submission.access_token])):
        assert client.get(url, **HTTPS)["Referrer-Policy"] == "same-origin"
