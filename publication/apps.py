from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    """Public output: « la CPTS de ma commune », coverage, open data and the read API.

    Above ``projects`` in the import direction: it reads projects, answers and territories
    and is read by none of them (the project page includes its panel by template name).
    """

    name = "publication"
    verbose_name = _("Publication et API")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the open-data cache invalidation
