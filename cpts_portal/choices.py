"""Choices shared by several apps, stored with the same values everywhere."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Opinion(models.TextChoices):
    """An avis: a partner's on an AMI answer (a private note), the URPS's on each criterion
    of a lettre d'intention, the Assurance Maladie's on a projet de santé."""

    FAVORABLE = "favorable", _("Favorable")
    RESERVED = "reserved", _("Réservé")
    UNFAVORABLE = "unfavorable", _("Défavorable")
