"""Statistics of the staff dashboard, over the same filtered list."""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from territories.models import Departement

from ..filters import OBJECTIVE_FIELDS
from ..models import Actor, Objective, Submission, SubmissionEvent
from .selectors import status_counts

Status = Submission.Status
MAX_WEEKS = 104  # two years of weekly bars; older weeks are summed into the table only


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: int  # 0–100, share of the longest bar: an SVG attribute, not a style


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    label_header: str
    bars: list[Bar]


def chart(slug: str, title: str, label_header: str, pairs: list[tuple[str, int]]) -> Chart:
    longest = max((count for _label, count in pairs), default=0)
    bars = [
        Bar(label, count, max(1, round(100 * count / longest)) if count else 0)
        for label, count in pairs
    ]
    return Chart(slug, title, label_header, bars)


def ids_of(queryset: QuerySet[Submission]) -> QuerySet:
    return queryset.order_by().values("pk")


def per_week(queryset: QuerySet[Submission]) -> list[tuple[str, int]]:
    """Answers received per week (Monday to Sunday, Paris time), empty weeks included."""
    rows = (
        Submission.objects.filter(pk__in=ids_of(queryset))
        .annotate(week=TruncWeek("submitted_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("week")
        .annotate(n=Count("pk"))
    )
    counts: dict[date, int] = {}
    for week, n in rows:
        monday = week.date() if hasattr(week, "date") else week
        counts[monday] = counts.get(monday, 0) + n
    if not counts:
        return []
    first, last = min(counts), max(counts)
    first = max(first, last - timedelta(weeks=MAX_WEEKS - 1))
    weeks = []
    monday = first
    while monday <= last:
        label = _("Semaine du %(date)s") % {"date": formats.date_format(monday, "j F Y")}
        weeks.append((label, counts.get(monday, 0)))
        monday += timedelta(weeks=1)
    return weeks


def per_departement(queryset: QuerySet[Submission]) -> list[tuple[str, int]]:
    """Answers per département of their actors' places or territory communes.

    An answer spanning two départements counts in both; answers with no recognised
    commune are counted apart.
    """
    ids = ids_of(queryset)
    pairs = set(
        Actor.objects.filter(submission__in=ids, practice_commune__isnull=False)
        .values_list("submission_id", "practice_commune__departement_id")
        .distinct()
    ) | set(
        Submission.objects.filter(pk__in=ids, territory__communes__isnull=False)
        .values_list("pk", "territory__communes__departement_id")
        .distinct()
    )
    counts = Counter(departement_id for _submission, departement_id in pairs)
    departements = Departement.objects.in_bulk(list(counts))
    rows = sorted(
        ((departements[pk], n) for pk, n in counts.items()), key=lambda item: item[0].code
    )
    result = [(f"{d.name} ({d.code})", n) for d, n in rows]
    unlocated = queryset.order_by().count() - len({submission for submission, _d in pairs})
    if unlocated:
        result.append((_("Sans commune reconnue"), unlocated))
    return result


def per_objective(queryset: QuerySet[Submission]) -> list[tuple[str, int]]:
    totals = queryset.order_by().aggregate(
        **{
            objective.value: Count("pk", filter=Q(**{field: True}))
            for objective, field in OBJECTIVE_FIELDS.items()
        }
    )
    return [(objective.label, totals[objective.value] or 0) for objective in Objective]


def per_status(queryset: QuerySet[Submission]) -> list[tuple[str, int]]:
    return [(label, count) for _status, label, count in status_counts(queryset)]


def first_contact_delays(queryset: QuerySet[Submission]) -> list[timedelta]:
    """Time from receipt to first contact: the first status change out of « Reçue », or the
    first exchange planned, whichever came first."""
    contact = Q(
        events__from_state=Status.RECEIVED,
        events__to_state__in=[s for s in Status.values if s != Status.RECEIVED],
    ) | Q(events__kind=SubmissionEvent.Kind.EXCHANGE_PLANNED)
    rows = (
        Submission.objects.filter(pk__in=ids_of(queryset))
        .annotate(first_contact=Min("events__created_at", filter=contact))
        .filter(first_contact__isnull=False)
        .values_list("submitted_at", "first_contact")
    )
    return [contacted - received for received, contacted in rows]


def format_delay(delay: timedelta) -> str:
    """« 3 jours et 4 heures », « 5 heures », « 12 minutes »."""
    days, seconds = delay.days, delay.seconds
    hours, minutes = seconds // 3600, (seconds % 3600) // 60
    if days:
        text = ngettext("%(n)d jour", "%(n)d jours", days) % {"n": days}
        if hours:
            text += (
                " " + _("et") + " " + ngettext("%(n)d heure", "%(n)d heures", hours) % {"n": hours}
            )
        return text
    if hours:
        return ngettext("%(n)d heure", "%(n)d heures", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


@dataclass(frozen=True)
class Delay:
    median: str
    contacted: int
    waiting: int


def time_to_first_contact(queryset: QuerySet[Submission]) -> Delay:
    delays = first_contact_delays(queryset)
    waiting = queryset.order_by().count() - len(delays)
    median = format_delay(statistics.median(delays)) if delays else ""
    return Delay(median=median, contacted=len(delays), waiting=waiting)


def charts(queryset: QuerySet[Submission]) -> list[Chart]:
    return [
        chart("semaines", _("Réponses reçues par semaine"), _("Semaine"), per_week(queryset)),
        chart(
            "departements",
            _("Réponses par département"),
            _("Département"),
            per_departement(queryset),
        ),
        chart("objectifs", _("Réponses par objectif"), _("Objectif"), per_objective(queryset)),
        chart("statuts", _("Réponses par statut"), _("Statut"), per_status(queryset)),
    ]
