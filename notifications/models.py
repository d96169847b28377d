from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """One email to send: the outbox row is written with the business change it reports.

    Subject and bodies are rendered when the row is created, so what is sent is what the
    event said, whatever happens to templates later. The row is the source of truth:
    a broker or SMTP outage only delays it (see ``notifications.tasks``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    recipient = models.EmailField(_("destinataire"))
    template = models.CharField(_("modèle"), max_length=120)
    subject = models.CharField(_("objet"), max_length=255)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    # Small text attachments rendered with the email (an invitation's .ics...):
    # a list of {"filename", "mimetype", "content"}, see ``notifications.services.Attachment``.
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    # What the email is about (a submission, a project...), for the timelines.
    related_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    # The region of what the email is about (its COG code, "" when none): an agent reads the
    # outbox of their region only. A plain code: this app knows no other app's models.
    region_code = models.CharField(_("région"), max_length=3, blank=True, db_index=True)

    class Meta:
        verbose_name = _("email sortant")
        verbose_name_plural = _("emails sortants")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["related_type", "related_id"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient} ({self.get_status_display()})"
