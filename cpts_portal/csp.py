"""django-csp's middleware, without building the same policy on every response.

``CSPMiddleware`` turns ``settings.CONTENT_SECURITY_POLICY`` into the header's text twice
per response (the policy, then the report-only one): a fifth of the portal's middleware
time on a small page. Without a view's own policy (``@csp_update``, ``@csp_replace``,
``@csp``) nor a nonce, that text only depends on the settings: it is built once per
process, and again after a setting changes (tests). A view's own policy or a nonce used by
the page goes through django-csp's code, as before; the headers are the same either way.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

# What a view sets on its response to change the policy (csp.decorators).
_VIEW_POLICY_ATTRIBUTES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
# report_only -> the header built from the settings alone ("" when there is none).
_built: dict[bool, str] = {}


@receiver(setting_changed)
def _forget_policies(**kwargs: object) -> None:
    _built.clear()


def settings_policy(report_only: bool) -> str:
    """``build_policy`` of the settings alone, built once per process."""
    if report_only not in _built:
        _built[report_only] = build_policy(report_only=report_only)
    return _built[report_only]


class PortalCSPMiddleware(CSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _VIEW_POLICY_ATTRIBUTES
        ):
            return super().process_response(request, response)
        # What CSPMiddleware.process_response does, with the policies built once.
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = settings_policy(report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
