"""Token authentication of the read API: ``Authorization: Bearer <key>`` (or ``Token``).

The key is looked up by its SHA-256; a revoked token authenticates nobody. A token is an
institution's (or the national level's), not an account's: the request's user is a
``TokenHolder`` that reads with the institution's role in the institution's region, as its
agents do on the pages (``cpts_portal.roles.has_role``, ``territories.permissions``).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from cpts_portal.roles import Role

from ..models import ApiToken, hash_token
from ..services import touch_api_token

KEYWORDS = (b"bearer", b"token")


class TokenHolder:
    """Who reads with a token: its institution (role = the institution's kind, scope = its
    region) or the national level (every region). No account, nothing in the database; the
    role and membership caches of ``roles_of`` and ``region_scope`` are filled here."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = id = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.institution = token.institution
        # ``territories.permissions`` reads the membership cache: (region id, ARS name).
        if token.national:
            self._roles = frozenset({Role.NATIONAL.value})
            self._membership = (None, "")  # unused: the national role reads every region
        else:
            self._roles = frozenset({token.institution.kind})
            self._membership = (token.institution.region_id, "")

    def get_username(self) -> str:
        return f"{self.token.holder_label} — {self.token}"

    get_full_name = get_username
    __str__ = get_username


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
            ApiToken.objects.select_related("institution__region")
            .filter(key_hash=hash_token(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Jeton invalide ou révoqué."))
        touch_api_token(token)
        return TokenHolder(token), token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "publication.api.authentication.ApiTokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
