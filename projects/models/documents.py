"""Documents uploaded for a project, stored under MEDIA_ROOT with unguessable names."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cpts_portal.uploads import EXTENSION_OF_TYPE, StoredFile

from .choices import DocumentKind
from .project import CptsProject


def document_path(instance: "Document", filename: str) -> str:
    """``projects/<192 random bits>.<ext>``: the name tells nothing and cannot be guessed.

    The file is never served by the web server: ``projects.views.documents.download``
    checks the permission first. The name given by the uploader is kept in the row, for
    display only; the extension comes from the type detected on the content.
    """
    extension = EXTENSION_OF_TYPE.get(instance.content_type, "bin")
    return f"projects/{secrets.token_urlsafe(24)}.{extension}"


class Document(StoredFile):
    """An uploaded file whose type was checked on its content (see ``validate_upload``)."""

    Kind = DocumentKind

    project = models.ForeignKey(CptsProject, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type de document"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("description"), max_length=200, blank=True)
    file = models.FileField(_("fichier"), upload_to=document_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "projects:document_download", kwargs={"pk": self.project_id, "document_pk": self.pk}
        )

    @property
    def download_name(self) -> str:
        """``statuts-cpts-du-pays-de-douarnenez-2025-03-14.pdf``: the name the file is served
        under, built from the kind, the project, the upload date and the detected type.

        Never the uploader's name: a PDF sent as ``statuts.bat`` or ``x.html`` must not
        reach an ARS agent's disk under that extension.
        """
        project = slugify(self.project.name)[:60].strip("-") or str(self.project_id)
        kind = self.kind.replace("_", "-")
        return f"{kind}-{project}-{self.uploaded_day}.{self.extension}"
