from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmiConfig(AppConfig):
    name = "ami"
    verbose_name = _("Appel à manifestation d'intérêt")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cpts_portal.roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
