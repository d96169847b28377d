"""Statistics of the staff dashboard, over the same filtered list."""

import logging
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from cpts_portal.fragments import queryset_key, versions
from territories import uses
from territories.models import GEOGRAPHY_VERSION, Commune, Departement, Region, Territory

from ..filters import OBJECTIVE_FIELDS
from ..models import STATISTICS_VERSION, Actor, Objective, Submission, SubmissionEvent
from .selectors import status_counts

logger = logging.getLogger(__name__)
Status = Submission.Status
MAX_WEEKS = 26  # half a year of weekly bars; a longer campaign is shown by month


# Drawing: SVG user units; numbers go to the template as strings, never localised floats.
WIDTH = 720
COLUMNS_HEIGHT = 220
COLUMNS_MARGIN = {"left": 44, "right": 8, "top": 12, "bottom": 34}
BAR_ROW = 44
AXIS_LABELS = 6  # at most, under a column chart


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    # Geometry (SVG attributes, not styles: the CSP allows no inline style).
    x: str = "0"
    y: str = "0"
    width: str = "0"
    height: str = "0"
    text_x: str = "0"
    text_y: str = "0"
    axis_label: str = ""  #: shown under a column; "" for most columns of a long series


@dataclass(frozen=True)
class Tick:
    y: str
    label: str


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    label_header: str
    bars: list[Bar]
    kind: str = "bars"  #: "bars" (horizontal, categories) or "columns" (a time series)
    height: str = "0"
    ticks: list[Tick] = field(default_factory=list)
    description: str = ""

    @property
    def width(self) -> str:
        return str(WIDTH)

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def nice_maximum(value: int) -> int:
    """The top of the value axis: 1, 2, 5, 10, 20, 50… at or above ``value``."""
    power = 1
    while True:
        for mantissa in (1, 2, 5):
            if mantissa * power >= value:
                return mantissa * power
        power *= 10


def describe(title: str, pairs: list[tuple[str, int]]) -> str:
    if not pairs:
        return ""
    label, count = max(pairs, key=lambda pair: pair[1])
    total = sum(count for _label, count in pairs)
    return _("%(title)s : %(total)d au total, au plus %(count)d (%(label)s).") % {
        "title": title,
        "total": total,
        "count": count,
        "label": label,
    }


def bar_chart(slug: str, title: str, label_header: str, pairs: list[tuple[str, int]]) -> Chart:
    """Horizontal bars, one row per category: the label above its bar, the count after it."""
    longest = max((count for _label, count in pairs), default=0)
    room = WIDTH - 60
    bars = []
    for index, (label, count) in enumerate(pairs):
        top = index * BAR_ROW
        width = round(room * count / longest) if longest and count else 0
        bars.append(
            Bar(
                label,
                count,
                x="0",
                y=str(top + 20),
                width=str(max(width, 2) if count else 0),
                height="16",
                text_x=str(width + 8),
                text_y=str(top + 33),
                axis_label=label,
            )
        )
    return Chart(
        slug,
        title,
        label_header,
        bars,
        kind="bars",
        height=str(max(len(pairs), 1) * BAR_ROW),
        description=describe(title, pairs),
    )


def column_chart(
    slug: str, title: str, label_header: str, pairs: list[tuple[str, int]], short: list[str]
) -> Chart:
    """Columns over time, with a value axis (0, half, top) and a few period labels."""
    margin = COLUMNS_MARGIN
    plot_width = WIDTH - margin["left"] - margin["right"]
    plot_height = COLUMNS_HEIGHT - margin["top"] - margin["bottom"]
    top_value = nice_maximum(max((count for _label, count in pairs), default=0))
    slot = plot_width / max(len(pairs), 1)
    every = max(1, -(-len(pairs) // AXIS_LABELS))
    bars = []
    for index, (label, count) in enumerate(pairs):
        height = round(plot_height * count / top_value) if count else 0
        x = margin["left"] + index * slot
        bars.append(
            Bar(
                label,
                count,
                x=str(round(x + slot * 0.15)),
                y=str(margin["top"] + plot_height - height),
                width=str(max(1, round(slot * 0.7))),
                height=str(height),
                text_x=str(round(x + slot / 2)),
                text_y=str(COLUMNS_HEIGHT - margin["bottom"] + 18),
                axis_label=short[index] if index % every == 0 else "",
            )
        )
    ticks = [
        Tick(str(margin["top"] + plot_height - round(plot_height * value / top_value)), str(value))
        for value in sorted({0, top_value // 2, top_value})
    ]
    return Chart(
        slug,
        title,
        label_header,
        bars,
        kind="columns",
        height=str(COLUMNS_HEIGHT),
        ticks=ticks,
        description=describe(title, pairs),
    )


def chart(slug: str, title: str, label_header: str, pairs: list[tuple[str, int]]) -> Chart:
    return bar_chart(slug, title, label_header, pairs)


def ids_of(queryset: QuerySet[Submission]) -> QuerySet:
    return queryset.order_by().values("pk")


@dataclass(frozen=True)
class Span:
    """The dates a series covers: the campaigns' opening to their closing (or today), widened
    to the answers received outside it; by week up to ``MAX_WEEKS``, by month beyond."""

    first: date
    last: date

    @property
    def monthly(self) -> bool:
        return (self.last - self.first).days > 7 * MAX_WEEKS


def campaign_span(queryset: QuerySet[Submission]) -> Span | None:
    """One query: the selection's campaigns' dates and its first and last answers."""
    today = timezone.localdate()
    dates = (
        Submission.objects.filter(pk__in=ids_of(queryset))
        .order_by()
        .aggregate(
            opens=Min("campaign__opens_on"),
            closes=Max(Coalesce("campaign__closes_on", Value(today))),
            first=Min("submitted_at"),
            last=Max("submitted_at"),
        )
    )
    if dates["first"] is None:
        return None
    first_answer = timezone.localtime(dates["first"]).date()
    last_answer = timezone.localtime(dates["last"]).date()
    first = min(filter(None, (dates["opens"], first_answer)))
    last = max(min(dates["closes"] or today, today), last_answer)
    return Span(first, last)


def per_week(queryset: QuerySet[Submission], span: Span | None = None) -> list[tuple[str, int]]:
    """Answers received per week (Monday to Sunday, Paris time) over the campaign's span,
    empty weeks included; per month when the span is longer than ``MAX_WEEKS`` weeks."""
    return [(label, count) for label, _short, count in periods(queryset, span)]


def periods(queryset: QuerySet[Submission], span: Span | None = None) -> list[tuple[str, str, int]]:
    """(label, short label for the axis, count) of each week or month of the span."""
    span = span or campaign_span(queryset)
    if span is None:
        return []
    monthly = span.monthly
    trunc = TruncMonth if monthly else TruncWeek
    rows = (
        Submission.objects.filter(pk__in=ids_of(queryset))
        .annotate(period=trunc("submitted_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("period")
        .annotate(n=Count("pk"))
    )
    counts: dict[date, int] = {}
    for period, n in rows:
        start = period.date() if hasattr(period, "date") else period
        counts[start] = counts.get(start, 0) + n
    result = []
    if monthly:
        current = span.first.replace(day=1)
        while current <= span.last:
            label = formats.date_format(current, "F Y").capitalize()
            short = formats.date_format(current, "M Y")
            result.append((label, short, counts.get(current, 0)))
            current = (current + timedelta(days=32)).replace(day=1)
    else:
        current = span.first - timedelta(days=span.first.weekday())
        while current <= span.last:
            label = _("Semaine du %(date)s") % {"date": formats.date_format(current, "j F Y")}
            short = formats.date_format(current, "j M")
            result.append((label, short, counts.get(current, 0)))
            current += timedelta(weeks=1)
    return result


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
    span = campaign_span(queryset)
    series = periods(queryset, span)
    monthly = span is not None and span.monthly
    return [
        column_chart(
            "periodes",
            _("Réponses reçues par mois") if monthly else _("Réponses reçues par semaine"),
            _("Mois") if monthly else _("Semaine"),
            [(label, count) for label, _short, count in series],
            [short for _label, short, _count in series],
        ),
        bar_chart(
            "departements",
            _("Réponses par département"),
            _("Département"),
            per_departement(queryset),
        ),
        bar_chart("objectifs", _("Réponses par objectif"), _("Objectif"), per_objective(queryset)),
        bar_chart("statuts", _("Réponses par statut"), _("Statut"), per_status(queryset)),
    ]


# --- Key figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Share of the campaigns' regions' population living in a CPTS project's territory."""

    regions: list[str]
    population: int
    covered: int

    @property
    def percent(self) -> str:
        if not self.population:
            return ""
        return formats.number_format(100 * self.covered / self.population, 1)


def project_coverage(queryset: QuerySet[Submission]) -> Coverage:
    """Three queries: the regions of the selection's campaigns, their population, and the
    population of their communes in the territory of a CPTS project (each commune once).

    Projects are found through ``territories.uses`` (the projects app registers there), as
    the AMI cannot import ``projects``.
    """
    regions = list(
        Region.objects.filter(
            pk__in=Submission.objects.filter(pk__in=ids_of(queryset)).values("campaign__region")
        )
    )
    if not regions:
        return Coverage([], 0, 0)
    communes = Commune.objects.filter(departement__region__in=regions, is_current=True)
    population = communes.aggregate(total=Sum("population"))["total"] or 0
    in_projects = Territory.objects.filter(uses.used_by("projects"))
    covered = (
        communes.filter(
            pk__in=Territory.communes.through.objects.filter(territory__in=in_projects).values(
                "commune_id"
            )
        ).aggregate(total=Sum("population"))["total"]
        or 0
    )
    return Coverage(sorted(r.name for r in regions), population, covered)


@dataclass(frozen=True)
class KeyFigures:
    total: int
    objectives: list[tuple[str, int]]
    departements: list[tuple[str, int]]
    delay: Delay
    coverage: Coverage


def key_figures(queryset: QuerySet[Submission], charts_: list[Chart]) -> KeyFigures:
    """The figures above the charts, reusing the charts' counts (no second query)."""
    by_slug = {chart.slug: chart for chart in charts_}
    return KeyFigures(
        total=queryset.order_by().count(),
        objectives=[(bar.label, bar.count) for bar in by_slug["objectifs"].bars],
        departements=sorted(
            ((bar.label, bar.count) for bar in by_slug["departements"].bars),
            key=lambda pair: -pair[1],
        )[:3],
        delay=time_to_first_contact(queryset),
        coverage=project_coverage(queryset),
    )


# --- Kept between requests ----------------------------------------------------------------

# A safety net for writes that send no signal (``QuerySet.update``): figures at most this old.
STATISTICS_TIMEOUT = 15 * 60  # seconds


def statistics_key(queryset: QuerySet[Submission]) -> str:
    """What the figures of ``queryset`` depend on: its selection (SQL), the language, the day
    (the spans end today) and the versions of the answers and of the geography."""
    return ":".join(
        [
            "answer-statistics",
            get_language() or "",
            timezone.localdate().isoformat(),
            versions(STATISTICS_VERSION, GEOGRAPHY_VERSION),
            queryset_key(queryset),
        ]
    )


def statistics_of(
    queryset: QuerySet[Submission], key: str | None = None
) -> tuple[list[Chart], KeyFigures]:
    """``charts`` and ``key_figures`` of ``queryset``, computed once per ``statistics_key``
    and kept in the default cache: at 10,000 answers they cost 14 queries and about 100 ms
    of SQL."""
    key = key or statistics_key(queryset)
    try:
        found = cache.get(key)
    except Exception:  # the cache is down: compute
        logger.warning("Statistics cache unavailable: computing")
        found = None
    if found is not None:
        return found
    chart_list = charts(queryset)
    computed = (chart_list, key_figures(queryset, chart_list))
    try:
        cache.set(key, computed, STATISTICS_TIMEOUT)
    except Exception:
        logger.warning("Could not keep the statistics in the cache")
    return computed
