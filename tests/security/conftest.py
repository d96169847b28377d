"""Fixtures of the security tests.

``production_settings`` imports ``cpts_portal.settings`` in a subprocess with the
environment of a production deployment (DEBUG=0, a real SECRET_KEY, ALLOWED_HOSTS,
BEHIND_HTTPS_PROXY=1) and returns the security settings it computes, so that tests can
apply exactly those values with ``override_settings``: in the test process settings.py was
imported with the local defaults (DEBUG defaults to on), and pytest-django only turns DEBUG
itself off.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cpts_portal.roles import Role
from tests.factories import CoordinatorFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "production-like-secret-key-for-tests-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "portail-cpts.example.fr",
    "BEHIND_HTTPS_PROXY": "1",
    "DJANGO_SETTINGS_MODULE": "cpts_portal.settings",
}
# Variables that would override the defaults under test.
OVERRIDES = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "RATELIMIT_ENABLED",
    "TRUSTED_PROXY_COUNT",
    "AXES_ENABLED",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
)
SECURITY_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY",
    "RATELIMIT_ENABLED",
    "AXES_ENABLED",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_TIME",
)

DUMP = f"""
import json
import django
django.setup()
from django.conf import settings
values = {{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}
values["AXES_COOLOFF_TIME"] = values["AXES_COOLOFF_TIME"].total_seconds()
print(json.dumps(values))
"""


def production_environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in OVERRIDES}
    return {**env, **PRODUCTION_ENV, **extra}


def run_manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_environment(**extra_env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="session")
def production_settings() -> dict:
    """The security settings of cpts_portal/settings.py in a production environment."""
    result = subprocess.run(
        [sys.executable, "-c", DUMP],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    if values["SECURE_PROXY_SSL_HEADER"] is not None:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def production_overrides(production_settings, settings):
    """Apply the production security settings to the test process (pytest-django's
    ``settings`` fixture restores them afterwards). AXES_COOLOFF_TIME stays a timedelta."""
    for name, value in production_settings.items():
        if name != "AXES_COOLOFF_TIME":
            setattr(settings, name, value)
    return settings


# --- People of the upload and formset tests ----------------------------------------------


@pytest.fixture
def owner(db):
    """A coordinator of the project the upload and formset tests attack."""
    return CoordinatorFactory(username="alice")


@pytest.fixture
def ars(db):
    return UserFactory(username="ars", roles=[Role.ARS])
