"""Token authentication of the read API: ``Authorization: Bearer <key>`` (or ``Token``).

The key is looked up by its SHA-256; a revoked token, or the token of an inactive account,
authenticates nobody.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..models import ApiToken, hash_token
from ..services import touch_api_token

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("En-tête Authorization mal formé."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Jeton invalide.")) from None
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Jeton invalide ou révoqué."))
        touch_api_token(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "publication.api.authentication.ApiTokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
