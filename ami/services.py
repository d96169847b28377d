"""Writes of the AMI: receiving an answer, letting its référent correct it, and the
private link's lifetime."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.forms import BaseFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cpts_portal.history import record_event
from cpts_portal.links import absolute_url
from notifications.models import OutgoingEmail
from notifications.services import queue_email
from territories.builder import communes_queryset
from territories.models import Territory

from .forms import AnswerForms
from .models import Campaign, Submission, SubmissionEvent, link_expiry, new_access_token

logger = logging.getLogger(__name__)


def submit_answer(campaign: Campaign, forms: AnswerForms) -> tuple[Submission, bool]:
    """Store a valid answer; returns ``(submission, created)``.

    In one transaction: the submission, its actors and référents, a "submitted" event and
    the outbox rows (acknowledgement to each référent with an email, notification to the
    campaign's ARS address). The same ``form_token`` posted twice (double click, back
    button, resent request) returns the first submission with ``created=False``.
    """
    token = forms.submission.cleaned_data["form_token"]
    existing = Submission.objects.filter(form_token=token).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            submission = forms.submission.save(commit=False)
            submission.campaign = campaign
            submission.form_token = token
            submission.consent_at = timezone.now()
            submission.save()
            save_rows(forms, submission)
            record_event(submission, SubmissionEvent.Kind.SUBMITTED)
            queue_submission_emails(submission)
    except IntegrityError:
        # A concurrent request with the same token won the race.
        existing = Submission.objects.filter(form_token=token).first()
        if existing is None:
            raise
        return existing, False
    return submission, True


def save_rows(forms: AnswerForms, submission: Submission) -> None:
    for formset in (forms.actors, forms.referents):
        formset.instance = submission
        formset.save()
    save_territory(submission, forms.territory.codes(), forms.territory.other_places())


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
        territory = Territory()
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


def update_answer(submission: Submission, forms: AnswerForms) -> SubmissionEvent | None:
    """Save the référent's corrections and record what changed; None when nothing did."""
    changes = describe_changes(forms)
    if not changes:
        return None
    with transaction.atomic():
        forms.submission.save()
        save_rows(forms, submission)
        event = record_event(submission, SubmissionEvent.Kind.EDITED, changes=changes)
        notify_staff_of_edit(submission, event)
        return event


def describe_changes(forms: AnswerForms) -> list[str]:
    """Human-readable list of the changes, in French, for the history."""
    form = forms.submission
    changes = [
        _("« %(field)s » modifié") % {"field": form.fields[name].label}
        for name in form.changed_data
        if name not in {"form_token", "website", "consent"}
    ]
    if forms.territory.has_changed_set():
        changes.append(_("Communes du territoire modifiées"))
    changes += describe_row_changes(forms.actors, _("Acteur"))
    changes += describe_row_changes(forms.referents, _("Référent"))
    return changes


def describe_row_changes(formset: BaseFormSet, noun: str) -> list[str]:
    changes = []
    for form in formset.forms:
        name = form.cleaned_data.get("name") or form.initial.get("name", "")
        if form.cleaned_data.get("DELETE"):
            if form.instance.pk:
                changes.append(_("%(noun)s retiré : %(name)s") % {"noun": noun, "name": name})
        elif form.instance.pk is None and form.has_changed():
            changes.append(_("%(noun)s ajouté : %(name)s") % {"noun": noun, "name": name})
        elif form.has_changed():
            changes.append(_("%(noun)s modifié : %(name)s") % {"noun": noun, "name": name})
    return changes


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


def post_referent_message(submission: Submission, text: str) -> SubmissionEvent:
    """A référent's message through the private link; the agent in charge is told by email."""
    with transaction.atomic():
        event = record_event(
            submission, SubmissionEvent.Kind.MESSAGE, comment=text, data={"from": "referent"}
        )
        queue_email(
            staff_recipients(submission),
            "ami/emails/message_from_referent",
            {"submission": submission, "message": text, "staff_url": staff_url(submission)},
            related=submission,
        )
    return event


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
