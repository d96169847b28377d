"""Celery tasks of the projects app: thin wrappers around ``projects.reminders``."""

from celery import shared_task
from django.utils import timezone

from . import reminders


@shared_task
def send_project_reminders() -> int:
    """Daily (``CELERY_BEAT_SCHEDULE``): queue the reminders due today, each once."""
    return reminders.send_reminders(timezone.localdate())
