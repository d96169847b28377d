"""Checks on what people type or upload for a project: RNA and SIRET numbers, documents."""

import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

RNA_PATTERN = re.compile(r"W\d{9}")
# SIRET of La Poste's establishments: their check is "sum of digits divisible by 5".
LA_POSTE_SIREN = "356000000"
DEFAULT_UPLOAD_MAX_BYTES = 10 * 1024 * 1024


def normalize_identifier(value: str) -> str:
    """Spaces, dots and dashes people type in official numbers removed, letters upper-cased."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_rna(value: str) -> None:
    """Répertoire national des associations: « W » followed by nine digits (W751234567)."""
    if not RNA_PATTERN.fullmatch(normalize_identifier(value)):
        raise ValidationError(
            _("Le numéro RNA commence par W suivi de 9 chiffres, par exemple W751234567."),
            code="invalid_rna",
        )


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """14 digits whose Luhn key is right (La Poste's establishments: digit sum divisible by 5)."""
    siret = normalize_identifier(value)
    if not re.fullmatch(r"\d{14}", siret):
        raise ValidationError(_("Le SIRET compte 14 chiffres."), code="invalid_siret")
    la_poste = siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0
    if not (luhn_is_valid(siret) or la_poste):
        raise ValidationError(
            _("Ce SIRET n’existe pas : sa clé de contrôle est fausse. Vérifiez les chiffres."),
            code="invalid_siret",
        )


# --- Uploaded documents ---------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str


PDF = FileType("pdf", "application/pdf", "PDF")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", "ODT")
DOCX = FileType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "DOCX",
)
ACCEPTED_TYPES = (PDF, ODT, DOCX)
ACCEPT_ATTRIBUTE = ",".join(
    [f".{t.extension}" for t in ACCEPTED_TYPES] + [t.content_type for t in ACCEPTED_TYPES]
)


def upload_max_bytes() -> int:
    """``PROJECTS_UPLOAD_MAX_BYTES`` in the settings, 10 MB by default."""
    return int(getattr(settings, "PROJECTS_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


def sniff_file_type(upload: UploadedFile) -> FileType | None:
    """The type of the file from its content (magic bytes), whatever its name says.

    PDF: starts with ``%PDF-``. ODT: a zip whose first entry is ``mimetype`` holding the
    OpenDocument text type. DOCX: a zip with ``[Content_Types].xml`` and ``word/document.xml``.
    """
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if names[:1] == ["mimetype"]:
                mimetype = archive.read("mimetype").strip()
                return ODT if mimetype == ODT.content_type.encode() else None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def validate_upload(upload: UploadedFile) -> FileType:
    """Refuse files over the size cap or whose content is not PDF, ODT or DOCX."""
    limit = upload_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("Le fichier pèse %(size)s ; la limite est de %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    file_type = sniff_file_type(upload)
    if file_type is None:
        raise ValidationError(
            _(
                "Ce fichier n’est pas un document PDF, ODT ou DOCX valide (son contenu a été "
                "vérifié, pas seulement son nom)."
            ),
            code="bad_type",
        )
    return file_type
