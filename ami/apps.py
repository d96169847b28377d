from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmiConfig(AppConfig):
    name = "ami"
    verbose_name = _("Appel à manifestation d'intérêt")
