"""What the AMI asks of the apps above it, without importing them.

Apps depend one way (``territories`` ← ``ami`` ← ``projects``): the AMI never imports
``projects``, yet orienting an answer towards « accompagnement » starts a CPTS project, and
the answer's pages list the CPTS projects of the same territory. Each such need is a
``Hook`` below; ``projects`` registers its function in ``ProjectsConfig.ready()``.

Explicit hooks rather than Django signals, because the AMI needs the provider's answer (the
project just created goes into the orientation's history entry, in the same transaction; the
projects nearby are shown): a hook has exactly one provider and returns its result, a second
provider is refused, and it can be found by reading one module. A signal returns a list of
(receiver, response) pairs from any number of receivers. Without a provider a hook returns
its default: the AMI alone records an orientation without a project and lists no project.
"""

from collections.abc import Callable, Iterable
from typing import Generic, ParamSpec, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from territories.selectors import Area

from .models import Submission

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    """One extension point: called like a function, answered by its one registered provider."""

    def __init__(self, name: str, default: Callable[P, R]) -> None:
        self.name = name
        self.default = default
        self.provider: Callable[P, R] | None = None

    def register(self, provider: Callable[P, R]) -> Callable[P, R]:
        """Make ``provider`` answer this hook; usable as a decorator.

        Registering the same function again is allowed (``AppConfig.ready()`` may run twice
        in tests); another function is an error, since two apps would compete for one answer.
        """
        if self.provider is not None and qualified_name(self.provider) != qualified_name(
            provider
        ):
            raise ImproperlyConfigured(
                f"Hook {self.name!r} already has a provider: {qualified_name(self.provider)}"
            )
        self.provider = provider
        return provider

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        provider = self.provider if self.provider is not None else self.default
        return provider(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {qualified_name(self.provider) if self.provider else None}>"


def qualified_name(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def no_project(submission: Submission, by: AbstractBaseUser) -> models.Model | None:
    return None


def no_projects(area: Area) -> Iterable[models.Model]:
    return []


# Called by ``ami.staff.services.orient`` inside its transaction when the orientation is
# « accompagnement »: returns the CPTS project now following the answer (created or already
# linked), recorded in the history entry as ``project`` and ``project_id``.
start_project: Hook[[Submission, AbstractBaseUser], models.Model | None] = Hook(
    "start_project", default=no_project
)

# The CPTS projects whose territory shares a commune or an EPCI with ``area``, for the
# « acteurs du même territoire » of an answer; each has ``name`` and ``get_absolute_url()``.
projects_in_area: Hook[[Area], Iterable[models.Model]] = Hook(
    "projects_in_area", default=no_projects
)
