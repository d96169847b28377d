"""The access log of personal data: who read or took away what, and when.

One function writes it, ``record_access``, called by the staff views that show or hand out
the professionals' personal data (a submission's page and PDF, the list's exports and PDF
batches, the RGPD exports and erasures) and by the admin's page of a submission. Status
changes, notes and messages are in the submission's history (``SubmissionEvent``).
"""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet
from django.utils.crypto import salted_hmac

from .models import AccessLog, Submission

Action = AccessLog.Action

# The log must not become a copy of the data it protects: the free-text search of the
# list is kept (staff type it), but shortened.
MAX_FILTER_TEXT = 100


def user_label(user: AbstractBaseUser | AnonymousUser | None) -> str:
    if user is None or not user.is_authenticated:
        return "—"
    return user.get_full_name() or user.get_username()


def record_access(
    user: AbstractBaseUser | AnonymousUser | None,
    action: Action | str,
    submission: Submission | None = None,
    details: Mapping[str, Any] | None = None,
    reference: str = "",
    label: str = "",
) -> AccessLog:
    """Write one line of the access log: ``user`` did ``action`` now.

    ``submission`` is the answer concerned, if one is; ``reference`` names the object in
    words (the answer's reference by default); ``details`` what else is worth keeping
    (filters and row count of an export, ids of a PDF batch...), JSON-serialisable.
    ``label`` names who read when it is no account (an API token's institution).
    """
    authenticated = user is not None and user.is_authenticated
    return AccessLog.objects.create(
        user=user if authenticated else None,
        user_label=label or user_label(user),
        action=Action(action),
        submission=submission,
        reference=reference or (submission.reference if submission is not None else ""),
        details=dict(details or {}),
    )


def describe_value(value: Any) -> Any:
    """A filter's cleaned value as the log keeps it: text, numbers and booleans only."""
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [describe_value(item) for item in value]
    return str(value)[:MAX_FILTER_TEXT]


def filter_summary(form: forms.Form) -> dict[str, Any]:
    """The filters actually applied (valid and not empty), by name: ``{"status": "closed"}``.

    Call it after the filter set has been evaluated (its form is then cleaned).
    """
    cleaned = getattr(form, "cleaned_data", None) or {}
    return {
        name: describe_value(value)
        for name, value in cleaned.items()
        if value not in (None, "", [], False)
    }


def email_fingerprint(email: str) -> str:
    """A keyed hash of an address: the log proves which request was handled without
    keeping the address an erasure removed everywhere else."""
    normalised = email.strip().lower()
    return salted_hmac("ami.audit.email", normalised).hexdigest()[:32]


def access_log(submission: Submission, limit: int = 100) -> QuerySet[AccessLog]:
    """The latest lines about one answer, newest first (its staff page shows them)."""
    return submission.access_logs.order_by("-at", "-pk")[:limit]
