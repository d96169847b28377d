"""The reminders already sent, so that each is sent once per due item."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .project import CptsProject


class SentReminder(models.Model):
    """One reminder sent for one due item of a project (see ``projects.reminders``).

    The unique constraint is the guarantee: a second run of the daily task, even
    concurrent, cannot insert the same row again, so it does not send the email again.
    ``due_on`` is part of the key: a milestone given a new due date is reminded again.
    """

    class Kind(models.TextChoices):
        MILESTONE_OVERDUE = "jalon_en_retard", _("Jalon en retard")
        MISSION_START = "demarrage_mission", _("Démarrage d’une mission dans un mois")
        MISSION_DEPLOYMENT = "deploiement_mission", _("Déploiement d’une mission dans un mois")
        DIALOGUE = "dialogue_gestion", _("Dialogue de gestion annuel dans un mois")
        CONTRACT_END = "fin_contrat", _("Fin du contrat ACI : renouvellement à préparer")
        REPORT_DUE = "rapport_annuel", _("Rapport annuel ACI à transmettre")
        PAYMENT_DUE = "versement_aci", _("Versement ACI attendu")
        DELIVERABLE_DUE = "livrable_aci", _("Livrable du contrat ACI à remettre")
        GUICHET_OPINION = "avis_guichet", _("Avis d’une URPS attendu par le Guichet CPTS")

    project = models.ForeignKey(
        CptsProject, on_delete=models.CASCADE, related_name="sent_reminders"
    )
    kind = models.CharField(_("rappel"), max_length=30, choices=Kind.choices)
    item = models.CharField(
        _("objet"), max_length=60, help_text=_("Jalon, mission, année du contrat ou contrat.")
    )
    due_on = models.DateField(_("échéance"))
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    recipient_count = models.PositiveSmallIntegerField(_("destinataires"), default=0)

    class Meta:
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "item", "due_on"], name="one_reminder_per_due_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.project} — {self.due_on:%d/%m/%Y}"
