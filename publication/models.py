"""Publication of a CPTS project (coordinator's consent + ARS validation) and API tokens."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpts_portal.history import Event
from projects.models import CptsProject


class Publication(models.Model):
    """Whether a project appears on the public pages and in the open data.

    Published only when both are set: the coordinator's consent (with the contact the
    project agrees to publish) and the ARS's validation of that consent. Written only by
    ``publication.services``; every change is in ``events``.
    """

    project = models.OneToOneField(
        CptsProject, on_delete=models.CASCADE, related_name="publication"
    )
    contact_name = models.CharField(_("contact publié : nom ou fonction"), max_length=200)
    contact_email = models.EmailField(_("contact publié : adresse électronique"), blank=True)
    contact_phone = models.CharField(_("contact publié : téléphone"), max_length=30, blank=True)
    contact_website = models.URLField(_("site internet"), blank=True)
    consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accord donné par"),
    )
    consented_at = models.DateTimeField(_("accord donné le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validée par"),
    )
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("publication d’un projet")
        verbose_name_plural = _("publications des projets")
        ordering = ["project__name"]
        constraints = [
            # The ARS validates a consent: never a validation without one.
            models.CheckConstraint(
                condition=models.Q(validated_at__isnull=True)
                | models.Q(consented_at__isnull=False),
                name="publication_validated_after_consent",
            )
        ]

    def __str__(self) -> str:
        return str(self.project)

    @property
    def is_published(self) -> bool:
        return (
            self.consented_at is not None
            and self.validated_at is not None
            and self.project.is_active
        )


class PublicationEvent(Event):
    """The history of a project's publication: consents, validations, withdrawals."""

    class Kind(models.TextChoices):
        CONSENTED = "consented", _("Accord du coordinateur pour publier")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Accord de publication retiré")
        VALIDATED = "validated", _("Publication validée par l’ARS")
        VALIDATION_WITHDRAWN = "validation_withdrawn", _("Publication retirée par l’ARS")

    subject_field = "publication"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)

    class Meta(Event.Meta):
        verbose_name = _("événement de publication")
        verbose_name_plural = _("historique des publications")


def hash_token(key: str) -> str:
    """How a token is stored: its SHA-256 (a random 256-bit key needs no slow hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A key for the read API, for one partner institution of a region (whose kind is the
    role the key reads with, in that region only) or for the national level (every region,
    read-only).

    Not an account's: it outlives the agents who asked for it. Created and revoked in the
    admin; the key is shown once, at creation, and only its hash is stored (``hash_token``).
    ``prefix`` (the key's first characters) names it in lists and logs.
    """

    institution = models.ForeignKey(
        "territories.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("institution"),
    )
    national = models.BooleanField(
        _("niveau national"),
        default=False,
        help_text=_("Lecture de toutes les régions (ministère, Caisse nationale)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
        editable=False,
    )
    name = models.CharField(
        _("nom"), max_length=100, help_text=_("Le système d’information qui l’utilise.")
    )
    prefix = models.CharField(_("début de la clé"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d’API")
        verbose_name_plural = _("jetons d’API")
        ordering = ["-created_at"]
        constraints = [
            # One holder: an institution, or the national level.
            models.CheckConstraint(
                condition=models.Q(institution__isnull=False, national=False)
                | models.Q(institution__isnull=True, national=True),
                name="api_token_one_holder",
                violation_error_message=_(
                    "Un jeton appartient à une institution ou au niveau national."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def holder_label(self) -> str:
        """Who the token reads for, as the access log and the admin name it."""
        return str(_("Niveau national")) if self.national else str(self.institution)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
