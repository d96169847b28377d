from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projets de CPTS")

    def ready(self) -> None:
        from ami import hooks as ami_hooks
        from territories import uses as territory_uses

        from .selectors import projects_in_area
        from .services import create_project_from_submission
        from .territory_uses import projects_of, used_by_projects

        # The AMI is below this app and cannot import it: it calls these hooks instead
        # (orientation « accompagnement », projects of the same territory).
        ami_hooks.start_project.register(create_project_from_submission)
        ami_hooks.projects_in_area.register(projects_in_area)
        territory_uses.register("projects", projects_of, used_by_projects)
