from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmiConfig(AppConfig):
    name = "ami"
    verbose_name = _("Appel à manifestation d'intérêt")

    def ready(self) -> None:
        from territories import uses

        from .territory_uses import answers_of, used_by_answers

        # Territories sit below the AMI: the territory pages list its answers through this.
        uses.register("answers", answers_of, used_by_answers)
