"""Personal data of the AMI under the RGPD: anonymisation after the retention period, and a
person's requests (access: a JSON file; erasure: the anonymisation of their answers).

What anonymisation removes and what it keeps (``anonymise_submission``):

- actors: the name becomes « Acteur anonymisé », the structure's name is cleared; the
  profession, the place and commune of practice and the practice setting stay (statistics);
- référents: the name becomes « Référent anonymisé »; function, email and phone are cleared;
- the answer's free texts (context, envisaged territory, calendar wishes) are replaced by
  a marker; the objectives, status, dates, orientation, closure reason and the communes of
  the territory stay;
- the history keeps its events (who did what, when, from which status to which) but the
  texts that may name people (messages, notes, comments, the changes listed, the
  exchange's participants, place and link) become the marker; the exchanges likewise;
- the outbox rows about the answer keep their date and status, not their contents; those
  addressed to a référent lose the address; those still pending are cancelled;
- the private link is revoked (new unknown token, expired).

It is idempotent: an answer anonymised once (``anonymised_at``) is left alone.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cpts_portal.history import record_event
from cpts_portal.log_filters import mask_private_links
from notifications.models import OutgoingEmail
from notifications.services import emails_about
from territories.models import Region
from territories.permissions import EVERY_REGION, region_scope, scope_by_region

from .attachments import delete_attachments
from .models import Actor, Exchange, Referent, Submission, SubmissionEvent
from .services import revoke_private_link

Kind = SubmissionEvent.Kind

# Stored values, not interface text: the same whatever the language of the worker.
ANONYMOUS_ACTOR = "Acteur anonymisé"
ANONYMOUS_REFERENT = "Référent anonymisé"
REDACTED = "[données anonymisées]"
# A reserved top-level domain (RFC 2606): nothing is ever delivered there.
ANONYMOUS_RECIPIENT = "anonymise@example.invalid"
# Event details that may name or locate people.
# ``attachments``, ``name``, ``changes``: file names and corrections (ami.attachments,
# ami.corrections).
REDACTED_DETAILS = (
    "message", "participants", "place", "video_url", "attachments", "name", "changes",
)  # fmt: skip

REASON_RETENTION = "retention"
REASON_ERASURE = "erasure"


# --- Retention ----------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` months earlier (the month's last day if shorter)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Answers closed before this moment have outlived ``PERSONAL_DATA_RETENTION_MONTHS``."""
    return months_before(now or timezone.now(), settings.PERSONAL_DATA_RETENTION_MONTHS)


def submissions_due(now: datetime | None = None) -> QuerySet[Submission]:
    """Closed answers not yet anonymised whose closure is older than the retention period."""
    return Submission.objects.filter(
        status=Submission.Status.CLOSED,
        status_changed_at__lt=retention_cutoff(now),
        anonymised_at__isnull=True,
    ).order_by("pk")


def anonymise_closed_submissions(now: datetime | None = None) -> list[int]:
    """Anonymise every answer ``submissions_due``; returns their ids (none the second time)."""
    done = []
    for pk in submissions_due(now).values_list("pk", flat=True):
        submission = Submission.objects.get(pk=pk)
        if anonymise_submission(submission, REASON_RETENTION, now=now):
            done.append(pk)
    return done


# --- Anonymisation --------------------------------------------------------------------------


def anonymise_submission(
    submission: Submission,
    reason: str,
    by: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> bool:
    """Remove the personal data of one answer (see the module's docstring); False if it
    was already done. Records an ``ANONYMISED`` event (``by``: None for the periodic task)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.anonymised_at is not None:
            return False
        referent_emails = list(
            Referent.objects.filter(submission=locked)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        anonymise_rows(locked)
        delete_attachments(locked)
        anonymise_history(locked)
        anonymise_emails(emails_about(locked), referent_emails)
        locked.context = REDACTED
        locked.territory_text = REDACTED if locked.territory_text else ""
        locked.meeting_wish = REDACTED if locked.meeting_wish else ""
        locked.anonymised_at = now
        locked.save(
            update_fields=[
                "context",
                "territory_text",
                "meeting_wish",
                "anonymised_at",
                "updated_at",
            ]
        )
        revoke_private_link(locked, now=now)
        record_event(locked, Kind.ANONYMISED, by=by, data={"reason": reason}, created_at=now)
    submission.refresh_from_db()
    return True


def anonymise_rows(submission: Submission) -> None:
    Actor.objects.filter(submission=submission).update(name=ANONYMOUS_ACTOR, structure_name="")
    Referent.objects.filter(submission=submission).update(
        name=ANONYMOUS_REFERENT, function="", email="", phone=""
    )
    exchanges = Exchange.objects.filter(submission=submission)
    exchanges.exclude(participants="").update(participants=REDACTED)
    # The place or the link may name a person's practice or meeting room; the constraint
    # wants one of them.
    exchanges.update(place=REDACTED, video_url="")


def anonymise_history(submission: Submission) -> None:
    for event in SubmissionEvent.objects.filter(submission=submission):
        changed = redact_event(event)
        if changed:
            event.save(update_fields=changed)


def redact_event(event: SubmissionEvent) -> list[str]:
    """Replace the event's texts by the marker; returns the fields changed."""
    changed = []
    if event.comment:
        event.comment = REDACTED
        changed.append("comment")
    if event.changes:
        event.changes = [REDACTED for _change in event.changes]
        changed.append("changes")
    data = dict(event.data or {})
    redacted = {key: REDACTED for key in REDACTED_DETAILS if data.get(key)}
    if redacted:
        event.data = {**data, **redacted}
        changed.append("data")
    return changed


def anonymise_emails(emails: QuerySet[OutgoingEmail], referent_emails: Iterable[str]) -> None:
    """Keep the trace of the emails (date, status), not what they said nor to whom."""
    emails.filter(status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.SENDING]).update(
        status=OutgoingEmail.Status.FAILED, last_error="Annulé : données anonymisées."
    )
    emails.update(subject=REDACTED, body_text=REDACTED, body_html="", attachments=[])
    # Last: ``emails`` may be filtered on the recipient.
    to_referents = Q()
    for address in referent_emails:
        to_referents |= Q(recipient__iexact=address)
    if to_referents:
        emails.filter(to_referents).update(recipient=ANONYMOUS_RECIPIENT)


# --- A person's requests, by email address ---------------------------------------------------


@dataclass
class PersonalData:
    """Everything held about one email address."""

    email: str
    referents: list[Referent] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    emails: list[OutgoingEmail] = field(default_factory=list)
    accounts: list[Any] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.referents or self.emails or self.accounts)

    @property
    def references(self) -> list[str]:
        return [submission.reference for submission in self.submissions]


def normalise_email(email: str) -> str:
    return email.strip()


def find_personal_data(email: str, user: AbstractBaseUser | None = None) -> PersonalData:
    """The référent rows with this address, their answers, the emails sent to it and the
    accounts (project coordinators, agents) that carry it. Case is ignored.

    ``user``: the agent asking; only their region's answers and emails are listed (and
    so exported or erased): each ARS answers for the data of its own AMI.
    """
    email = normalise_email(email)
    referents = Referent.objects.filter(email__iexact=email)
    emails = OutgoingEmail.objects.filter(recipient__iexact=email)
    if user is not None:
        referents = scope_by_region(referents, user, "submission__campaign__region")
        scope = region_scope(user)
        if scope is not EVERY_REGION:
            codes = Region.objects.filter(pk__in=scope).values_list("code", flat=True)
            # Emails of no region (accounts, older than regions) stay everyone's to erase.
            emails = emails.filter(region_code__in=[*codes, ""])
    referents = list(
        referents.select_related("submission")
        .order_by("submission_id", "pk")
    )
    submission_ids = list(dict.fromkeys(referent.submission_id for referent in referents))
    submissions = list(
        Submission.objects.filter(pk__in=submission_ids)
        .select_related("campaign", "territory")
        .prefetch_related("actors", "referents", "territory__communes", "events", "exchanges")
        .order_by("pk")
    )
    emails = list(emails.order_by("created_at"))
    accounts = list(
        get_user_model()
        .objects.filter(email__iexact=email)
        .prefetch_related("groups", "cpts_projects")
        .order_by("pk")
    )
    return PersonalData(email, referents, submissions, emails, accounts)


def isoformat(value: Any) -> str | None:
    return value.isoformat() if value else None


def submission_export(submission: Submission) -> dict[str, Any]:
    events = sorted(submission.events.all(), key=lambda event: (event.created_at, event.pk))
    return {
        "reference": submission.reference,
        "campaign": str(submission.campaign),
        "submitted_at": isoformat(submission.submitted_at),
        "status": submission.get_status_display(),
        "consent_at": isoformat(submission.consent_at),
        "objectives": [str(label) for label in submission.objectives],
        "context": submission.context,
        "territory_text": submission.territory_text,
        "territory_communes": [
            f"{commune.name} ({commune.insee_code})"
            for commune in (submission.territory.communes.all() if submission.territory else [])
        ],
        "meeting_wished_by": isoformat(submission.meeting_wished_by),
        "meeting_wish": submission.meeting_wish,
        "actors": [
            {
                "name": actor.name,
                "profession": actor.profession_label,
                "practice_place": actor.practice_place,
                "practice_setting": actor.get_practice_setting_display(),
                "structure_name": actor.structure_name,
            }
            for actor in submission.actors.all()
        ],
        "referents": [referent_export(referent) for referent in submission.referents.all()],
        "messages": [
            {
                "at": isoformat(event.created_at),
                "from": "referent" if event.is_from_referent else "ARS",
                "text": event.comment,
            }
            for event in events
            if event.kind == Kind.MESSAGE
        ],
        "exchanges": [
            {
                "starts_at": isoformat(exchange.starts_at),
                "ends_at": isoformat(exchange.ends_at),
                "place": exchange.place,
                "video_url": exchange.video_url,
                "participants": exchange.participants,
                "cancelled_at": isoformat(exchange.cancelled_at),
            }
            for exchange in submission.exchanges.all()
        ],
        "anonymised_at": isoformat(submission.anonymised_at),
    }


def referent_export(referent: Referent) -> dict[str, Any]:
    return {
        "submission": referent.submission.reference,
        "name": referent.name,
        "function": referent.function,
        "email": referent.email,
        "phone": referent.phone.as_e164 if referent.phone else "",
    }


def email_export(email: OutgoingEmail) -> dict[str, Any]:
    # The private links in old emails are masked: the file is read by an agent first.
    return {
        "created_at": isoformat(email.created_at),
        "sent_at": isoformat(email.sent_at),
        "status": email.get_status_display(),
        "recipient": email.recipient,
        "subject": email.subject,
        "body_text": mask_private_links(email.body_text),
    }


def account_export(user: Any) -> dict[str, Any]:
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "date_joined": isoformat(user.date_joined),
        "last_login": isoformat(user.last_login),
        "groups": sorted(group.name for group in user.groups.all()),
        "cpts_projects": sorted(project.name for project in user.cpts_projects.all()),
    }


def personal_data_export(data: PersonalData, now: datetime | None = None) -> dict[str, Any]:
    """The JSON document handed to the person (RGPD right of access)."""
    return {
        "email": data.email,
        "generated_at": isoformat(now or timezone.now()),
        "controller": settings.PRIVACY_CONTROLLER,
        "referents": [referent_export(referent) for referent in data.referents],
        "submissions": [submission_export(submission) for submission in data.submissions],
        "emails": [email_export(email) for email in data.emails],
        "accounts": [account_export(user) for user in data.accounts],
    }


@dataclass(frozen=True)
class Erasure:
    anonymised: list[str]  # references of the answers anonymised now
    already_anonymised: list[str]
    emails: int  # outbox rows to the address emptied


def erase_personal_data(email: str, by: AbstractBaseUser) -> Erasure:
    """RGPD erasure: anonymise every answer where the address is a référent's, and empty
    the outbox rows sent to it. Accounts are not touched (an agent deactivates them in the
    admin if they must go): the confirmation page says so."""
    data = find_personal_data(email, user=by)
    anonymised, already = [], []
    with transaction.atomic():
        for submission in data.submissions:
            if anonymise_submission(submission, REASON_ERASURE, by=by):
                anonymised.append(submission.reference)
            else:
                already.append(submission.reference)
        emails = OutgoingEmail.objects.filter(pk__in=[row.pk for row in data.emails])
        count = emails.count()
        anonymise_emails(emails, [normalise_email(email)])
    return Erasure(anonymised, already, count)
