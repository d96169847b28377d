"""Load the reference geography of France: régions, départements, EPCI and communes.

    python manage.py load_geography [--file PATH] [--departements 29,22,35,56]

Idempotent: rows are matched on their official code and updated in place. Communes
missing from the file (and, on a full load, EPCI) are flagged ``is_current=False``,
never deleted, since other records may point to them. Everything runs in one
transaction: an interrupted load leaves the previous geography untouched.
"""

import argparse
import gzip
import json
import lzma
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from cpts_portal.fragments import bump
from territories.models import GEOGRAPHY_VERSION, Commune, Departement, Epci, Region
from territories.rules import normalize_commune_name

DEFAULT_FILE = settings.BASE_DIR / "fixtures" / "geography" / "france-geography.json.gz"
FORMAT_VERSION = 1
# Communes compared and written per step, one progress line each.
CHUNK_SIZE = 5000
# Rows per INSERT; Django lowers it further on SQLite to stay under its parameter limit.
INSERT_BATCH_SIZE = 1000
# Values per "IN (...)" clause, under SQLite's historical limit of 999 parameters.
IN_CLAUSE_SIZE = 900
COMMUNE_FIELDS = (
    "name",
    "search_name",
    "postal_codes",
    "population",
    "departement_id",
    "epci_id",
    "is_current",
)
_DEPARTEMENT = COMMUNE_FIELDS.index("departement_id")
_IS_CURRENT = COMMUNE_FIELDS.index("is_current")


def read_geography(path: Path) -> dict[str, Any]:
    """Read a geography document (``.json``, ``.json.gz`` or ``.json.xz``) and check its shape."""
    opener = {".gz": gzip.open, ".xz": lzma.open}.get(path.suffix, open)
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError, EOFError) as error:
        raise CommandError(f"Impossible de lire {path} : {error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT_VERSION:
        raise CommandError(f"{path} n'est pas un fichier de géographie au format {FORMAT_VERSION}.")
    for table in ("regions", "departements", "epci", "communes"):
        if table not in document:
            raise CommandError(f"{path} : table « {table} » absente.")
    return document


def table_rows(document: dict[str, Any], table: str) -> list[dict[str, Any]]:
    columns = document[table]["columns"]
    return [dict(zip(columns, row, strict=True)) for row in document[table]["rows"]]


def parse_departements(value: str) -> list[str]:
    """Parse "29, 22,2a,1,29" into ["29", "22", "2A", "01"]."""
    codes = [code.strip().upper() for code in value.split(",") if code.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("liste de départements vide")
    return list(dict.fromkeys(code.zfill(2) for code in codes))


def chunked(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def retire(model: type[models.Model], field: str, codes: Iterable[str]) -> int:
    """Flag rows whose ``field`` is in ``codes`` as no longer current."""
    codes = sorted(codes)
    return sum(
        model.objects.filter(**{f"{field}__in": chunk}).update(is_current=False)
        for chunk in chunked(codes, IN_CLAUSE_SIZE)
    )


@dataclass
class CommuneStats:
    total: int = 0
    created: int = 0
    updated: int = 0
    retired: int = 0

    @property
    def unchanged(self) -> int:
        return self.total - self.created - self.updated


class Command(BaseCommand):
    help = (
        "Charge ou met à jour la géographie de référence (régions, départements, EPCI, "
        "communes) depuis le fichier livré dans fixtures/geography/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_FILE,
            help="Fichier de géographie (.json, .json.gz ou .json.xz). Défaut : %(default)s",
        )
        parser.add_argument(
            "--departements",
            type=parse_departements,
            default=None,
            help="Codes des départements à charger, séparés par des virgules (ex. 29,22,35,56). "
            "Défaut : tous.",
        )

    def handle(
        self, *args: Any, file: Path, departements: list[str] | None, **options: Any
    ) -> None:
        self.verbosity = options["verbosity"]
        started = time.perf_counter()
        document = read_geography(file)
        source = document.get("source", {})
        if source:
            self.progress(f"Source : {source.get('package')} {source.get('version')}")

        with transaction.atomic():
            summary = self.load(document, departements)
            # Bulk writes send no signal: cached markup and searches showing the geography
            # are made stale here (cpts_portal.fragments).
            transaction.on_commit(lambda: bump(GEOGRAPHY_VERSION))

        if self.verbosity:
            elapsed = time.perf_counter() - started
            seconds = f"{elapsed:.1f}".replace(".", ",")
            self.stdout.write(self.style.SUCCESS(f"{summary} en {seconds} s."))

    def progress(self, message: str) -> None:
        if self.verbosity:
            self.stdout.write(message)

    def load(self, document: dict[str, Any], departements: list[str] | None) -> str:
        regions = table_rows(document, "regions")
        departement_rows = table_rows(document, "departements")
        epcis = table_rows(document, "epci")
        communes = table_rows(document, "communes")
        in_file = {row["insee"] for row in communes}

        partial = departements is not None
        if partial:
            known = {row["code"] for row in departement_rows}
            unknown = sorted(set(departements) - known)
            if unknown:
                raise CommandError(f"Départements absents du fichier : {', '.join(unknown)}.")
            scope = set(departements)
            departement_rows = [row for row in departement_rows if row["code"] in scope]
            communes = [row for row in communes if row["departement"] in scope]
            used_regions = {row["region"] for row in departement_rows}
            regions = [row for row in regions if row["code"] in used_regions]
            used_epcis = {row["epci"] for row in communes}
            epcis = [row for row in epcis if row["siren"] in used_epcis]

        Region.objects.bulk_create(
            [Region(code=row["code"], name=row["name"]) for row in regions],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name"],
        )
        region_ids = dict(Region.objects.values_list("code", "id"))
        self.progress(f"Régions : {len(regions)}")

        Departement.objects.bulk_create(
            [
                Departement(code=row["code"], name=row["name"], region_id=region_ids[row["region"]])
                for row in departement_rows
            ],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "region"],
        )
        departement_ids = dict(Departement.objects.values_list("code", "id"))
        self.progress(f"Départements : {len(departement_rows)}")

        Epci.objects.bulk_create(
            [Epci(code=row["siren"], name=row["name"], kind=row["kind"]) for row in epcis],
            batch_size=INSERT_BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "kind", "is_current"],
        )
        retired_epcis = 0
        if not partial:
            # A partial load sees only part of each EPCI list: it cannot tell which vanished.
            current = set(Epci.objects.filter(is_current=True).values_list("code", flat=True))
            retired_epcis = retire(Epci, "code", current - {row["siren"] for row in epcis})
        epci_ids = dict(Epci.objects.values_list("code", "id"))
        self.progress(f"EPCI : {len(epcis)}")

        stats = self.load_communes(
            communes,
            departement_ids,
            epci_ids,
            in_file=in_file,
            scope={departement_ids[row["code"]] for row in departement_rows} if partial else None,
        )
        scope_label = f"départements {', '.join(departements)}" if partial else "France entière"
        return (
            f"Géographie chargée ({scope_label}) — régions : {len(regions)}, "
            f"départements : {len(departement_rows)}, EPCI : {len(epcis)} "
            f"(retirés : {retired_epcis}), communes : {stats.total} (créées : {stats.created}, "
            f"mises à jour : {stats.updated}, inchangées : {stats.unchanged}, "
            f"retirées : {stats.retired})"
        )

    def load_communes(
        self,
        rows: list[dict[str, Any]],
        departement_ids: dict[str, int],
        epci_ids: dict[str, int],
        *,
        in_file: set[str],
        scope: set[int] | None,
    ) -> CommuneStats:
        """Upsert ``rows``, then retire current communes absent from the whole file.

        ``scope`` (département ids) limits retirement on a partial load, which only
        vouches for its own départements.
        """
        # Compare with what is stored and write only new or changed rows: a reload of an
        # unchanged file then costs one SELECT instead of 35,000 row updates.
        existing = {
            insee: tuple(state)
            for insee, *state in Commune.objects.values_list("insee_code", *COMMUNE_FIELDS)
        }
        stats = CommuneStats(total=len(rows))
        for done, chunk in enumerate(chunked(rows, CHUNK_SIZE), start=1):
            changed = []
            for row in chunk:
                state = (
                    row["name"],
                    normalize_commune_name(row["name"]),
                    row["postal_codes"],
                    row["population"],
                    departement_ids[row["departement"]],
                    epci_ids[row["epci"]] if row["epci"] else None,
                    True,
                )
                before = existing.get(row["insee"])
                if before == state:
                    continue
                if before is None:
                    stats.created += 1
                else:
                    stats.updated += 1
                changed.append(
                    Commune(
                        insee_code=row["insee"], **dict(zip(COMMUNE_FIELDS, state, strict=True))
                    )
                )
            Commune.objects.bulk_create(
                changed,
                batch_size=INSERT_BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["insee_code"],
                update_fields=[name.removesuffix("_id") for name in COMMUNE_FIELDS],
            )
            self.progress(f"Communes : {min(done * CHUNK_SIZE, len(rows))}/{len(rows)}")

        # Communes absent from the file left the official geography (merged, mostly).
        stale = [
            insee
            for insee, state in existing.items()
            if state[_IS_CURRENT]
            and insee not in in_file
            and (scope is None or state[_DEPARTEMENT] in scope)
        ]
        stats.retired = retire(Commune, "insee_code", stale)
        return stats
