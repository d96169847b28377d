"""PDF rendering shared by the apps: WeasyPrint with local resources only.

Fonts and images are local files; the URL fetcher refuses anything else (no network, no
file outside the static folders), so a URL typed by a user can never make the server fetch
anything. Each document has its own print stylesheet built on ``templates/pdf/base.css``
(A4, running header and footer, page numbers, Marianne): the DSFR CSS is large and slows
rendering.

Every PDF is tagged PDF/UA-1 (RGAA): a structure tree built from the HTML (headings, lists,
tables), ``/Lang`` from ``<html lang>`` and the title from ``<title>``, shown by readers
instead of the file name. So each PDF template needs ``<html lang="fr">`` and a ``<title>``
naming the document.
"""

import functools
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

FONTS = {
    "regular": "dsfr/dist/fonts/Marianne-Regular.woff",
    "bold": "dsfr/dist/fonts/Marianne-Bold.woff",
    "italic": "dsfr/dist/fonts/Marianne-Regular_Italic.woff",
}
LOGO = "dsfr/dist/favicon/favicon.svg"
# PDF/UA-1 rather than bare ``pdf_tags=True``: same structure tree, plus the PDF/UA
# identification in the XMP metadata; measured at no noticeable cost over untagged output.
PDF_VARIANT = "pdf/ua-1"


class LocalFileRefused(ValueError):
    """A resource outside the static folders, or not a file: URL."""


@functools.cache
def allowed_roots() -> tuple[Path, ...]:
    """The static folders: the project's, each app's (django-dsfr's fonts) and STATIC_ROOT."""
    roots = {Path(settings.STATIC_ROOT).resolve()}
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            roots.add(Path(storage.location).resolve())
    return tuple(sorted(roots))


def local_path(url: str) -> Path:
    """The file behind a file: URL under an allowed root; ``LocalFileRefused`` otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in {"", "localhost"}:
        raise LocalFileRefused(f"Only local files are loaded in PDFs, not {url!r}")
    path = Path(unquote(parts.path)).resolve()
    if not path.is_file() or not any(path.is_relative_to(root) for root in allowed_roots()):
        raise LocalFileRefused(f"Not a file under the static folders: {url!r}")
    return path


class LocalOnlyFetcher(URLFetcher):
    """WeasyPrint fetcher that reads files under the static folders and nothing else."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = local_path(url)
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".woff":
            mimetype = "font/woff"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mimetype}
        )


def static_uri(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    return Path(found).resolve().as_uri()


def render_pdf(template: str, stylesheet: str, context: dict) -> bytes:
    """Render an HTML template and its print stylesheet (a template too) to PDF bytes."""
    # French dates whatever the caller (a Celery worker has no active language).
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        context = {
            **context,
            "fonts": {name: static_uri(path) for name, path in FONTS.items()},
            "logo_url": static_uri(LOGO),
            "generated_at": timezone.now(),
            "PORTAL_NAME": settings.PORTAL_NAME,
            # The ARS that speaks in the document: the identity of the object's region
            # (``territories.selectors.region_identity``), else the portal's operator.
            "ars_name": getattr(
                context.get("region_identity"), "ars_name", settings.PORTAL_OPERATOR
            ),
        }
        html = render_to_string(template, context)
        css = render_to_string(stylesheet, context)
    stylesheet_object, font_config = parsed_stylesheet(css)
    base_url = (Path(settings.BASE_DIR) / "static").resolve().as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=LocalOnlyFetcher())
    # One rendering at a time per process: the parsed stylesheet and its fonts are shared
    # (a background thread may build a batch while a request renders one PDF).
    with _rendering:
        return document.write_pdf(
            stylesheets=[stylesheet_object], font_config=font_config, pdf_variant=PDF_VARIANT
        )


_rendering = threading.Lock()


@functools.lru_cache(maxsize=8)
def parsed_stylesheet(css: str) -> tuple[CSS, FontConfiguration]:
    """The print stylesheet parsed once per process, with its fonts (Marianne) loaded: the
    first PDF of a process paid about a second for them, every PDF a few hundred ms.

    Keyed by the rendered CSS, which only changes with the code and static files."""
    font_config = FontConfiguration()
    return CSS(string=css, font_config=font_config, url_fetcher=LocalOnlyFetcher()), font_config
