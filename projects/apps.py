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

        from django.conf import settings
        from django.contrib.auth import get_user_model

        from cpts_portal.fragments import bump_on_change

        from .models import CptsProject

        # The list's filter form shows the coordinators (names, group) of the agent's
        # region's projects and of none yet: its cached markup follows the accounts and who
        # coordinates which project, and the projects' deletion and region
        # (projects/templates/projects/list.html, selectors.coordinators_visible_to).
        bump_on_change(
            PROJECT_FILTERS_VERSION,
            [settings.AUTH_USER_MODEL, "auth.Group", "projects.CptsProject"],
            m2m=[get_user_model().groups.through, CptsProject.coordinators.through],
        )
        # The board (names, stages, links of the region's projects) is kept per region
        # scope and language: any save or deletion of a project makes it stale.
        bump_on_change(BOARD_VERSION, ["projects.CptsProject"])
        from ami.models import STATISTICS_VERSION

        # The answers' statistics show the population in a project's territory.
        bump_on_change(STATISTICS_VERSION, ["projects.CptsProject"])


# The version of the project list's filter form markup (the départements follow "geography").
PROJECT_FILTERS_VERSION = "project-filters"
# The version of the board's markup and counts (projects.views.projects.board_fragment).
BOARD_VERSION = "projects-board"
