from django.apps import AppConfig, apps


class CptsPortalConfig(AppConfig):
    name = "cpts_portal"
    verbose_name = "CPTS Portal"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_migrate

        from .roles import ensure_role_groups, forget_roles

        # One grant of every group permission per ``migrate``. This app has no models, so
        # no post_migrate of its own: the groups hang on auth's, which every ``migrate``
        # sends (``ensure_role_groups`` creates the other apps' permissions first).
        post_migrate.connect(ensure_role_groups, sender=apps.get_app_config("auth"))
        m2m_changed.connect(forget_roles, sender=get_user_model().groups.through)
