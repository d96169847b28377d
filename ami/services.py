"""Writes of the AMI: receiving an answer, its drafts, letting its référent correct it, and
the private link's lifetime.

The answer travels as plain data (``AnswerData`` with its ``ActorData`` and
``ReferentData`` rows): the public form builds it (``ami.forms.AnswerForms.answer_data``),
and so may a command, the admin or a test; nothing here reads a form or a request.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpts_portal.history import record_event
from cpts_portal.links import absolute_url
from notifications.models import OutgoingEmail
from notifications.services import queue_email
from territories.builder import communes_queryset
from territories.models import Territory
from territories.selectors import region_identity

from .models import (
    Actor,
    AnswerDraft,
    Campaign,
    Objective,
    Referent,
    Submission,
    SubmissionEvent,
    draft_expiry,
    link_expiry,
    new_access_token,
)

logger = logging.getLogger(__name__)

# The answer's own questions, as the form and the history name them.
FIELD_LABELS = {
    "context": gettext_lazy("Contexte"),
    "territory_text": gettext_lazy("Territoire de projet"),
    "meeting_wished_by": gettext_lazy("Date souhaitée pour un temps d’échange"),
    "meeting_wish": gettext_lazy("Précisions sur la période ou vos disponibilités"),
    "objectives": gettext_lazy("Objectifs attendus"),
}
OBJECTIVE_FIELDS = {
    Objective.INFORMATION: "wants_information",
    Objective.REFLECTION: "has_reflection",
    Objective.INITIATIVE: "has_initiative",
}


@dataclass(frozen=True)
class ActorData:
    """One actor of the answer; ``pk`` names a stored row (a correction), None a new one."""

    name: str
    profession: str
    practice_place: str
    practice_setting: str
    profession_other: str = ""
    structure_name: str = ""
    # The reference commune when the place typed was recognised.
    practice_commune_id: int | None = None
    pk: int | None = None

    FIELDS = (
        "name",
        "profession",
        "profession_other",
        "practice_place",
        "practice_commune_id",
        "practice_setting",
        "structure_name",
    )


@dataclass(frozen=True)
class ReferentData:
    """One référent; ``phone`` in E.164 (``+33298921234``) or empty."""

    name: str
    function: str = ""
    email: str = ""
    phone: str = ""
    pk: int | None = None

    FIELDS = ("name", "function", "email", "phone")


@dataclass(frozen=True)
class AnswerData:
    """A complete, valid answer to the fiche de renseignements, as plain values.

    ``form_token`` is the random value of the page the answer came from (sent twice, it
    finds the first answer; a draft saved from that page becomes the answer).
    """

    objectives: frozenset[str]
    context: str
    actors: list[ActorData]
    referents: list[ReferentData]
    territory_text: str = ""
    meeting_wished_by: date | None = None
    meeting_wish: str = ""
    commune_codes: list[str] = field(default_factory=list)
    # Places the professionals kept as typed, not found among the communes (« Fougèrs »).
    other_places: list[str] = field(default_factory=list)
    form_token: uuid.UUID | None = None


def submit_answer(campaign: Campaign, data: AnswerData) -> tuple[Submission, bool]:
    """Store a valid answer; returns ``(submission, created)``.

    In one transaction: the submission, its actors and référents, its territory, a
    "submitted" event, the outbox rows (acknowledgement to each référent with an email,
    notification to the campaign's ARS address), and the deletion of the draft saved from
    the same page (``AnswerDraft`` with this ``form_token``): a failure leaves the draft as
    it was. The same ``form_token`` posted twice (double click, back button, resent
    request) returns the first submission with ``created=False``.
    """
    token = data.form_token or uuid.uuid4()
    existing = Submission.objects.filter(form_token=token).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            submission = Submission(campaign=campaign, form_token=token, consent_at=timezone.now())
            set_answer_fields(submission, data)
            submission.save()
            save_rows(submission, data, new=True)
            record_event(submission, SubmissionEvent.Kind.SUBMITTED)
            queue_submission_emails(submission)
            AnswerDraft.objects.filter(form_token=token).delete()
    except IntegrityError:
        # A concurrent request with the same token won the race.
        existing = Submission.objects.filter(form_token=token).first()
        if existing is None:
            raise
        return existing, False
    return submission, True


def set_answer_fields(submission: Submission, data: AnswerData) -> None:
    for objective, name in OBJECTIVE_FIELDS.items():
        setattr(submission, name, objective in data.objectives)
    submission.context = data.context
    submission.territory_text = data.territory_text
    submission.meeting_wished_by = data.meeting_wished_by
    submission.meeting_wish = data.meeting_wish


def save_rows(submission: Submission, data: AnswerData, *, new: bool = False) -> None:
    """Make the answer's actors and référents those of ``data`` (by ``pk``), and its
    territory the communes of ``data``. A ``pk`` that is not one of this answer's rows is
    an error (``ValueError``): the form refuses it before. A ``new`` answer has no rows
    to read yet (two queries less per answer sent)."""
    for model, rows in ((Actor, data.actors), (Referent, data.referents)):
        stored = {} if new else {row.pk: row for row in model.objects.filter(submission=submission)}
        unknown = {row.pk for row in rows if row.pk is not None} - stored.keys()
        if unknown:
            raise ValueError(f"{model.__name__} {sorted(unknown)} not in {submission.reference}")
        kept = {row.pk for row in rows}
        model.objects.filter(pk__in=stored.keys() - kept).delete()
        for row in rows:
            instance = stored.get(row.pk) or model(submission=submission)
            if instance.pk and row_values(instance, row.FIELDS) == plain_values(row):
                continue
            for name in row.FIELDS:
                setattr(instance, name, getattr(row, name))
            instance.save()
    save_territory(submission, list(data.commune_codes), list(data.other_places))


def plain_values(row: ActorData | ReferentData) -> dict[str, object]:
    return {name: getattr(row, name) for name in row.FIELDS}


def row_values(instance: Actor | Referent, names: tuple[str, ...]) -> dict[str, object]:
    values = {name: getattr(instance, name) for name in names}
    if "phone" in values:
        values["phone"] = values["phone"].as_e164 if values["phone"] else ""
    return values


def save_territory(
    submission: Submission, codes: list[str], other_places: list[str] | None = None
) -> None:
    """Give the answer the territory built from these communes (none: no territory).

    The answer's own row is changed in place (deleted when emptied). A row something else
    also points at (a project, from before a territory had one owner) is never changed
    nor deleted: the answer leaves it and, with communes, gets a new row of its own.
    """
    territory = submission.territory
    shared = territory is not None and territory.is_used_by_other_than(submission)
    if not codes and not other_places:
        if territory is not None:
            submission.territory = None
            submission.save(update_fields=["territory"])
            if not shared:
                territory.delete()
        return
    if territory is None or shared:
        territory = Territory(region_id=submission.campaign.region_id)
    territory.name = _("Territoire envisagé — %(reference)s") % {"reference": submission.reference}
    territory.other_places = "\n".join(other_places or [])
    territory.save()
    territory.communes.set(communes_queryset(codes))
    if submission.territory_id != territory.pk:
        submission.territory = territory
        submission.save(update_fields=["territory"])


ACKNOWLEDGEMENT_TEMPLATE = "ami/emails/acknowledgement"


def queue_submission_emails(submission: Submission) -> None:
    """The acknowledgement to each référent's address, and the ARS notification.

    Anyone may type any address as a référent's: an address that already got
    ``ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY`` acknowledgements in the last 24 hours gets no
    more (the answer is stored and the ARS told all the same; the confirmation page shows
    the private link). Such référents are listed in the "submitted" event's details.
    """
    context = {
        "submission": submission,
        "campaign": submission.campaign,
        "region_identity": region_identity(submission.campaign.region),
        "actors": list(submission.actors.select_related("practice_commune")),
        "referents": list(submission.referents.all()),
        "private_url": absolute_url(submission.get_private_url()),
        "staff_url": staff_url(submission),
    }
    recipients: dict[str, str] = {}  # lower-cased address -> address, once each
    withheld: list[int] = []
    for referent in context["referents"]:
        address = referent.email
        if not address or address.lower() in recipients:
            continue
        if acknowledgements_in_last_day(address) >= settings.ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY:
            withheld.append(referent.pk)
        else:
            recipients[address.lower()] = address
    queue_email(recipients.values(), ACKNOWLEDGEMENT_TEMPLATE, context, related=submission)
    if withheld:
        SubmissionEvent.objects.filter(
            submission=submission, kind=SubmissionEvent.Kind.SUBMITTED
        ).update(data={"acknowledgements_withheld": withheld})
        # The référents' ids, not their addresses: the logs keep no personal data.
        logger.warning(
            "%s: no acknowledgement to référents %s, their address had its daily share",
            submission.reference,
            withheld,
        )
    queue_email(
        [submission.campaign.contact_email],
        "ami/emails/ars_notification",
        context,
        related=submission,
    )


def acknowledgements_in_last_day(address: str) -> int:
    """Acknowledgements queued to this address (whatever its case) in the last 24 hours."""
    return OutgoingEmail.objects.filter(
        template=ACKNOWLEDGEMENT_TEMPLATE,
        recipient__iexact=address,
        created_at__gte=timezone.now() - timedelta(days=1),
    ).count()


def update_answer(submission: Submission, data: AnswerData) -> SubmissionEvent | None:
    """Save the référent's corrections and record what changed; None when nothing did."""
    changes = describe_changes(submission, data)
    if not changes:
        return None
    with transaction.atomic():
        set_answer_fields(submission, data)
        submission.save()
        save_rows(submission, data)
        event = record_event(submission, SubmissionEvent.Kind.EDITED, changes=changes)
        notify_staff_of_edit(submission, event)
        return event


def describe_changes(submission: Submission, data: AnswerData) -> list[str]:
    """Human-readable list of the changes, in French, for the history: the stored answer
    compared with ``data``, value by value. The stored values are read again: a caller's
    instance may already carry the new ones (a model form writes them on validation)."""
    submission = Submission.objects.get(pk=submission.pk)
    stored = {
        "context": submission.context,
        "territory_text": submission.territory_text,
        "meeting_wished_by": submission.meeting_wished_by,
        "meeting_wish": submission.meeting_wish,
        "objectives": {o for o, name in OBJECTIVE_FIELDS.items() if getattr(submission, name)},
    }
    wanted = {
        "context": data.context,
        "territory_text": data.territory_text,
        "meeting_wished_by": data.meeting_wished_by,
        "meeting_wish": data.meeting_wish,
        "objectives": set(data.objectives),
    }
    changes = [
        _("« %(field)s » modifié") % {"field": FIELD_LABELS[name]}
        for name in stored
        if stored[name] != wanted[name]
    ]
    codes = (
        set(submission.territory.communes.values_list("insee_code", flat=True))
        if submission.territory_id
        else set()
    )
    if codes != set(data.commune_codes):
        changes.append(_("Communes du territoire modifiées"))
    actors = Actor.objects.filter(submission=submission).order_by("pk")
    referents = Referent.objects.filter(submission=submission).order_by("pk")
    changes += describe_row_changes(list(actors), data.actors, _("Acteur"))
    changes += describe_row_changes(list(referents), data.referents, _("Référent"))
    return changes


def describe_row_changes(
    stored: list[Actor] | list[Referent], rows: list[ActorData] | list[ReferentData], noun: str
) -> list[str]:
    by_pk = {row.pk: row for row in rows if row.pk is not None}
    changes = []
    for instance in stored:
        row = by_pk.get(instance.pk)
        if row is None:
            changes.append(_("%(noun)s retiré : %(name)s") % {"noun": noun, "name": instance.name})
        elif row_values(instance, row.FIELDS) != plain_values(row):
            changes.append(_("%(noun)s modifié : %(name)s") % {"noun": noun, "name": row.name})
    changes += [
        _("%(noun)s ajouté : %(name)s") % {"noun": noun, "name": row.name}
        for row in rows
        if row.pk is None
    ]
    return changes


# --- Drafts ------------------------------------------------------------------------------

DRAFT_LINK_TEMPLATE = "ami/emails/draft_resume"


class DraftRefused(Exception):
    """The draft cannot be saved; the message can be shown to the person."""


def save_draft(
    campaign: Campaign, form_token: uuid.UUID, data: dict[str, list[str]], may_create: bool
) -> AnswerDraft:
    """Save the fields as typed in the draft of the page ``form_token``; returns it.

    ``data`` holds the form's own fields only (``ami.forms.draft_fields``). A draft is
    created only when ``may_create`` (the caller's rate limit); once the page's answer was
    sent, no draft is saved from it (a late autosave would bring it back).
    """
    if Submission.objects.filter(form_token=form_token).exists():
        raise DraftRefused(_("Cette réponse a déjà été envoyée."))
    updated = AnswerDraft.objects.filter(form_token=form_token, campaign=campaign).update(
        data=data, updated_at=timezone.now()
    )
    if updated:
        return AnswerDraft.objects.get(form_token=form_token)
    if not may_create:
        raise DraftRefused(
            _("Trop de brouillons ont été commencés depuis cette connexion : réessayez plus tard.")
        )
    try:
        with transaction.atomic():
            return AnswerDraft.objects.create(campaign=campaign, form_token=form_token, data=data)
    except IntegrityError:
        # The same page saved twice at once (a click during an autosave), or a token of
        # another campaign's page.
        draft = AnswerDraft.objects.filter(form_token=form_token, campaign=campaign).first()
        if draft is None:
            raise DraftRefused(_("Ce brouillon ne peut pas être enregistré.")) from None
        return draft


def send_draft_link(draft: AnswerDraft, address: str, now: datetime | None = None) -> bool:
    """Email ``address`` the link to resume the draft; False when the address already got
    ``DRAFT_LINKS_PER_ADDRESS_PER_DAY`` such links in the last 24 hours (nothing is sent).

    The link gets a new token valid ``DRAFT_RETENTION_DAYS`` from ``now`` (the link sent
    before stops working), as ``renew_private_link`` does for an answer's link.
    """
    if draft_links_in_last_day(address) >= settings.DRAFT_LINKS_PER_ADDRESS_PER_DAY:
        return False
    with transaction.atomic():
        draft.access_token = new_access_token()
        draft.access_expires_at = draft_expiry(now)
        draft.save(update_fields=["access_token", "access_expires_at", "updated_at"])
        queue_email(
            [address],
            DRAFT_LINK_TEMPLATE,
            {
                "campaign": draft.campaign,
                "region_identity": region_identity(draft.campaign.region),
                "resume_url": absolute_url(draft.get_resume_url()),
                "expires_at": draft.access_expires_at,
            },
        )
    return True


def draft_links_in_last_day(address: str) -> int:
    return OutgoingEmail.objects.filter(
        template=DRAFT_LINK_TEMPLATE,
        recipient__iexact=address,
        created_at__gte=timezone.now() - timedelta(days=1),
    ).count()


def purge_answer_drafts(now: datetime | None = None) -> int:
    """Delete the drafts not saved for ``DRAFT_RETENTION_DAYS``; returns how many."""
    limit = (now or timezone.now()) - timedelta(days=settings.DRAFT_RETENTION_DAYS)
    deleted, _by_model = AnswerDraft.objects.filter(updated_at__lt=limit).delete()
    return deleted


# --- The private link --------------------------------------------------------------------


def renew_private_link(submission: Submission, now: datetime | None = None) -> None:
    """Give the answer a new private link, valid ``PRIVATE_LINK_DAYS`` from ``now``.

    The token is drawn again: the old link answers 404 from now on. Nothing else extends
    a link (a référent's visits, corrections and messages leave its expiry as it is).
    """
    submission.access_token = new_access_token()
    submission.access_expires_at = link_expiry(now)
    submission.save(update_fields=["access_token", "access_expires_at", "updated_at"])


def revoke_private_link(submission: Submission, now: datetime | None = None) -> None:
    """No link works any more: a new token nobody was sent, expired at once."""
    submission.access_token = new_access_token()
    submission.access_expires_at = now or timezone.now()
    submission.save(update_fields=["access_token", "access_expires_at", "updated_at"])


# --- The référents' messages (the public side; ``ami.staff.services`` reuses the helpers) ---


def staff_url(submission: Submission) -> str:
    return absolute_url(reverse("staff:submission", args=[submission.pk]))


def staff_recipients(submission: Submission) -> list[str]:
    """Who hears from the référents: the agent in charge, else the campaign's ARS address."""
    if submission.assignee_id and submission.assignee.email:
        return [submission.assignee.email]
    return [submission.campaign.contact_email]


def notify_staff_of_edit(submission: Submission, event: SubmissionEvent) -> None:
    """Tell the agent in charge (else the ARS address) what the référents just changed.

    Call inside the transaction that recorded the ``EDITED`` event: every edit of the
    référents is told, whatever the status (a correction asked by the ARS, or before the
    analysis).
    """
    queue_email(
        staff_recipients(submission),
        "ami/emails/referent_edited",
        {
            "submission": submission,
            "changes": list(event.changes),
            "correction_requested": (submission.status == Submission.Status.CORRECTION_REQUESTED),
            "staff_url": staff_url(submission),
        },
        related=submission,
    )
