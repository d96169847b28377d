"""Reads of the staff workspace: lists, counts and the timeline of a submission."""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import caches
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import truncatechars
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _

from cpts_portal.fragments import versions
from cpts_portal.links import pk_url_maker
from cpts_portal.roles import ROLE_PERMISSIONS, roles_of
from notifications.models import OutgoingEmail
from notifications.services import emails_about
from territories.models import GEOGRAPHY_VERSION, Departement
from territories.permissions import EVERY_REGION, User, region_scope, scope_by_region

from .. import workflow
from ..apps import STAFF_FILTERS_VERSION
from ..filters import SubmissionFilter
from ..models import (
    STATISTICS_VERSION,
    AccessLog,
    Actor,
    Campaign,
    ClosureReason,
    DashboardPreference,
    Exchange,
    Orientation,
    Submission,
    SubmissionEvent,
)
from ..selectors import readable_submissions, same_territory_submissions
from ..workflow import Action
from .columns import clean_columns

Kind = SubmissionEvent.Kind
Status = Submission.Status


def with_first_actor(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """Adds the first actor's name and place and the number of actors, in the same query."""
    actors = Actor.objects.filter(submission=OuterRef("pk"))
    first = actors.order_by("pk")
    count = actors.order_by().values("submission").annotate(n=Count("pk")).values("n")
    return queryset.annotate(
        first_actor_name=Subquery(first.values("name")[:1]),
        first_actor_place=Subquery(first.values("practice_place")[:1]),
        actor_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
    )


def staff_submissions(user: User) -> QuerySet[Submission]:
    """The base of every staff list: one query for the rows, whatever their number."""
    return with_first_actor(readable_submissions(user).select_related("campaign", "assignee"))


@dataclass(frozen=True)
class DashboardRow:
    """A row of the dashboard's table: its key, its reference and the markup of its cells."""

    pk: int
    reference: str
    select_label: str
    cells: list[SafeString]


def dashboard_rows(
    submissions: Iterable[Submission], columns: list[str], shown: set[str]
) -> list[DashboardRow]:
    """The dashboard's rows with the cells of ``columns`` (keys of ``columns.COLUMNS``, in
    order), written here; those not ``shown`` are ``hidden``. 25 rows of ten cells, each an
    ``{% if %}`` chain of template tags, were the page's largest cost; the markup is the
    one ami/staff/_dashboard_table.html wrote."""
    statuses = {status.value: str(status.label) for status in Status}
    orientations = {value: str(label) for value, label in Orientation.choices}
    objectives = [
        ("wants_information", pgettext("objectif", "Information")),
        ("has_reflection", pgettext("objectif", "Réflexion")),
        ("has_initiative", pgettext("objectif", "Initiative")),
    ]
    unassigned = format_html('<span class="fr-text--xs">{}</span>', _("Non attribuée"))
    detail_url = pk_url_maker("staff:submission")
    select_label = _("Sélectionner %(reference)s")

    def td(key: str, content: object) -> SafeString:
        hidden = "" if key in shown else " hidden"
        return format_html('<td data-column="{}"{}>{}</td>', key, hidden, content)

    def day(moment: datetime | None) -> SafeString:
        moment = timezone.localtime(moment) if moment and timezone.is_aware(moment) else moment
        return format_html(
            '<time datetime="{}">{}</time>',
            date_filter(moment, "c"),
            date_filter(moment, "d/m/Y"),
        )

    rows = []
    for submission in submissions:
        reference = submission.reference
        actors = format_html("{}", submission.first_actor_name or "—")
        if submission.actor_count > 1:
            others = submission.actor_count - 1
            more = ngettext("et %(counter)s autre", "et %(counter)s autres", others)
            actors += format_html(
                ' <span class="fr-text--xs">{}</span>', more % {"counter": others}
            )
        if submission.first_actor_place:
            actors += format_html(
                '<br><span class="fr-text--xs">{}</span>', submission.first_actor_place
            )
        assignee = submission.assignee
        cells = {
            "reference": format_html(
                '<th scope="row" data-column="reference"><a href="{}">{}</a></th>',
                detail_url(submission.pk),
                reference,
            ),
            "recue": td("recue", day(submission.submitted_at)),
            "acteur": td("acteur", actors),
            "territoire": td("territoire", truncatechars(submission.territory_text, 60) or "—"),
            "objectifs": td(
                "objectifs",
                format_html(
                    '<ul class="portal-objectives">{}</ul>',
                    format_html_join(
                        "",
                        "<li>{}</li>",
                        ((label,) for f, label in objectives if getattr(submission, f)),
                    ),
                ),
            ),
            "statut": td(
                "statut",
                format_html(
                    '<span class="fr-badge fr-badge--sm fr-badge--no-icon portal-status '
                    'portal-status--{}">{}</span>',
                    submission.status,
                    statuses.get(submission.status, submission.status),
                ),
            ),
            "agent": td(
                "agent",
                (assignee.get_full_name() or assignee.get_username()) if assignee else unassigned,
            ),
            "campagne": td("campagne", submission.campaign.edition),
            "statut_depuis": td("statut_depuis", day(submission.status_changed_at)),
            "orientation": td(
                "orientation",
                orientations.get(submission.orientation, submission.orientation) or "—",
            ),
        }
        label = select_label % {"reference": reference}
        rows.append(DashboardRow(submission.pk, reference, label, [cells[key] for key in columns]))
    return rows


# One row of the table, as ami/staff/_dashboard_table.html wrote it (its indentation too).
ROW_MARKUP = (
    "\n          <tr>\n"
    '            <td class="portal-select-cell">\n'
    '              <div class="fr-checkbox-group fr-checkbox-group--sm">\n'
    '                <input type="checkbox" name="lot-selection" value="{pk}"'
    ' id="selection-{pk}" data-select-row>\n'
    '                <label class="fr-label" for="selection-{pk}"><span class="fr-sr-only">'
    "{label}</span></label>\n"
    "              </div>\n"
    "            </td>\n"
    "            {cells}\n"
    "          </tr>\n        "
)


def rows_markup(rows: Iterable[DashboardRow]) -> SafeString:
    """The ``<tr>`` of the table's body: its selection checkbox, then its cells."""
    return format_html_join(
        "",
        ROW_MARKUP,
        (
            {
                "pk": row.pk,
                "label": row.select_label,
                "cells": format_html_join("", "{}", ((cell,) for cell in row.cells)),
            }
            for row in rows
        ),
    )


@dataclass(frozen=True)
class DashboardListing:
    """What the dashboard shows of its list: the counts, the page and its rows, and what
    the filters said (some invalid, « mine » chosen)."""

    counts: list[tuple[str, str, int]]
    mine_count: int
    page: Page
    rows: list[DashboardRow]
    rows_markup: SafeString
    invalid: bool
    mine: bool


@dataclass(frozen=True)
class KeptPage:
    count: int
    number: int
    rows: list[DashboardRow]
    rows_markup: SafeString
    invalid: bool
    mine: bool


class LazyRows:
    """The rows of a kept page for ``Paginator``: the filtered queryset is built only if
    they are read (the page itself shows the rows kept, and reads none)."""

    ordered = True  # the filters always sort (``StableOrderingFilter``)

    def __init__(self, make: Callable[[], QuerySet[Submission]]) -> None:
        self.make = make

    def __getitem__(self, index: slice) -> SimpleLazyObject:
        return SimpleLazyObject(lambda: self.make()[index])


# A safety net for writes that send no signal (``QuerySet.update``): counts at most this old.
LISTING_TIMEOUT = 15 * 60  # seconds


def digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def scope_key(user: User) -> str:
    """The regions ``user`` reads: with the query string, all the filters depend on (the
    choices they accept, the answers they search), but « mine »."""
    scope = region_scope(user)
    return "every" if scope is EVERY_REGION else ",".join(str(pk) for pk in sorted(scope))


def query_items(query: QueryDict, *drop: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The query string's parameters but ``drop``, in a stable order."""
    return tuple(
        sorted((name, tuple(values)) for name, values in query.lists() if name not in drop)
    )


def without_status(filterset: SubmissionFilter) -> QuerySet[Submission]:
    """The list filtered by everything but the status and the sort: what the counts per
    status are over, so each count is what its link will show (the filters' own
    ``filter_queryset`` less one filter: no second filter set to build)."""
    filterset.is_valid()  # cleans the form: the valid fields are in cleaned_data
    queryset = filterset.queryset.all()
    for name, value in filterset.form.cleaned_data.items():
        if name not in ("status", "tri"):
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset


def page_count(filterset: SubmissionFilter, counts: list[tuple[str, str, int]]) -> int | None:
    """The number of rows, read from the counts per status when they say it (one query
    less): they are counted over every filter but the status."""
    if not filterset.is_valid():
        return None
    status = filterset.form.cleaned_data.get("status")
    by_status = {value: count for value, _label, count in counts}
    return by_status.get(status, 0) if status else sum(by_status.values())


def dashboard_listing(
    user: User,
    query: QueryDict,
    filters: Callable[[], SubmissionFilter],
    page_size: int,
    columns: list[str],
    shown: set[str],
) -> DashboardListing:
    """The dashboard's counts per status (over every filter but the status), the number of
    answers attributed to ``user``, and the page asked for of the filtered list with its
    rows (``columns``, those not ``shown`` hidden). ``filters()``: the filter set of
    ``query``, called only when something is computed.

    At 10,000 answers they were most of the page (three queries over the region's answers,
    25 rows written, the filters' querysets built): they are kept per process under keys
    naming what they depend on: the query string, the regions the user reads (and the user
    with « mine »), the columns, the language, the time zone and the versions of what they
    show (answers, actors, référents, campaigns, territories: ``STATISTICS_VERSION``;
    agents; the geography).
    """
    cache = caches["fragments"]
    context = (
        get_language() or "",
        timezone.get_current_timezone_name(),
        versions(STATISTICS_VERSION, STAFF_FILTERS_VERSION, GEOGRAPHY_VERSION),
        scope_key(user),
    )
    # The filters read the user for « mine » only: without it, a region's agents share.
    personal = user.pk if "mine" in query else None
    number = query.get("page")
    counts_key = "staff-counts:" + digest(
        context, personal, query_items(query, "page", "status", "tri")
    )
    mine_key = "staff-mine:" + digest(context, user.pk)
    page_key = "staff-page:" + digest(
        context, personal, query_items(query, "page"), number, page_size, columns, sorted(shown)
    )
    found = cache.get_many([counts_key, mine_key, page_key])
    missing = {}
    counts = found.get(counts_key)
    if counts is None:
        counted = status_counts(without_status(filters()))
        counts = missing[counts_key] = [(value, str(label), n) for value, label, n in counted]
    mine_count = found.get(mine_key)
    if mine_count is None:
        mine = readable_submissions(user).filter(assignee=user)
        mine_count = missing[mine_key] = mine.count()
    kept = found.get(page_key)
    if kept is None:
        filterset = filters()
        paginator = Paginator(filterset.qs, page_size)
        if (known := page_count(filterset, counts)) is not None:
            paginator.count = known  # a cached property: set, it is not counted again
        shown_page = paginator.get_page(number)
        rows = dashboard_rows(shown_page, columns, shown)
        kept = missing[page_key] = KeptPage(
            paginator.count,
            shown_page.number,
            rows,
            rows_markup(rows),
            invalid=bool(filterset.form.errors),
            mine=bool(filterset.form.cleaned_data.get("mine")),
        )
    else:
        paginator = Paginator(LazyRows(lambda: filters().qs), page_size)
        paginator.count = kept.count
        shown_page = paginator.page(kept.number)
    if missing:
        cache.set_many(missing, LISTING_TIMEOUT)
    return DashboardListing(
        counts,
        mine_count,
        shown_page,
        kept.rows,
        kept.rows_markup,
        invalid=kept.invalid,
        mine=kept.mine,
    )


def status_counts(queryset: QuerySet[Submission]) -> list[tuple[str, str, int]]:
    """``(status, label, count)`` for every status, in the workflow's order, zeros included."""
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    return [(status.value, status.label, counts.get(status.value, 0)) for status in Status]


def staff_submission(pk: int, user: User) -> Submission:
    """One submission with what its staff page shows, in a fixed number of queries
    (``Submission.DoesNotExist`` for an answer of a region ``user`` does not read)."""
    return (
        readable_submissions(user)
        # The region and its ARS's identity: the messages' thread and the panels name it.
        .select_related("campaign__region__identity", "assignee", "territory")
        .prefetch_related(
            Prefetch("actors", queryset=Actor.objects.select_related("practice_commune")),
            "referents",
            # Not the territory's communes: its block reads them itself, once rendered,
            # and is kept (``views.detail_context``).
            "cpts_projects",
            Prefetch(
                "linked_submissions",
                queryset=Submission.objects.select_related("campaign").order_by("pk"),
            ),
        )
        .get(pk=pk)
    )


# « Acteurs du même territoire » lists the most recent ones: with thousands of answers in a
# region, an answer shared an EPCI with hundreds (each a checkbox of the orientation form).
RELATED_SHOWN = 30


def related_submissions(
    submission: Submission, user: User, token: str | None = None
) -> QuerySet[Submission]:
    """« Acteurs du même territoire », the ``RELATED_SHOWN`` most recent, with what the block
    shows; those ``user`` may read only (a territory may cross a regional border). Not
    sliced (the orientation form filters it when it validates its choices).

    The search over the region's answers (7 ms and three queries at 10,000 answers) runs
    once per answer, regions read and ``token`` (``related_token()``: the versions of the
    answers, their actors and territories, and of the geography); its ids are kept per
    process. The list and the orientation form's choices then read by primary key.
    """
    token = token or related_token()
    key = "staff-related:" + digest(submission.pk, scope_key(user), token)
    cache = caches["fragments"]
    recent = cache.get(key)
    if recent is None:
        same_territory = scope_by_region(
            same_territory_submissions(submission), user, "campaign__region"
        )
        recent = list(same_territory.values_list("pk", flat=True)[:RELATED_SHOWN])
        cache.set(key, recent, LISTING_TIMEOUT)
    # ``or [0]``: one query either way, so the page's count is constant.
    return with_first_actor(
        Submission.objects.filter(pk__in=recent or [0]).select_related("campaign")
    ).order_by("-submitted_at")


def related_token() -> str:
    """What « Acteurs du même territoire » depend on: answers, actors, territories and
    campaigns (``STATISTICS_VERSION``), agents (``STAFF_FILTERS_VERSION``: the page's
    forms name them) and the geography (EPCI). One read of the versions for the page."""
    return versions(STATISTICS_VERSION, STAFF_FILTERS_VERSION, GEOGRAPHY_VERSION)


# --- Timeline ----------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime
    title: str
    author: str = ""
    lines: list[str] = field(default_factory=list)
    text: str = ""  # the note, opinion or message itself, or the message sent to référents
    comment: str = ""  # internal comment of a status change
    private: bool = False  # never shown to the professionals
    kind: str = ""


def when(value: str | datetime) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(timezone.localtime(moment), "l j F Y à H:i")


def exchange_lines(details: dict) -> list[str]:
    lines = []
    if details.get("starts_at"):
        end = timezone.localtime(datetime.fromisoformat(details["ends_at"]))
        lines.append(
            _("Le %(start)s, jusqu’à %(end)s")
            % {"start": when(details["starts_at"]), "end": formats.time_format(end, "H:i")}
        )
    if details.get("place"):
        lines.append(_("Lieu : %(place)s") % {"place": details["place"]})
    if details.get("video_url"):
        lines.append(_("Visioconférence : %(url)s") % {"url": details["video_url"]})
    if details.get("participants"):
        lines.append(_("Participants : %(names)s") % {"names": details["participants"]})
    return lines


def orientation_lines(details: dict) -> list[str]:
    lines = []
    if details.get("linked"):
        lines.append(
            _("Mise en relation avec : %(references)s")
            % {"references": ", ".join(details["linked"])}
        )
    if details.get("project"):
        lines.append(_("Projet de CPTS créé : %(name)s") % {"name": details["project"]})
    return lines


def status_move(event: SubmissionEvent) -> str:
    if event.from_state == event.to_state:
        return event.get_to_state_display()
    return f"{event.get_from_state_display()} → {event.get_to_state_display()}"


def event_entry(event: SubmissionEvent) -> TimelineEntry:
    details = event.data or {}
    entry = TimelineEntry(
        at=event.created_at,
        title=event.get_kind_display(),
        author=event.author_label,
        comment=event.comment,
        private=event.kind in SubmissionEvent.PRIVATE_KINDS,
        kind=event.kind,
    )
    if event.kind == Kind.EDITED:
        entry.lines = list(event.changes)
    elif event.kind == Kind.STATUS_CHANGED:
        entry.title = _("Statut : %(move)s") % {"move": status_move(event)}
    elif event.kind == Kind.NOTE:
        entry.text, entry.comment = event.comment, ""
        if event.opinion_label:
            entry.title = _("Avis : %(opinion)s") % {"opinion": event.opinion_label}
    elif event.kind == Kind.ASSIGNED:
        entry.title = (
            _("Attribuée à %(name)s") % {"name": details["assignee"]}
            if details.get("assignee")
            else _("Attribution retirée")
        )
    elif event.kind == Kind.EXCHANGE_PLANNED:
        entry.lines = exchange_lines(details)
        entry.text = details.get("message", "")
    elif event.kind == Kind.ORIENTED:
        if details.get("orientation") in Orientation.values:
            entry.title = _("Orientation : %(label)s") % {
                "label": Orientation(details["orientation"]).label
            }
        entry.lines = orientation_lines(details)
        entry.text = details.get("message", "")
    elif event.kind == Kind.CLOSED:
        if details.get("reason") in ClosureReason.values:
            entry.title = _("Clôture : %(reason)s") % {
                "reason": ClosureReason(details["reason"]).label
            }
        entry.text = details.get("message", "")
    elif event.kind == Kind.MESSAGE:
        entry.title = (
            _("Message des référents") if event.is_from_referent else _("Message aux référents")
        )
        entry.text, entry.comment = event.comment, ""
    elif event.kind == Kind.LINK_RESENT:
        entry.lines = link_lines(details)
    elif event.kind == Kind.ANONYMISED:
        entry.lines = [ANONYMISATION_REASONS.get(details.get("reason"), "")]
    entry.lines += outcome_lines(event, details)
    if not entry.text and isinstance(details.get("message"), str):
        entry.text = details["message"]  # a correction asked, or sent back
    if details.get("kept_exchange"):
        entry.lines.append(
            _("Échange du %(start)s maintenu")
            % {"start": when(details["kept_exchange"]["starts_at"])}
        )
    if details.get("cancelled_exchange"):
        entry.lines.append(
            _("Échange du %(start)s annulé, annulation envoyée aux référents")
            % {"start": when(details["cancelled_exchange"]["starts_at"])}
        )
    return entry


def outcome_lines(event: SubmissionEvent, details: dict) -> list[str]:
    """Correction rounds, files joined (``ami.corrections``, ``ami.attachments``)."""
    lines = []
    if event.kind in (Kind.CORRECTION_REQUESTED, Kind.RESUBMITTED) and details.get("round"):
        lines.append(_("Demande de correction nº %(round)s") % {"round": details["round"]})
    if event.kind == Kind.RESUBMITTED and isinstance(details.get("changes"), list):
        lines += details["changes"] or [_("Aucune modification depuis la demande")]
    names = details.get("attachments")
    if event.kind == Kind.DOCUMENT_ADDED and details.get("name"):
        names = [details["name"]]
    if isinstance(names, list):
        lines += [_("Pièce jointe : %(name)s") % {"name": name} for name in names]
    return lines


ANONYMISATION_REASONS = {
    "retention": gettext_lazy("Durée de conservation écoulée depuis la clôture"),
    "erasure": gettext_lazy("Demande d’effacement de la personne (RGPD)"),
}


def link_lines(details: dict) -> list[str]:
    lines = []
    if details.get("expires_at"):
        moment = timezone.localtime(datetime.fromisoformat(details["expires_at"]))
        lines.append(
            _("Valable jusqu’au %(date)s") % {"date": formats.date_format(moment, "j F Y")}
        )
    if details.get("recipients"):
        lines.append(
            ngettext(
                "Envoyé à %(count)d référent", "Envoyé à %(count)d référents", details["recipients"]
            )
            % {"count": details["recipients"]}
        )
    return lines


def email_entry(email: OutgoingEmail) -> TimelineEntry:
    lines = [_("État : %(status)s") % {"status": email.get_status_display()}]
    if email.status == OutgoingEmail.Status.FAILED and email.last_error:
        lines.append(_("Erreur : %(error)s") % {"error": email.last_error})
    lines += [
        _("Pièce jointe : %(name)s") % {"name": attachment["filename"]}
        for attachment in email.attachments
    ]
    return TimelineEntry(
        at=email.created_at,
        title=_("Email « %(subject)s » à %(recipient)s")
        % {"subject": email.subject, "recipient": email.recipient},
        lines=lines,
        kind="email",
    )


def timeline(submission: Submission) -> list[TimelineEntry]:
    """Status changes, assignments, notes, messages and emails sent, newest first."""
    events = submission.events.select_related("author").order_by("created_at", "pk")
    emails = emails_about(submission).order_by("created_at", "pk")
    entries = [event_entry(event) for event in events] + [email_entry(e) for e in emails]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


# --- Dashboard -----------------------------------------------------------------------------


def dashboard_columns(user: AbstractBaseUser) -> list[str]:
    """The columns the agent chose, or the defaults when they never chose."""
    preference = DashboardPreference.objects.filter(user=user).values_list("columns", flat=True)
    chosen = preference.first()
    return clean_columns(chosen if isinstance(chosen, list) else None)


def region_departements(user: User, campaign_id: int | None = None) -> QuerySet[Departement]:
    """The départements of the regions of the campaigns ``user`` reads (of one campaign when
    given), for the filters. One query, when the choices are listed.
    """
    campaigns = scope_by_region(Campaign.objects.all(), user)
    if campaign_id is not None:
        campaigns = campaigns.filter(pk=campaign_id)
    return Departement.objects.filter(region__in=campaigns.values("region")).order_by("code")


# --- Answer page ---------------------------------------------------------------------------


# One line of « Journal des accès », as ami/staff/_access_log.html wrote it (indentation too).
ACCESS_LINE_MARKUP = (
    "\n          <tr>\n"
    '            <td><time datetime="{iso}">{moment}</time></td>\n'
    "            <td>{label}</td>\n"
    "            <td>{action}{via}</td>\n"
    "          </tr>\n        "
)


def access_log_markup(lines: Iterable[AccessLog]) -> SafeString:
    """The rows of « Journal des accès »: up to 100 lines, one more at each visit (so never
    kept), were a tenth of the answer page through the template."""
    actions = dict(AccessLog.Action.choices)
    in_admin = format_html(" — {}", _("dans l’administration"))
    shown: dict[datetime, str] = {}  # the same minute written once (visits come in bursts)
    rows = []
    for line in lines:
        moment = timezone.localtime(line.at)
        minute = moment.replace(second=0, microsecond=0)
        if minute not in shown:
            shown[minute] = date_filter(minute, "j F Y à H:i")
        rows.append(
            {
                "iso": moment.isoformat(),  # the date filter's "c"
                "moment": shown[minute],
                "label": line.user_label,
                "action": actions.get(line.action, line.action),
                "via": in_admin if (line.details or {}).get("via") == "admin" else "",
            }
        )
    return format_html_join("", ACCESS_LINE_MARKUP, rows)


def kept_exchange(submission: Submission) -> Exchange | None:
    """The exchange the page shows: the planned one, or one kept when the answer was
    oriented (not cancelled, not started yet)."""
    if submission.status == Status.EXCHANGE_PLANNED:
        return submission.current_exchange
    if submission.status != Status.ORIENTED:
        return None
    return (
        submission.exchanges.filter(cancelled_at=None, starts_at__gt=timezone.now())
        .order_by("-created_at", "-pk")
        .first()
    )


PERMISSION_VERBS = {
    "add": gettext_lazy("ajouter"),
    "change": gettext_lazy("modifier"),
    "delete": gettext_lazy("supprimer"),
}


def role_allows(user: AbstractBaseUser) -> list[str]:
    """« Votre rôle permet : … », from the two role tables: the actions on an answer
    (``ami.workflow.ACTIONS``) and the writes the role's group holds
    (``cpts_portal.roles.ROLE_PERMISSIONS``, e.g. the annual management dialogues);
    reading is said once, by the first action."""
    roles = roles_of(user)
    allowed = [str(action.label) for action in Action if workflow.can(user, action)]
    writes: dict[str, list[str]] = {}
    for role in roles:
        for name in ROLE_PERMISSIONS.get(role, ()):
            app_label, codename = name.split(".")
            verb, _sep, model_name = codename.partition("_")
            if verb not in PERMISSION_VERBS:
                continue
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                continue
            things = writes.setdefault(str(model._meta.verbose_name_plural), [])
            if str(PERMISSION_VERBS[verb]) not in things:
                things.append(str(PERMISSION_VERBS[verb]))
    allowed += [
        _("%(verbs)s des %(things)s") % {"verbs": " / ".join(verbs), "things": thing}
        for thing, verbs in writes.items()
    ]
    return [text[:1].lower() + text[1:] for text in allowed]
