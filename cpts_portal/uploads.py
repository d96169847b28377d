"""Checks on uploaded files, shared by the apps (project documents, AMI attachments).

The type is judged on the content (magic bytes, and for ODT and DOCX the zip's directory,
bounded before anything is decompressed), never on the name; the size is capped; the
uploader's name is kept for display only, files are stored and served under names the
portal builds.
"""

import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_UPLOAD_MAX_BYTES = 10 * 1024 * 1024


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
EXTENSION_OF_TYPE = {file_type.content_type: file_type.extension for file_type in ACCEPTED_TYPES}
ACCEPT_ATTRIBUTE = ",".join(
    [f".{t.extension}" for t in ACCEPTED_TYPES] + [t.content_type for t in ACCEPTED_TYPES]
)


def upload_max_bytes() -> int:
    """``PROJECTS_UPLOAD_MAX_BYTES`` in the settings, 10 MB by default."""
    return int(getattr(settings, "PROJECTS_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


# Archives (ODT, DOCX) are judged on what their directory declares before anything is
# decompressed: a 1 KB upload can declare a gigabyte (zipfile's bzip2 and lzma readers
# inflate a whole chunk at once, whatever size is asked for).
ARCHIVE_MAX_ENTRIES = 1000
# The central directory is parsed into one object per entry: bounded before ZipFile reads it.
ARCHIVE_MAX_DIRECTORY_BYTES = 256 * 1024
# Declared uncompressed total, as a multiple of the upload cap (100 MB by default).
ARCHIVE_MAX_EXPANSION = 10
# Text compresses 5 to 20 times; beyond this on a large entry, the archive is a bomb.
ARCHIVE_MAX_RATIO = 200
ARCHIVE_RATIO_FLOOR = 1024 * 1024
# OpenDocument and OOXML packages only use these two methods (ODF 1.2 part 3, ECMA-376 part 2).
ARCHIVE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
ODT_MIMETYPE_MAX_BYTES = 100
DOCX_CONTENT_TYPES_MAX_BYTES = 64 * 1024
DOCX_MAIN_PART_TYPE = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)

END_RECORD = struct.Struct("<4s4H2LH")
END_RECORD_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
ZIP64_END_RECORD = struct.Struct("<4sQ2H2L4Q")
# The portal's own attribute on an upload: its checked type, so that the form and the
# service inspect each upload once.
CHECKED_TYPE_ATTRIBUTE = "_cpts_checked_file_type"


def archive_refused(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def read_directory_bounds(upload: UploadedFile) -> tuple[int, int] | None:
    """Entry count and central directory size, from the end record that ``zipfile`` uses.

    Mirrors ``zipfile._EndRecData``: the last 22 bytes when there is no comment, otherwise
    the last signature in the final 64 KB; a ZIP64 end record placed before it overrides
    both figures. ``None`` when no end record is found (not a zip).
    """
    size = upload.size
    tail_length = min(size, END_RECORD.size + 0xFFFF)
    upload.seek(size - tail_length)
    tail = upload.read(tail_length)
    if tail[-END_RECORD.size :].startswith(END_RECORD_SIGNATURE) and tail[-2:] == b"\0\0":
        at = len(tail) - END_RECORD.size
    else:
        at = tail.rfind(END_RECORD_SIGNATURE)
        if at < 0 or len(tail) - at < END_RECORD.size:
            return None
    entries, directory_size = END_RECORD.unpack_from(tail, at)[4:6]
    record_offset = size - tail_length + at
    locator_offset = record_offset - ZIP64_LOCATOR.size
    if locator_offset >= 0:
        upload.seek(locator_offset)
        locator = upload.read(ZIP64_LOCATOR.size)
        if locator.startswith(ZIP64_LOCATOR_SIGNATURE):
            upload.seek(max(locator_offset - ZIP64_END_RECORD.size, 0))
            record = upload.read(ZIP64_END_RECORD.size)
            if len(record) != ZIP64_END_RECORD.size:
                return None
            entries, directory_size = ZIP64_END_RECORD.unpack(record)[7:9]
    return entries, directory_size


def check_archive_directory(upload: UploadedFile) -> None:
    """Refuse, before ``zipfile`` parses it, a directory too large to be a document's."""
    bounds = read_directory_bounds(upload)
    if bounds is None:
        return  # not a zip: ZipFile refuses it below
    entries, directory_size = bounds
    if entries > ARCHIVE_MAX_ENTRIES or directory_size > ARCHIVE_MAX_DIRECTORY_BYTES:
        raise too_many_entries()


def too_many_entries() -> ValidationError:
    return archive_refused(
        _(
            "Ce document contient plus de %(count)d fichiers internes : ce n’est pas un "
            "document ODT ou DOCX ordinaire, il est refusé."
        )
        % {"count": ARCHIVE_MAX_ENTRIES},
        "archive_entries",
    )


def check_archive_entries(infos: list[zipfile.ZipInfo]) -> None:
    """Entry count, declared sizes, compression ratios and methods: all from the directory."""
    if len(infos) > ARCHIVE_MAX_ENTRIES:
        raise too_many_entries()
    limit = ARCHIVE_MAX_EXPANSION * upload_max_bytes()
    declared = sum(info.file_size for info in infos)
    if declared > limit:
        raise archive_refused(
            _(
                "Ce document se décompresse en %(size)s, au-delà de la limite de %(limit)s : "
                "c’est une archive anormale (« bombe de décompression »), elle est refusée."
            )
            % {"size": filesizeformat(declared), "limit": filesizeformat(limit)},
            "archive_too_large",
        )
    for info in infos:
        if info.file_size > ARCHIVE_RATIO_FLOOR and info.file_size > ARCHIVE_MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise archive_refused(
                _(
                    "Ce document contient un fichier interne compressé plus de %(ratio)d fois : "
                    "c’est une archive anormale (« bombe de décompression »), elle est refusée."
                )
                % {"ratio": ARCHIVE_MAX_RATIO},
                "archive_ratio",
            )
        if info.compress_type not in ARCHIVE_METHODS:
            raise archive_refused(
                _(
                    "Ce document utilise une méthode de compression que les formats ODT et "
                    "DOCX n’autorisent pas : il est refusé."
                ),
                "archive_method",
            )


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """At most ``limit`` bytes of an entry, ``None`` when it declares or holds more."""
    if info.file_size > limit:
        return None
    with archive.open(info) as entry:
        data = entry.read(limit + 1)
    return data if len(data) <= limit else None


def sniff_archive_type(upload: UploadedFile) -> FileType | None:
    """ODT or DOCX from a zip's directory and at most a few KB of one entry.

    Raises ``ValidationError`` for an archive whose directory announces a bomb (see
    ``check_archive_entries``); nothing is decompressed before those checks.
    """
    check_archive_directory(upload)
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        infos = archive.infolist()
        check_archive_entries(infos)
        if infos[:1] and infos[0].filename == "mimetype":
            # ODF: the first entry, stored uncompressed, holds exactly the media type.
            mimetype = infos[0]
            if mimetype.compress_type != zipfile.ZIP_STORED:
                return None
            content = read_entry(archive, mimetype, ODT_MIMETYPE_MAX_BYTES)
            return ODT if content == ODT.content_type.encode() else None
        names = {info.filename: info for info in infos}
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            types = read_entry(archive, names["[Content_Types].xml"], DOCX_CONTENT_TYPES_MAX_BYTES)
            return DOCX if types and DOCX_MAIN_PART_TYPE in types else None
    return None


def sniff_file_type(upload: UploadedFile) -> FileType | None:
    """The type of the file from its content (magic bytes), whatever its name says.

    PDF: starts with ``%PDF-``. ODT: a zip whose first entry is ``mimetype`` holding the
    OpenDocument text type. DOCX: a zip with ``word/document.xml`` and a
    ``[Content_Types].xml`` declaring it a Word document. Raises ``ValidationError`` for an
    archive refused on its declared sizes, entry count, compression ratio or method.
    """
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        return sniff_archive_type(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)


def validate_upload(upload: UploadedFile) -> FileType:
    """Refuse files over the size cap or whose content is not PDF, ODT or DOCX.

    The result is kept on the upload object: the form and then the service ask for the same
    upload, and its content is inspected once.
    """
    checked = getattr(upload, CHECKED_TYPE_ATTRIBUTE, None)
    if checked is not None and checked[0] == upload.size:
        return checked[1]
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
    setattr(upload, CHECKED_TYPE_ATTRIBUTE, (upload.size, file_type))
    return file_type


def display_name(name: str | None) -> str:
    """The uploader's file name, kept for display only: no folder, no control or format
    characters (a right-to-left override would show ``statuts\u202efdp.exe`` as a PDF),
    at most 255 characters. Files are stored and served under names the portal builds."""
    name = re.split(r"[/\\]", name or "")[-1]
    name = "".join(
        char if unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp") else " " for char in name
    )
    return " ".join(name.split())[:255] or "document"


def stored_file_response(file: FieldFile, download_name: str, content_type: str) -> FileResponse:
    """A stored file as a download under the name the portal built (``download_name``),
    never the uploader's, with the detected type; call after the permission check."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=download_name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class StoredFile(models.Model):
    """What a checked, stored upload keeps (project ``Document``, AMI ``Attachment``): the
    uploader's name for display only, the type detected on the content, the size and the
    day. Each model adds its ``file`` (stored under a random name, ``extension`` of the
    detected type), its ``uploaded_by`` and its ``download_name``."""

    original_name = models.CharField(gettext_lazy("nom du fichier déposé"), max_length=255)
    content_type = models.CharField(gettext_lazy("format"), max_length=100)
    size = models.PositiveBigIntegerField(gettext_lazy("taille (octets)"))
    uploaded_at = models.DateTimeField(gettext_lazy("déposé le"), default=timezone.now)

    class Meta:
        abstract = True

    @property
    def extension(self) -> str:
        """The extension of the detected type: the one the file is stored and served under."""
        return EXTENSION_OF_TYPE.get(self.content_type, "bin")

    @property
    def extension_label(self) -> str:
        return EXTENSION_OF_TYPE.get(self.content_type, "").upper()

    @property
    def uploaded_day(self) -> str:
        """The local day of the upload, ``2026-03-14``, for the download name."""
        return timezone.localtime(self.uploaded_at).date().isoformat()
