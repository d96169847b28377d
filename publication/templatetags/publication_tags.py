from django import template

from projects.models import CptsProject

from ..models import Publication

register = template.Library()


@register.simple_tag
def publication_of(project: CptsProject) -> Publication | None:
    """The project's publication row (one query), or None when nothing was ever asked."""
    return (
        Publication.objects.select_related("project", "consented_by", "validated_by")
        .filter(project=project)
        .first()
    )
