"""``cpts_portal.csp.PortalCSPMiddleware`` writes the headers django-csp's middleware
writes, building the settings' policy once per process."""

import pytest
from csp.constants import NONCE, SELF
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from cpts_portal import csp as portal_csp
from cpts_portal.csp import PortalCSPMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def both(make_response, path: str = "/") -> tuple[dict, dict, object]:
    """The CSP headers each middleware writes on the same response, and the request."""
    results = []
    request = None
    for middleware_class in (CSPMiddleware, PortalCSPMiddleware):
        request = RequestFactory().get(path)
        middleware = middleware_class(lambda request: make_response(request))
        response = middleware(request)
        results.append({name: response.get(name) for name in HEADERS})
    return results[0], results[1], request


def parsed(headers: dict) -> dict:
    """Directives are written in a set's order: compare them as sets."""
    return {
        name: headers.get(name) and {part.strip() for part in headers[name].split(";")}
        for name in HEADERS
    }


def test_the_settings_policy_is_the_same_and_built_once(monkeypatch):
    django_csp, portal, _request = both(lambda request: HttpResponse("ok"))
    assert parsed(portal) == parsed(django_csp)
    assert "frame-ancestors 'none'" in portal["Content-Security-Policy"]

    built = []
    monkeypatch.setattr(portal_csp, "build_policy", lambda **kw: built.append(kw) or "x")
    both(lambda request: HttpResponse("ok"))
    assert built == []  # already built in this process


def test_a_changed_setting_is_followed(settings):
    both(lambda request: HttpResponse("ok"))
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF, "cdn.example"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": [SELF]}}

    django_csp, portal, _request = both(lambda request: HttpResponse("ok"))

    assert parsed(portal) == parsed(django_csp)
    assert "default-src 'self' cdn.example" in parsed(portal)["Content-Security-Policy"]
    assert "img-src 'self'" in parsed(portal)["Content-Security-Policy-Report-Only"]


def test_a_views_own_policy_and_exemptions_are_kept():
    def updated(request):
        response = HttpResponse("ok")
        response._csp_update = {"img-src": ["tiles.example"]}
        return response

    def exempt(request):
        response = HttpResponse("ok")
        response._csp_exempt = True
        return response

    django_csp, portal, _request = both(updated)
    assert parsed(portal) == parsed(django_csp)
    assert "tiles.example" in portal["Content-Security-Policy"]
    django_csp, portal, _request = both(exempt)
    assert portal == django_csp == dict.fromkeys(HEADERS)


def test_a_nonce_used_by_the_page_is_in_its_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def with_nonce(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    request = RequestFactory().get("/")
    response = PortalCSPMiddleware(with_nonce)(request)

    nonce = request._csp_nonce
    assert f"script-src 'self' 'nonce-{nonce}'" in parsed(response)["Content-Security-Policy"]


def test_a_nonce_asked_for_after_the_header_is_an_error():
    from csp.exceptions import CSPNonceError

    _django_csp, _portal, request = both(lambda request: HttpResponse("ok"))
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
