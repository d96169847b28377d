"""Forms of the staff submission page, one per action (each with its own prefix)."""

from datetime import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cpts_portal.forms import PortalForm
from territories.permissions import User, region_scope

from ..filters import UserChoiceField, assignable_users
from ..forms import text_field
from ..models import ClosureReason, Exchange, Opinion, Orientation, Submission
from .columns import OPTIONAL_COLUMNS

MESSAGE_HELP = _("Joint à l’email envoyé aux référents.")
COMMENT_HELP = _("Visible des seuls agents.")
KEEP, CANCEL = "keep", "cancel"


def exchange_choices(exchange: Exchange) -> list[tuple[str, str]]:
    """The two answers to « and the planned exchange? », each saying what the référents get."""
    moment = timezone.localtime(exchange.starts_at)
    when = formats.date_format(moment, "l j F Y à H:i")
    return [
        (
            KEEP,
            _(
                "Maintenir l’échange du %(when)s : les référents reçoivent l’orientation "
                "par email, l’échange reste dans leur agenda."
            )
            % {"when": when},
        ),
        (
            CANCEL,
            _(
                "Annuler l’échange du %(when)s : les référents reçoivent l’orientation et "
                "l’annulation de l’échange (fichier .ics pour leur agenda)."
            )
            % {"when": when},
        ),
    ]


class AssignForm(PortalForm):
    assignee = UserChoiceField(
        label=_("Agent en charge"),
        queryset=assignable_users(),
        required=False,
        empty_label=_("Personne"),
    )

    def __init__(self, *args, region_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if region_id is not None:  # the agents of the answer's region only
            self.fields["assignee"].queryset = assignable_users(frozenset({region_id}))


class StatusForm(PortalForm):
    to = forms.ChoiceField(choices=Submission.Status.choices, widget=forms.HiddenInput)


class NoteForm(PortalForm):
    """The page's one internal comment: the other actions have none of their own."""

    text = text_field(
        _("Commentaire interne"),
        help_text=_("Visible des seuls agents de l’ARS, de l’Assurance Maladie et des URPS."),
    )


class OpinionForm(PortalForm):
    opinion = forms.ChoiceField(label=_("Avis"), choices=Opinion.choices, widget=forms.RadioSelect)
    text = text_field(_("Motivation"), required=False, help_text=COMMENT_HELP)


class ExchangeForm(PortalForm):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start = forms.TimeField(
        label=_("Heure de début"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=_("Heure de fin"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(
        label=_("Lieu"),
        required=False,
        max_length=300,
        help_text=_("Adresse ; facultatif avec un lien de visioconférence."),
    )
    video_url = forms.URLField(
        label=_("Lien de visioconférence"), required=False, max_length=500, assume_scheme="https"
    )
    participants = text_field(
        _("Participants"),
        required=False,
        help_text=_("Agents de l’ARS, de l’Assurance Maladie, des URPS, professionnels…"),
        rows=2,
    )
    message = text_field(_("Message aux référents"), False, MESSAGE_HELP, rows=3)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("place") and not data.get("video_url"):
            self.add_error("place", _("Indiquez un lieu ou un lien de visioconférence."))
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("L’heure de fin doit suivre l’heure de début."))
        if data.get("date") and data["date"] < timezone.localdate():
            self.add_error("date", _("Choisissez une date à venir."))
        return data

    def moment(self, time_field: str) -> datetime:
        """Date and time as typed, in the portal's time zone (Europe/Paris)."""
        naive = datetime.combine(self.cleaned_data["date"], self.cleaned_data[time_field])
        return timezone.make_aware(naive)

    def exchange_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": self.moment("start"),
            "ends_at": self.moment("end"),
            "place": data["place"],
            "video_url": data["video_url"],
            "participants": data["participants"],
            "message": data["message"],
        }


class SubmissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, submission: Submission) -> str:
        actor = getattr(submission, "first_actor_name", "") or ""
        return f"{submission.reference} — {actor} ({submission.get_status_display()})"


MAX_REFERENCE_DIGITS = 18  # below 2**63


def parse_references(text: str) -> list[int]:
    """ "AMI-00012, AMI-15 ; 16" → [12, 15, 16]; raises ValueError on anything else."""
    pks = []
    for chunk in text.replace(";", ",").replace(" ", ",").split(","):
        chunk = chunk.strip().upper().removeprefix("AMI-")
        if not chunk:
            continue
        # ASCII digits only, and no more than a primary key holds (a longer number would
        # overflow the database's integer: an error, not "not found").
        if not (chunk.isascii() and chunk.isdigit()) or len(chunk) > MAX_REFERENCE_DIGITS:
            raise ValueError(chunk)
        pks.append(int(chunk))
    return pks


class OrientForm(PortalForm):
    orientation = forms.ChoiceField(
        label=_("Orientation"), choices=Orientation.choices, widget=forms.RadioSelect
    )
    linked = SubmissionChoiceField(
        label=_("Réponses du même territoire à mettre en relation"),
        queryset=Submission.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_references = forms.CharField(
        label=_("Autres réponses à mettre en relation"),
        required=False,
        max_length=500,
        help_text=_("Références séparées par des virgules, par exemple AMI-00012, AMI-00015."),
    )
    message = text_field(_("Message aux référents"), False, MESSAGE_HELP, rows=3)
    exchange = forms.ChoiceField(
        label=_("Échange planifié"),
        choices=[(KEEP, KEEP), (CANCEL, CANCEL)],
        initial=KEEP,
        required=False,  # not sent: kept, as the page offers by default
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args,
        submission: Submission,
        related: QuerySet[Submission],
        exchange: Exchange | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.fields["linked"].queryset = related
        if exchange is None or not exchange.is_upcoming:
            # Nothing to keep or cancel: the field is not offered.
            del self.fields["exchange"]
        else:
            self.fields["exchange"].choices = exchange_choices(exchange)

    def keep_exchange(self) -> bool:
        return self.cleaned_data.get("exchange") != CANCEL

    def clean_other_references(self) -> list[Submission]:
        text = self.cleaned_data["other_references"]
        try:
            pks = parse_references(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("« %(value)s » n’est pas une référence de réponse."), params={"value": error}
            ) from error
        found = {s.pk: s for s in Submission.objects.filter(pk__in=pks)}
        missing = [f"AMI-{pk:05d}" for pk in pks if pk not in found]
        if missing:
            raise forms.ValidationError(
                _("Réponse introuvable : %(references)s."),
                params={"references": ", ".join(missing)},
            )
        if self.submission.pk in found:
            raise forms.ValidationError(
                _("Une réponse ne peut être mise en relation avec elle-même.")
            )
        return [found[pk] for pk in dict.fromkeys(pks)]  # as typed, once each

    def clean(self) -> dict:
        data = super().clean()
        if data.get("orientation") == Orientation.CONNECTION and not self.linked_submissions():
            self.add_error("linked", _("Choisissez au moins une réponse à mettre en relation."))
        return data

    def linked_submissions(self) -> list[Submission]:
        chosen = list(self.cleaned_data.get("linked") or [])
        chosen_pks = {s.pk for s in chosen}
        others = self.cleaned_data.get("other_references") or []
        return chosen + [s for s in others if s.pk not in chosen_pks]


class CloseForm(PortalForm):
    reason = forms.ChoiceField(
        label=_("Motif de la clôture"), choices=[("", "—"), *ClosureReason.choices]
    )
    message = text_field(_("Message aux référents"), False, MESSAGE_HELP, rows=3)


class ResendLinkForm(PortalForm):
    """A button: the new link goes to the référents (a comment is the page's note form)."""


class PersonalDataRequestForm(PortalForm):
    """The address a person's RGPD request is about."""

    email = forms.EmailField(
        label=_("Adresse électronique de la personne"),
        help_text=_("Celle qu’elle a donnée comme référent ou pour son compte de coordinateur."),
    )


class ErasureForm(PersonalDataRequestForm):
    email = forms.EmailField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_(
            "Je confirme l’effacement : les données personnelles de ces réponses seront "
            "anonymisées définitivement et leur lien de suivi révoqué."
        ),
        error_messages={"required": _("Cochez la case pour confirmer l’effacement.")},
    )


# --- Dashboard -----------------------------------------------------------------------------


class ColumnsForm(PortalForm):
    """The columns an agent wants on the dashboard (the reference is always there)."""

    columns = forms.MultipleChoiceField(
        label=_("Colonnes affichées"),
        choices=[(column.key, column.label) for column in OPTIONAL_COLUMNS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


BULK_ACTIONS = {
    "assign": _("Attribuer"),
    "status": _("Changer le statut"),
    "csv": _("Exporter en CSV"),
    "xlsx": _("Exporter en XLSX"),
    "ods": _("Exporter en ODS"),
    "pdf": _("PDF (zip)"),
}
# Statuses a selection can be moved to at once: the plain moves (no form of their own).
BULK_TARGETS = [(Submission.Status.IN_REVIEW.value, Submission.Status.IN_REVIEW.label)]


class BulkActionForm(PortalForm):
    """An action on the answers ticked in the dashboard's table (the button says which)."""

    selection = forms.ModelMultipleChoiceField(
        label=_("Réponses sélectionnées"),
        queryset=Submission.objects.none(),
        error_messages={"required": _("Cochez au moins une réponse dans le tableau.")},
    )
    action = forms.ChoiceField(choices=list(BULK_ACTIONS.items()))
    assignee = UserChoiceField(
        label=_("Attribuer à"),
        queryset=assignable_users(),
        required=False,
        empty_label=_("Personne"),
    )
    to = forms.ChoiceField(label=_("Nouveau statut"), choices=BULK_TARGETS, required=False)

    def __init__(self, *args, queryset: QuerySet[Submission], user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selection"].queryset = queryset
        if user is not None:
            # The agents of the regions the user reads (``services.assign`` checks each
            # answer's region).
            self.fields["assignee"].queryset = assignable_users(region_scope(user))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "status" and not data.get("to"):
            self.add_error("to", _("Choisissez le nouveau statut."))
        return data
