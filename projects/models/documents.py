"""Documents uploaded for a project, stored under MEDIA_ROOT with unguessable names."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cpts_portal.uploads import ACCEPTED_TYPES

from .choices import DocumentKind
from .project import CptsProject

EXTENSION_OF_TYPE = {file_type.content_type: file_type.extension for file_type in ACCEPTED_TYPES}


def document_path(instance: "Document", filename: str) -> str:
    """``projects/<192 random bits>.<ext>``: the name tells nothing and cannot be guessed.

    The file is never served by the web server: ``projects.views.documents.download``
    checks the permission first. The name given by the uploader is kept in the row, for
    display only; the extension comes from the type detected on the content.
    """
    extension = EXTENSION_OF_TYPE.get(instance.content_type, "bin")
    return f"projects/{secrets.token_urlsafe(24)}.{extension}"


class Document(models.Model):
    """An uploaded file whose type was checked on its content (see ``validate_upload``)."""

    Kind = DocumentKind

    project = models.ForeignKey(CptsProject, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type de document"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("description"), max_length=200, blank=True)
    file = models.FileField(_("fichier"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("nom du fichier déposé"), max_length=255)
    content_type = models.CharField(_("format"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)

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
    def extension(self) -> str:
        return EXTENSION_OF_TYPE.get(self.content_type, "bin")

    @property
    def download_name(self) -> str:
        """``statuts-cpts-du-pays-de-douarnenez-2025-03-14.pdf``: the name the file is served
        under, built from the kind, the project, the upload date and the detected type.

        Never the uploader's name: a PDF sent as ``statuts.bat`` or ``x.html`` must not
        reach an ARS agent's disk under that extension.
        """
        project = slugify(self.project.name)[:60].strip("-") or str(self.project_id)
        day = timezone.localtime(self.uploaded_at).date().isoformat()
        return f"{self.kind.replace('_', '-')}-{project}-{day}.{self.extension}"

    @property
    def extension_label(self) -> str:
        return EXTENSION_OF_TYPE.get(self.content_type, "").upper()
