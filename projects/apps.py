from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projets de CPTS")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from ami import hooks as ami_hooks
        from cpts_portal.roles import ensure_role_groups

        from .permissions import grant_extra_permissions
        from .selectors import projects_in_area
        from .services import create_project_from_submission

        # The projects' permissions exist only once this app has migrated (it comes after
        # ami in INSTALLED_APPS): grant them to the role groups then too.
        post_migrate.connect(ensure_role_groups, sender=self)
        post_migrate.connect(grant_extra_permissions, sender=self)
        # The AMI is below this app and cannot import it: it calls these hooks instead
        # (orientation « accompagnement », projects of the same territory).
        ami_hooks.start_project.register(create_project_from_submission)
        ami_hooks.projects_in_area.register(projects_in_area)
