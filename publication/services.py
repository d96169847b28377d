"""Every write of the publication app: consent, validation, withdrawal, API tokens.

Each service checks the rights (``publication.permissions``), writes in one transaction and
records the change in the publication's history through ``record_event``.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cpts_portal.history import record_event
from projects.models import CptsProject
from territories.models import Institution

from . import permissions
from .models import ApiToken, Publication, PublicationEvent, hash_token

Kind = PublicationEvent.Kind


@dataclass(frozen=True)
class PublicContact:
    """The contact a project agrees to publish."""

    name: str
    email: str = ""
    phone: str = ""
    website: str = ""


def _locked(project: CptsProject) -> Publication | None:
    return Publication.objects.select_for_update().filter(project=project).first()


def give_consent(project: CptsProject, by: AbstractBaseUser, contact: PublicContact) -> Publication:
    """The coordinator agrees to publish the project with ``contact``.

    A new or changed consent waits for the ARS's validation again: what the ARS validated
    is what is published. Records ``consented``.
    """
    if not permissions.can_consent(by, project):
        raise PermissionDenied
    with transaction.atomic():
        publication = _locked(project) or Publication(project=project)
        publication.contact_name = contact.name
        publication.contact_email = contact.email
        publication.contact_phone = contact.phone
        publication.contact_website = contact.website
        publication.consented_by = by
        publication.consented_at = timezone.now()
        publication.validated_by = None
        publication.validated_at = None
        publication.save()
        record_event(
            publication,
            Kind.CONSENTED,
            by=by,
            data={
                "contact_name": contact.name,
                "contact_email": contact.email,
                "contact_phone": contact.phone,
                "contact_website": contact.website,
            },
        )
    return publication


def withdraw_consent(project: CptsProject, by: AbstractBaseUser) -> Publication | None:
    """The coordinator withdraws the consent: the project leaves the public pages at once."""
    if not permissions.can_consent(by, project):
        raise PermissionDenied
    with transaction.atomic():
        publication = _locked(project)
        if publication is None or publication.consented_at is None:
            return publication
        publication.consented_by = publication.consented_at = None
        publication.validated_by = publication.validated_at = None
        publication.save()
        record_event(publication, Kind.CONSENT_WITHDRAWN, by=by)
    return publication


def validate(project: CptsProject, by: AbstractBaseUser) -> Publication:
    """The ARS validates the coordinator's consent: the project is published."""
    if not permissions.can_validate(by, project):
        raise PermissionDenied
    with transaction.atomic():
        publication = _locked(project)
        if publication is None or publication.consented_at is None:
            raise ValueError("Le coordinateur n’a pas donné son accord pour publier ce projet.")
        if publication.validated_at is not None:
            return publication
        publication.validated_by = by
        publication.validated_at = timezone.now()
        publication.save()
        record_event(publication, Kind.VALIDATED, by=by)
    return publication


def withdraw_validation(
    project: CptsProject, by: AbstractBaseUser, comment: str = ""
) -> Publication | None:
    """The ARS takes the project off the public pages (the consent stays)."""
    if not permissions.can_validate(by, project):
        raise PermissionDenied
    with transaction.atomic():
        publication = _locked(project)
        if publication is None or publication.validated_at is None:
            return publication
        publication.validated_by = publication.validated_at = None
        publication.save()
        record_event(publication, Kind.VALIDATION_WITHDRAWN, by=by, comment=comment)
    return publication


# --- API tokens ------------------------------------------------------------------------

TOKEN_BYTES = 32


def create_api_token(
    name: str,
    *,
    institution: Institution | None = None,
    national: bool = False,
    by: AbstractBaseUser | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``institution`` (or the national level); returns it with its key,
    which is stored only hashed."""
    key = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(
        institution=institution,
        national=national,
        created_by=by,
        name=name,
        prefix=key[:8],
        key_hash=hash_token(key),
    )
    token.full_clean(exclude=["key_hash", "prefix"])
    token.save()
    return token, key


def revoke_api_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def touch_api_token(token: ApiToken, every_seconds: int = 60) -> None:
    """Note when a token was last used, at most once a minute (one UPDATE, no read)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= every_seconds:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
