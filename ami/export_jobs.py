"""Large XLSX and ODS exports built off the request, behind a progress page.

A spreadsheet of thousands of answers is built whole (tablib, openpyxl): some seconds, during
which the click would wait with no feedback. Above ``EXPORT_INLINE_ROWS`` rows the export
becomes a job: its state lives in the default cache (Redis when configured: every process
sees it), the file under MEDIA_ROOT in a random folder, both for ``EXPORT_JOB_SECONDS``.
The job runs as a Celery task, or in a background thread without a broker
(``cpts_portal.background``); its page refreshes itself until the file is ready (no
JavaScript needed) and only the user who asked may see it or download the file.
"""

import secrets
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

# Above this many rows, XLSX and ODS exports are built behind a progress page.
EXPORT_INLINE_ROWS = 1_000
EXPORT_JOB_SECONDS = 24 * 3600  # the file holds personal data: a day, as the PDF zips


@dataclass
class ExportJob:
    id: str
    user_id: int
    extension: str
    query: str  # the dashboard's filters, as a query string
    total: int
    done: int = 0
    status: str = "pending"  # pending, running, done, failed
    file: str = ""  # path under MEDIA_ROOT once done
    filename: str = ""

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)

    @property
    def is_finished(self) -> bool:
        return self.status in ("done", "failed")

    def save(self) -> None:
        cache.set(key(self.id), asdict(self), EXPORT_JOB_SECONDS)


def key(job_id: str) -> str:
    return f"export-job:{job_id}"


def new_job(user_id: int, extension: str, query: str, total: int) -> ExportJob:
    job = ExportJob(str(uuid.uuid4()), user_id, extension, query, total)
    job.save()
    return job


def get_job(job_id: str, user_id: int) -> ExportJob | None:
    """The job, for the user who asked only (anyone else: None, as if it did not exist)."""
    data = cache.get(key(job_id))
    if not data or data["user_id"] != user_id:
        return None
    return ExportJob(**data)


def job_file_path(filename: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "ami" / "exports" / secrets.token_urlsafe(24)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename
