"""Exports of the staff list: CSV (streamed), XLSX and ODS (a submissions and an actors sheet).

Every cell goes through ``neutralise``: answers are typed by the public, and a cell starting
with ``=`` would be run as a formula by the spreadsheet that opens the file.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import tablib
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpts_portal.links import absolute_url
from territories.models import Commune

from .models import Actor, Submission

# OWASP "CSV injection": these first characters start a formula or a DDE call.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"  # what Excel expects with French regional settings
CHUNK_SIZE = 200

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet must show it: text that could run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def local_datetime(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def departement_codes(submission: Submission) -> str:
    communes = [actor.practice_commune for actor in submission.actors.all()]
    if submission.territory_id:
        communes += list(submission.territory.communes.all())
    return ", ".join(sorted({c.departement.code for c in communes if c is not None}))


def referent_label(referent) -> str:
    parts = [referent.name, referent.function, referent.email]
    if referent.phone:
        parts.append(referent.phone.as_national)
    return ", ".join(part for part in parts if part)


def assignee_name(submission: Submission) -> str:
    user = submission.assignee
    return (user.get_full_name() or user.get_username()) if user else ""


def actors_summary(submission: Submission) -> str:
    return " ; ".join(
        f"{a.name} ({a.profession_label}, {a.practice_place})" for a in submission.actors.all()
    )


def territory_communes(submission: Submission) -> str:
    if not submission.territory_id:
        return ""
    return ", ".join(commune.name for commune in submission.territory.communes.all())


def staff_page(submission: Submission) -> str:
    return absolute_url(reverse("staff:submission", args=[submission.pk]))


Column = tuple[str, Callable[[Any], Any]]

SUBMISSION_COLUMNS: list[Column] = [
    (_("Référence"), lambda s: s.reference),
    (_("Campagne"), lambda s: str(s.campaign)),
    (_("Statut"), lambda s: s.get_status_display()),
    (_("Reçue le"), lambda s: local_datetime(s.submitted_at)),
    (_("Agent en charge"), assignee_name),
    (_("Objectifs attendus"), lambda s: " ; ".join(str(label) for label in s.objectives)),
    (_("Nombre d’acteurs"), lambda s: len(s.actors.all())),
    (_("Acteurs"), actors_summary),
    (_("Référents"), lambda s: " ; ".join(referent_label(r) for r in s.referents.all())),
    (_("Départements"), departement_codes),
    (_("Contexte"), lambda s: s.context),
    (_("Territoire envisagé"), lambda s: s.territory_text),
    (_("Communes du territoire"), territory_communes),
    (_("Échange souhaité avant le"), lambda s: s.meeting_wished_by or ""),
    (_("Précisions sur le calendrier"), lambda s: s.meeting_wish),
    (_("Orientation"), lambda s: s.get_orientation_display()),
    (_("Motif de clôture"), lambda s: s.get_closure_reason_display()),
    (_("Page de la réponse"), staff_page),
]

ACTOR_COLUMNS: list[Column] = [
    (_("Référence"), lambda a: a.submission.reference),
    (_("Nom"), lambda a: a.name),
    (_("Profession"), lambda a: a.profession_label),
    (_("Lieu d’exercice"), lambda a: a.practice_place),
    (_("Code INSEE"), lambda a: a.practice_commune.insee_code if a.practice_commune else ""),
    (_("Département"), lambda a: a.practice_commune.departement.code if a.practice_commune else ""),
    (_("Mode d’exercice"), lambda a: a.get_practice_setting_display()),
    (_("Structure"), lambda a: a.structure_name),
]


def headers(columns: list[Column]) -> list[str]:
    return [str(label) for label, _getter in columns]


def row(columns: list[Column], obj: Any) -> list[Any]:
    return [neutralise(getter(obj)) for _label, getter in columns]


def export_queryset(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """The filtered list with its rows' relations, read in a fixed number of queries."""
    return (
        queryset.select_related("campaign", "assignee", "territory")
        .prefetch_related(
            Prefetch(
                "actors",
                queryset=Actor.objects.select_related("practice_commune__departement"),
            ),
            "referents",
            Prefetch(
                "territory__communes",
                queryset=Commune.objects.select_related("departement").order_by("name"),
            ),
        )
        .order_by("-submitted_at", "-pk")
    )


def iterate(queryset: QuerySet[Submission]) -> Iterator[Submission]:
    # Chunks keep memory flat on long lists; prefetching still applies per chunk.
    return queryset.iterator(chunk_size=CHUNK_SIZE)


class Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(queryset: QuerySet[Submission]) -> Iterator[str]:
    writer = csv.writer(Echo(), delimiter=CSV_DELIMITER)
    yield "\ufeff"  # BOM: Excel reads the file as UTF-8
    yield writer.writerow(headers(SUBMISSION_COLUMNS))
    for submission in iterate(queryset):
        yield writer.writerow(row(SUBMISSION_COLUMNS, submission))


def databook(
    queryset: QuerySet[Submission], progress: Callable[[int], None] | None = None
) -> tablib.Databook:
    """Both sheets; ``progress(rows done)`` is called every ``CHUNK_SIZE`` answers."""
    submissions = tablib.Dataset(headers=headers(SUBMISSION_COLUMNS), title=str(_("Réponses")))
    actors = tablib.Dataset(headers=headers(ACTOR_COLUMNS), title=str(_("Acteurs")))
    for done, submission in enumerate(iterate(queryset), start=1):
        if progress is not None and done % CHUNK_SIZE == 0:
            progress(done)
        submissions.append(row(SUBMISSION_COLUMNS, submission))
        for actor in submission.actors.all():  # the prefetch sets actor.submission
            actors.append(row(ACTOR_COLUMNS, actor))
    return tablib.Databook([submissions, actors])


def filename(extension: str) -> str:
    return f"reponses-ami-{timezone.localdate().isoformat()}.{extension}"


def attachment_headers(response: HttpResponse, extension: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename(extension)}"'
    return response


def export_response(queryset: QuerySet[Submission], extension: str) -> HttpResponse:
    """The file of the filtered list: ``csv`` streamed, ``xlsx`` or ``ods`` built whole."""
    queryset = export_queryset(queryset)
    if extension == "csv":
        response: HttpResponse = StreamingHttpResponse(
            csv_lines(queryset), content_type=CONTENT_TYPES["csv"]
        )
    else:
        content: Iterable = databook(queryset).export(extension)
        response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    return attachment_headers(response, extension)
