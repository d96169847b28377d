"""What every project view shares: login, access to one project, the 404-or-403 rule."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from projects import permissions
from projects.models import CptsProject
from projects.selectors import coordinator_queryset


def project_queryset() -> QuerySet[CptsProject]:
    return CptsProject.objects.select_related("territory", "legal_holder").prefetch_related(
        Prefetch("coordinators", queryset=coordinator_queryset())
    )


def get_project(request: HttpRequest, pk: int) -> CptsProject:
    """The project if this user may see it; 404 otherwise, so its existence stays private."""
    project = get_object_or_404(project_queryset(), pk=pk)
    if not permissions.can_view(request.user, project):
        raise Http404
    return project


def model_values(form) -> dict:
    """A valid ModelForm's cleaned values of its model fields: what a service takes."""
    cleaned = form.cleaned_data
    return {name: cleaned[name] for name in form._meta.fields if name in cleaned}


def require(allowed: bool) -> None:
    """403 for a user who sees the project but may not do this."""
    if not allowed:
        raise PermissionDenied


def with_project(view):
    """Decorate ``view(request, project, ...)``: login, then the project or 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args, **kwargs):
        return view(request, get_project(request, pk), *args, **kwargs)

    return wrapper
