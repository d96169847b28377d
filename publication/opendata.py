"""The open-data files: the published CPTS and the « commune → CPTS » table, in CSV and
JSON, with their Table Schema (https://specs.frictionlessdata.io/table-schema/).

Files are computed on demand and kept in the cache until a project, a publication or a
territory changes (``publication.signals`` drops them) or ``OPEN_DATA_CACHE_SECONDS`` pass.
Each carries its ETag (hash of the content) and the time it was computed.
"""

import csv
import hashlib
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .rules import plain_stage
from .selectors import published_cpts

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
logger = logging.getLogger(__name__)
CACHE_PREFIX = "publication:opendata:"

INSEE_LIST = r"^((\d{5}|2[AB]\d{3})(;(\d{5}|2[AB]\d{3}))*)?$"

CPTS_SCHEMA = {
    "name": "cpts",
    "title": "CPTS publiées",
    "description": (
        "Communautés professionnelles territoriales de santé (CPTS) et projets de CPTS dont "
        "le coordinateur a accepté la publication et que l’ARS a validée."
    ),
    "licenses": [LICENCE],
    "primaryKey": ["id"],
    "fields": [
        {
            "name": "id",
            "title": "Identifiant du projet dans le portail",
            "type": "integer",
            "constraints": {"required": True, "unique": True},
        },
        {"name": "nom", "title": "Nom", "type": "string", "constraints": {"required": True}},
        {
            "name": "etape",
            "title": "Étape (code)",
            "type": "string",
            "constraints": {"required": True},
        },
        {"name": "etape_libelle", "title": "Étape en clair", "type": "string"},
        {
            "name": "aci_signe",
            "title": "Contrat ACI signé",
            "type": "boolean",
            "trueValues": ["oui"],
            "falseValues": ["non"],
        },
        {
            "name": "regions",
            "title": "Codes INSEE des régions du territoire, séparés par ;",
            "type": "string",
        },
        {
            "name": "departements",
            "title": "Codes INSEE des départements du territoire, séparés par ;",
            "type": "string",
        },
        {
            "name": "population",
            "title": "Population municipale du territoire",
            "type": "integer",
            "constraints": {"minimum": 0},
        },
        {
            "name": "taille",
            "title": "Taille ACI (1 à 4)",
            "type": "integer",
            "constraints": {"minimum": 1, "maximum": 4},
        },
        {
            "name": "nombre_communes",
            "title": "Nombre de communes",
            "type": "integer",
            "constraints": {"minimum": 0},
        },
        {
            "name": "communes",
            "title": "Codes INSEE des communes, séparés par ;",
            "type": "string",
            "constraints": {"pattern": INSEE_LIST},
        },
        {"name": "site_internet", "title": "Site internet", "type": "string", "format": "uri"},
    ],
}

COMMUNES_SCHEMA = {
    "name": "communes-cpts",
    "title": "Communes et CPTS",
    "description": (
        "Pour chaque commune du territoire d’une CPTS publiée, la CPTS ; une commune "
        "peut appartenir à plusieurs projets (une ligne par projet)."
    ),
    "licenses": [LICENCE],
    "primaryKey": ["code_insee", "cpts_id"],
    "foreignKeys": [{"fields": "cpts_id", "reference": {"resource": "cpts", "fields": "id"}}],
    "fields": [
        {
            "name": "code_insee",
            "title": "Code INSEE de la commune",
            "type": "string",
            "constraints": {"required": True, "pattern": r"^(\d{5}|2[AB]\d{3})$"},
        },
        {"name": "commune", "title": "Nom de la commune", "type": "string"},
        {"name": "departement", "title": "Code du département", "type": "string"},
        {"name": "region", "title": "Code de la région", "type": "string"},
        {"name": "population", "title": "Population municipale", "type": "integer"},
        {
            "name": "cpts_id",
            "title": "Identifiant de la CPTS",
            "type": "integer",
            "constraints": {"required": True},
        },
        {"name": "cpts_nom", "title": "Nom de la CPTS", "type": "string"},
        {"name": "cpts_etape", "title": "Étape de la CPTS (code)", "type": "string"},
    ],
}


def field_names(schema: dict) -> list[str]:
    return [field["name"] for field in schema["fields"]]


def cpts_rows() -> list[dict]:
    from .rules import ACI_SIGNED_STAGES

    rows = []
    for cpts in published_cpts():
        project = cpts.project
        rows.append(
            {
                "id": project.pk,
                "nom": project.name,
                "etape": project.stage,
                "etape_libelle": plain_stage(project.stage),
                "aci_signe": project.stage in ACI_SIGNED_STAGES,
                "regions": [code for code, _name in cpts.regions],
                "departements": cpts.departements,
                "population": cpts.population,
                "taille": cpts.tier,
                "nombre_communes": len(cpts.communes),
                "communes": [
                    {"code_insee": c.insee_code, "nom": c.name, "population": c.population}
                    for c in cpts.communes
                ],
                "site_internet": project.publication.contact_website,
            }
        )
    return rows


def commune_rows() -> list[dict]:
    rows = [
        {
            "code_insee": commune.insee_code,
            "commune": commune.name,
            "departement": commune.departement_code,
            "region": commune.region_code,
            "population": commune.population,
            "cpts_id": cpts.project.pk,
            "cpts_nom": cpts.project.name,
            "cpts_etape": cpts.project.stage,
        }
        for cpts in published_cpts()
        for commune in cpts.communes
    ]
    return sorted(rows, key=lambda row: (row["code_insee"], row["cpts_id"]))


def _csv_value(value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ";".join(
            item["code_insee"] if isinstance(item, dict) else str(item) for item in value
        )
    return "" if value is None else str(value)


def to_csv(rows: list[dict], schema: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = field_names(schema)
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in names])
    return out.getvalue()


def to_json(rows: list[dict], schema: dict) -> str:
    return json.dumps(
        {"licence": LICENCE, "schema": schema["name"], "data": rows},
        ensure_ascii=False,
        indent=1,
    )


@dataclass(frozen=True)
class DataFile:
    content: bytes
    content_type: str
    etag: str
    generated_at: datetime


@dataclass(frozen=True)
class FileSpec:
    rows: Callable[[], list[dict]]
    schema: dict
    fmt: str


FILES = {
    "cpts.csv": FileSpec(cpts_rows, CPTS_SCHEMA, "csv"),
    "cpts.json": FileSpec(cpts_rows, CPTS_SCHEMA, "json"),
    "communes-cpts.csv": FileSpec(commune_rows, COMMUNES_SCHEMA, "csv"),
    "communes-cpts.json": FileSpec(commune_rows, COMMUNES_SCHEMA, "json"),
}
SCHEMAS = {"cpts.schema.json": CPTS_SCHEMA, "communes-cpts.schema.json": COMMUNES_SCHEMA}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def build(name: str) -> DataFile:
    spec = FILES[name]
    rows = spec.rows()
    text = to_csv(rows, spec.schema) if spec.fmt == "csv" else to_json(rows, spec.schema)
    content = text.encode("utf-8")
    return DataFile(
        content=content,
        content_type=CONTENT_TYPES[spec.fmt],
        etag='"' + hashlib.sha256(content).hexdigest()[:32] + '"',
        generated_at=timezone.now().replace(microsecond=0),
    )


def data_file(name: str) -> DataFile:
    """The file ``name`` of ``FILES``, from the cache or computed now."""
    key = CACHE_PREFIX + name
    found = cache.get(key)
    if found is None:
        found = build(name)
        cache.set(key, found, settings.OPEN_DATA_CACHE_SECONDS)
    return found


def forget_files() -> None:
    """Drop every cached file: called when a project, publication or territory changes.

    A cache out of reach is logged, not raised: the change is committed already, and the
    files expire after ``OPEN_DATA_CACHE_SECONDS`` anyway.
    """
    try:
        cache.delete_many([CACHE_PREFIX + name for name in FILES])
    except Exception:
        logger.exception("Open-data files could not be dropped from the cache")
