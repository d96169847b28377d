"""The iCalendar invitation to the exchange and its cancellation (RFC 5545, iTIP RFC 5546),
attached to the référents' emails.

In the AMI core, not in ``ami.staff``: ``ami.workflow`` attaches the cancellation to any status
change, and the core never imports the staff package.
"""

from datetime import UTC, datetime
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import Attachment
from territories.selectors import region_identity

from .models import Exchange, Submission

ICS_MIMETYPE = "text/calendar"


class Method(StrEnum):
    """The iTIP method of the calendar object, and the event STATUS it goes with."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"

    @property
    def event_status(self) -> str:
        return "CANCELLED" if self is Method.CANCEL else "CONFIRMED"


def escape_text(value: str) -> str:
    """TEXT value escaping of RFC 5545 §3.3.11."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (§3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        # The first line holds 75 octets; the next ones 74 plus the leading space.
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def exchange_calendar(
    exchange: Exchange,
    submission: Submission,
    attendees: list[tuple[str, str]],
    method: Method = Method.REQUEST,
) -> str:
    """The VCALENDAR text of an invitation (REQUEST) or a cancellation (CANCEL), organised
    by the campaign's ARS address.

    Times are in UTC (no VTIMEZONE needed); a new date or a cancellation of the same
    exchange keeps the UID with a higher SEQUENCE, so calendar clients move or remove the
    event instead of duplicating it.
    """
    campaign = submission.campaign
    summary = _("Échange CPTS — réponse %(reference)s") % {"reference": submission.reference}
    description_lines = [
        _("Temps d’échange sur votre réponse %(reference)s à l’AMI « %(title)s » (%(edition)s).")
        % {"reference": submission.reference, "title": campaign.title, "edition": campaign.edition}
    ]
    if exchange.video_url:
        description_lines.append(_("Visioconférence : %(url)s") % {"url": exchange.video_url})
    if exchange.participants:
        description_lines.append(_("Participants : %(names)s") % {"names": exchange.participants})
    location = exchange.place or exchange.video_url
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Portail CPTS//AMI CPTS//FR",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{exchange.ical_uid}",
        f"SEQUENCE:{exchange.sequence}",
        f"DTSTAMP:{utc_stamp(timezone.now())}",
        f"DTSTART:{utc_stamp(exchange.starts_at)}",
        f"DTEND:{utc_stamp(exchange.ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(chr(10).join(description_lines))}",
        f"LOCATION:{escape_text(location)}",
    ]
    if exchange.video_url:
        lines.append(f"URL:{exchange.video_url}")
    lines.append(
        f"ORGANIZER;CN={quote_param(region_identity(campaign.region).ars_name)}"
        f":mailto:{campaign.contact_email}"
    )
    lines += [
        f"ATTENDEE;CN={quote_param(name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:{email}"
        for name, email in attendees
    ]
    lines += [f"STATUS:{method.event_status}", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def quote_param(value: str) -> str:
    """A parameter value in double quotes (no quotes or line breaks allowed inside)."""
    cleaned = value.replace('"', "'").replace("\r", " ").replace("\n", " ")
    return f'"{cleaned}"'


def exchange_attachment(
    exchange: Exchange, submission: Submission, method: Method = Method.REQUEST
) -> Attachment:
    """The .ics file for the référents who gave an address, the attendees of the event."""
    attendees = [(r.name, r.email) for r in submission.referents.all() if r.email]
    name = "annulation-echange" if method is Method.CANCEL else "echange"
    return Attachment(
        filename=f"{name}-{submission.reference}.ics",
        mimetype=ICS_MIMETYPE,
        content=exchange_calendar(exchange, submission, attendees, method),
    )
