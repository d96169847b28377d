"""One history for every subject of the portal (AMI answers, CPTS projects).

``Event`` is the abstract shape each app's history table inherits: the answer's
``ami.SubmissionEvent`` and the project's ``projects.ProjectEvent`` have the same columns
and read the same way; each keeps its foreign key to its subject, its ``Kind`` choices
and its state choices. ``record_event`` is the only function that writes an event.

A subject is any model instance whose event model points at it with
``related_name="events"`` (so ``subject.events`` is its history); the event model names
that foreign key in ``subject_field``. This module imports no app: it sits below them.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STATE_MAX_LENGTH = 30


class Event(models.Model):
    """One entry of a subject's history: what happened (``kind``), who did it, when.

    ``from_state``/``to_state`` hold a state change (the answer's status, the project's
    stage), empty otherwise. ``data`` holds what the action recorded as it was then, with
    names rather than ids only, so that the history still reads right after the objects
    change. Subclasses redeclare ``kind``, ``from_state`` and ``to_state`` with their
    choices, and set ``subject_field`` and ``anonymous_author_label``.
    """

    # The name of the foreign key to the subject, set by each subclass.
    subject_field = ""
    # Who an event without an author comes from (the référent's link, the system...).
    anonymous_author_label = _("Système")

    kind = models.CharField(_("type"), max_length=20)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    from_state = models.CharField(_("état précédent"), max_length=STATE_MAX_LENGTH, blank=True)
    to_state = models.CharField(_("nouvel état"), max_length=STATE_MAX_LENGTH, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    data = models.JSONField(_("données"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def author_label(self) -> str:
        if self.author_id:
            return self.author.get_full_name() or self.author.get_username()
        return str(self.anonymous_author_label)

    @property
    def subject(self) -> models.Model:
        return getattr(self, self.subject_field)


def record_event(
    subject: models.Model,
    kind: str,
    *,
    by: AbstractBaseUser | AnonymousUser | None = None,
    comment: str = "",
    data: dict | None = None,
    from_state: str = "",
    to_state: str = "",
    **extra: Any,
) -> Event:
    """Write one entry of ``subject``'s history and return it.

    ``by`` is the user who acted (``None`` or an anonymous user: no author, the event
    model's ``anonymous_author_label``). ``extra`` are the event model's own fields
    (``created_at`` for imported or demo data, ``changes`` for an answer's corrections).
    Raises ``ValueError`` for a kind the subject's history does not know, so that a typo
    fails at once instead of storing an event no page can label.

    Side effects: one INSERT, in the caller's transaction; nothing is sent.
    """
    model = subject.events.model
    if kind not in model.Kind.values:
        raise ValueError(f"{model.__name__} has no kind {str(kind)!r}")
    author = by if by is not None and by.is_authenticated else None
    return model.objects.create(
        **{model.subject_field: subject},
        kind=kind,
        author=author,
        comment=comment,
        data=dict(data or {}),
        from_state=from_state,
        to_state=to_state,
        **extra,
    )
