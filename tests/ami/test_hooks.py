"""The AMI's hooks: how the projects app answers it without being imported by it."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from ami import hooks
from projects.selectors import projects_in_area
from projects.services import create_project_from_submission


def test_projects_app_answers_the_ami_hooks():
    assert hooks.start_project.provider is create_project_from_submission
    assert hooks.projects_in_area.provider is projects_in_area


def test_hook_without_provider_answers_its_default():
    hook = hooks.Hook("example", default=lambda value: f"default {value}")
    assert hook("x") == "default x"
    hook.register(lambda value: f"provided {value}")
    assert hook("x") == "provided x"


def provider(value):
    return value


def other_provider(value):
    return value


def test_second_provider_is_refused_but_the_same_one_again_is_not():
    hook = hooks.Hook("example", default=lambda value: None)
    hook.register(provider)
    hook.register(provider)  # AppConfig.ready() run twice
    with pytest.raises(ImproperlyConfigured, match="already has a provider"):
        hook.register(other_provider)
    assert hook.provider is provider
