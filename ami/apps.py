from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmiConfig(AppConfig):
    name = "ami"
    verbose_name = _("Appel à manifestation d'intérêt")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_migrate

        from cpts_portal.roles import ensure_role_groups, forget_roles

        from .audit import ensure_audit_permissions

        post_migrate.connect(ensure_role_groups, sender=self)
        post_migrate.connect(ensure_audit_permissions, sender=self)
        m2m_changed.connect(forget_roles, sender=get_user_model().groups.through)
