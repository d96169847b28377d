"""Forms of the outcome side of an answer: messages with a file (both ways), documents the
référents join to their answer, the correction round.

Files are checked like project documents (``cpts_portal.uploads.validate_upload``: type by
content, size cap, archive bounds); the error sits next to the file field.
"""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpts_portal.forms import PortalForm
from cpts_portal.uploads import ACCEPT_ATTRIBUTE, upload_max_bytes, validate_upload

from .forms import text_field
from .models import Attachment


def file_help() -> str:
    return _("PDF, ODT ou DOCX, %(limit)s au plus.") % {"limit": filesizeformat(upload_max_bytes())}


class FileFormMixin:
    """An optional or required ``file`` field, checked on its content."""

    def clean_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("file")
        if upload:
            validate_upload(upload)
        return upload


def file_field(label: str, required: bool) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


class ReferentMessageForm(FileFormMixin, PortalForm):
    """The référents write to the ARS from their private page, with a file if they wish."""

    text = text_field(
        gettext_lazy("Écrire à l’ARS"),
        help_text=gettext_lazy(
            "Votre message est transmis par email à l’agent qui suit votre réponse, "
            "et s’affiche ici."
        ),
    )
    file = file_field(gettext_lazy("Pièce jointe"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = file_help()


class ReferentDocumentForm(FileFormMixin, PortalForm):
    """A document the référents join to their answer: a letter, a list of professionals."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Type de document"),
        choices=[(kind.value, kind.label) for kind in Attachment.DOCUMENT_KINDS],
        widget=forms.RadioSelect,
    )
    file = file_field(gettext_lazy("Fichier"), required=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = file_help()


class ResubmitForm(PortalForm):
    """The référents send their corrected answer back to the ARS."""

    message = text_field(
        gettext_lazy("Message à l’ARS"),
        required=False,
        help_text=gettext_lazy("Par exemple, ce que vous avez corrigé."),
        rows=3,
    )


class CorrectionForm(PortalForm):
    """« Demander une correction »: what the référents should complete, sent to them."""

    message = text_field(
        gettext_lazy("Ce que les référents doivent corriger ou compléter"),
        help_text=gettext_lazy(
            "Envoyé par email aux référents et affiché sur leur lien de suivi ; la réponse "
            "redevient modifiable jusqu’à ce qu’ils la renvoient."
        ),
        rows=4,
    )


class StaffMessageForm(FileFormMixin, PortalForm):
    """« Écrire aux référents »: a message, with a file if the agent wishes (a letter, a
    model of document...)."""

    text = text_field(
        gettext_lazy("Message aux référents"),
        help_text=gettext_lazy("Envoyé par email aux référents et affiché sur leur lien de suivi."),
    )
    file = file_field(gettext_lazy("Pièce jointe"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = file_help()
