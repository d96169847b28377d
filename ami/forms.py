"""Forms of the fiche de renseignements: the answer, its actors and its référents."""

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import phonenumbers
from crispy_forms.layout import Layout
from django import forms
from django.core import validators
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

from cpts_portal.error_summary import FieldsOf, Rows, error_summary
from cpts_portal.forms import PortalForm, PortalModelForm, inline_helper
from cpts_portal.validators import validate_single_line
from crispy_dsfr.layout import Fieldset
from territories.builder import TerritoryBuilderForm
from territories.forms import CommuneField
from territories.models import Commune

from .models import (
    CONTEXT_MAX_LENGTH,
    Actor,
    Objective,
    PracticeSetting,
    Profession,
    Referent,
    Submission,
)
from .services import FIELD_LABELS, OBJECTIVE_FIELDS, ActorData, AnswerData, ReferentData

# Country calling regions of metropolitan France and the overseas départements and
# collectivités: a "French number" may carry any of them.
FRENCH_PHONE_REGIONS = frozenset(
    {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"}
)
MAX_ACTORS = 50
# The prefixes of the answer's parts in the form's field names.
ACTORS_PREFIX = "actors"
REFERENTS_PREFIX = "referents"
TERRITORY_PREFIX = "territory"
MAX_REFERENTS = 10
MEETING_HORIZON = timedelta(days=2 * 365)


def said_by_group(*fields: forms.Field) -> None:
    """Optional fields of a group whose requirement is said above the group (« Indiquez
    une date ou une période »): none of them says « (facultatif) » (crispy_dsfr)."""
    for field in fields:
        field.required_by_group = True


class FrenchPhoneNumberField(PhoneNumberField):
    """A phone number of France (metropolitan or overseas), stored in E.164."""

    default_error_messages = {
        "invalid": _(
            "Saisissez un numéro de téléphone français valide, par exemple 02 99 12 34 56 "
            "ou +33 6 12 34 56 78."
        ),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("region", "FR")
        super().__init__(**kwargs)

    def to_python(self, value: str) -> PhoneNumber | str:
        # The parser would skip a NUL byte or a line break and accept the digits around
        # it: refuse them, as every other single-line input does.
        validate_single_line(value)
        number = super().to_python(value)
        if number and phonenumbers.region_code_for_number(number) not in FRENCH_PHONE_REGIONS:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class SubmissionForm(PortalModelForm):
    """The answer's own questions, plus consent, honeypot and the double-submit token."""

    objectives = forms.MultipleChoiceField(
        label=_("Objectifs attendus"),
        help_text=_("Cochez une ou plusieurs cases."),
        choices=Objective.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins un objectif.")},
    )
    consent = forms.BooleanField(
        label=_(
            "J’accepte que les données saisies soient traitées par l’ARS, l’Assurance Maladie "
            "et les URPS pour répondre à cette manifestation d’intérêt."
        ),
        help_text=_(
            "Voir la page « Données personnelles » pour savoir qui les traite, pourquoi "
            "et combien de temps."
        ),
        error_messages={"required": _("Votre accord est nécessaire pour envoyer la réponse.")},
    )
    # Honeypot: invisible to people (CSS and aria-hidden), filled by naive bots.
    website = forms.CharField(label=_("Ne pas remplir ce champ"), required=False)
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = Submission
        fields = ["context", "territory_text", "meeting_wished_by", "meeting_wish"]
        labels = {name: FIELD_LABELS[name] for name in fields}
        help_texts = {
            "context": _(
                "Décrivez le contexte qui vous conduit à répondre à cet Appel à Manifestation "
                "d’Intérêt (%(max)s caractères au plus)."
            )
            % {"max": CONTEXT_MAX_LENGTH},
            "territory_text": _(
                "Si vous en avez connaissance, précisez le territoire de projet envisagé "
                "(communes, intercommunalité, bassin de vie…)."
            ),
            "meeting_wished_by": _("Au format jj/mm/aaaa."),
            "meeting_wish": _("Par exemple : « en septembre, plutôt en soirée »."),
        }
        widgets = {
            "context": forms.Textarea(attrs={"rows": 8}),
            "territory_text": forms.Textarea(attrs={"rows": 3}),
            "meeting_wished_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, with_consent: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["context"].error_messages["required"] = _(
            "Décrivez le contexte de votre démarche."
        )
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        if self.instance.pk:
            self.initial["objectives"] = [
                objective
                for objective, field in OBJECTIVE_FIELDS.items()
                if getattr(self.instance, field)
            ]
            self.initial.setdefault("form_token", self.instance.form_token)
        if not with_consent:
            del self.fields["consent"]
        # « Indiquez une date ou une période » is said above the two (the calendar's legend).
        said_by_group(self.fields["meeting_wished_by"], self.fields["meeting_wish"])
        self.helper = inline_helper()

    def clean_meeting_wished_by(self):
        wished = self.cleaned_data.get("meeting_wished_by")
        today = timezone.localdate()
        if wished and wished < today:
            raise forms.ValidationError(_("Choisissez une date à venir."), code="past")
        if wished and wished > today + MEETING_HORIZON:
            raise forms.ValidationError(
                _("Choisissez une date dans les deux prochaines années."), code="too_far"
            )
        return wished

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _("Votre envoi n’a pas pu être traité. Rechargez la page et réessayez."),
                code="honeypot",
            )
        has_meeting_wish = (
            cleaned.get("meeting_wished_by") or cleaned.get("meeting_wish", "").strip()
        )
        if not has_meeting_wish and "meeting_wished_by" not in self.errors:
            self.add_error(
                "meeting_wished_by",
                forms.ValidationError(
                    _("Indiquez une date ou une période souhaitée pour un temps d’échange."),
                    code="meeting_required",
                ),
            )
        return cleaned

    def is_bot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))


PLACE_MAX_LENGTH = Actor._meta.get_field("practice_place").max_length


class PracticePlaceField(CommuneField):
    """A commune of the reference geography, or the text as typed when none matches.

    Homonyms are still resolved with the person (the widget lists them); an unknown place
    (abroad, a hamlet, a typo) is kept as free text rather than refused.
    """

    def to_python(self, value: object) -> Commune | str | None:
        # Before any lookup: a NUL byte must not reach the database (PostgreSQL refuses it
        # with an error, not a validation message), nor a megabyte of text the search.
        if value not in self.empty_values and not isinstance(value, Commune | int):
            # The raw text: the collapsed one would hide line breaks typed in it.
            validate_single_line(str(value))
            text = " ".join(str(value).split())
            validators.MaxLengthValidator(PLACE_MAX_LENGTH)(text)
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code != "unknown":
                raise
            return " ".join(str(value).split())


class ActorForm(PortalModelForm):
    practice_place = PracticePlaceField(
        label=_("Lieu d’exercice (commune)"),
        help_text=_("Nom de la commune ou code postal."),
        error_messages={"required": _("Indiquez la commune d’exercice.")},
    )

    class Meta:
        model = Actor
        fields = [
            "name",
            "profession",
            "profession_other",
            "practice_place",
            "practice_setting",
            "structure_name",
        ]
        labels = {
            "name": _("Nom et prénom, ou nom de la structure"),
            "profession_other": _("Si « autre », précisez la profession"),
            "practice_setting": _("Mode d’exercice"),
            "structure_name": _("Nom de la MSP, de l’ESP, du centre ou de l’établissement"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profession"].choices = [
            ("", _("Sélectionnez une profession")),
            *Profession.choices,
        ]
        self.fields["practice_setting"].choices = [
            ("", _("Sélectionnez un mode d’exercice")),
            *PracticeSetting.choices,
        ]
        self.fields["name"].error_messages["required"] = _("Indiquez le nom de l’acteur.")
        self.fields["profession"].error_messages["required"] = _("Choisissez une profession.")
        self.fields["practice_setting"].error_messages["required"] = _(
            "Choisissez un mode d’exercice."
        )
        self.helper = inline_helper()

    def clean_practice_place(self) -> str:
        place = self.cleaned_data["practice_place"]
        self.instance.practice_commune = place if isinstance(place, Commune) else None
        return place.name if isinstance(place, Commune) else place

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("profession") == Profession.OTHER
            and not cleaned.get("profession_other", "").strip()
        ):
            self.add_error("profession_other", _("Précisez la profession."))
        return cleaned


class ReferentForm(PortalModelForm):
    phone = FrenchPhoneNumberField(label=_("Téléphone"), required=False)

    class Meta:
        model = Referent
        fields = ["name", "function", "email", "phone"]
        labels = {
            "name": _("Nom et prénom"),
            "function": _("Fonction"),
            "email": _("Adresse électronique"),
        }
        help_texts = {
            "email": _("Format attendu : nom@domaine.fr. Vous y recevrez l’accusé de réception."),
            "phone": _("Par exemple 02 99 12 34 56."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Indiquez le nom du référent.")
        self.fields["email"].error_messages["invalid"] = _(
            "Saisissez une adresse électronique valide, par exemple nom@domaine.fr."
        )
        self.fields["phone"].help_text = self._meta.help_texts["phone"]
        # One of the two is required: said above them, neither is « facultatif ».
        said_by_group(self.fields["email"], self.fields["phone"])
        self.helper = inline_helper()
        self.helper.layout = Layout(
            "name",
            "function",
            Fieldset(
                _("Coordonnées"),
                "email",
                "phone",
                hint=_("Indiquez au moins une adresse électronique ou un téléphone."),
            ),
        )
        # The row's own fields (its hidden id, « Supprimer ») are not in the layout: without
        # them an edited answer's référent reads as a new row and the edit is refused.
        self.helper.render_unmentioned_fields = True

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("email") and not cleaned.get("phone"):
            self.add_error(
                "email", _("Indiquez au moins une adresse électronique ou un téléphone.")
            )
        return cleaned


class BaseRowFormSet(BaseInlineFormSet):
    """Inline rows that professionals can add without JavaScript and remove."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if index is not None and index < self.min_num:
            # The mandatory first rows cannot be removed, only corrected.
            form.fields.pop("DELETE", None)
        elif "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Retirer cette ligne")

    def clean(self) -> None:
        super().clean()
        # A row sent as stored but unknown among this answer's rows (an id from another
        # answer, or deleted meanwhile): Django would silently drop it; say so instead.
        if any(form.instance.pk is None for form in self.initial_forms):
            raise forms.ValidationError(
                _("Une ligne a été modifiée ou supprimée entre-temps : rechargez la page."),
                code="unknown_row",
            )

    def full_clean(self) -> None:
        super().full_clean()
        if any(self.errors):
            # An incomplete row already says what is missing; "add at least one" would repeat it.
            kept = [e for e in self._non_form_errors.as_data() if e.code != "too_few_forms"]
            self._non_form_errors = self.error_class(
                kept, error_class="nonform", renderer=self.renderer
            )

    def live_forms(self) -> list[forms.Form]:
        """Rows kept after saving: stored or newly filled, and not marked for removal."""
        return [
            form
            for form in self.forms
            if (form.instance.pk or form.has_changed()) and not form.cleaned_data.get("DELETE")
        ]


class BaseActorFormSet(BaseRowFormSet):
    default_error_messages = {
        "too_few_forms": _("Indiquez au moins un acteur intéressé."),
        "too_many_forms": _("Vous pouvez indiquer %(num)d acteurs au plus."),
    }


class BaseReferentFormSet(BaseRowFormSet):
    default_error_messages = {
        "too_few_forms": _("Indiquez au moins un référent."),
        "too_many_forms": _("Vous pouvez indiquer %(num)d référents au plus."),
    }

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("email") for form in self.live_forms()):
            raise forms.ValidationError(
                _(
                    "Au moins un référent doit avoir une adresse électronique : "
                    "l’accusé de réception et le lien de suivi y seront envoyés."
                ),
                code="no_email",
            )


ActorFormSet = inlineformset_factory(
    Submission,
    Actor,
    form=ActorForm,
    formset=BaseActorFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_ACTORS,
    # No more rows are built than are allowed: TOTAL_FORMS=1000000 would otherwise make the
    # server build and render the default 1,000 extra rows of a refused form.
    absolute_max=MAX_ACTORS,
    validate_max=True,
    can_delete=True,
)

ReferentFormSet = inlineformset_factory(
    Submission,
    Referent,
    form=ReferentForm,
    formset=BaseReferentFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_REFERENTS,
    # No more rows are built than are allowed: TOTAL_FORMS=1000000 would otherwise make the
    # server build and render the default 1,000 extra rows of a refused form.
    absolute_max=MAX_REFERENTS,
    validate_max=True,
    can_delete=True,
)


@dataclass
class AnswerForms:
    """The three parts of the fiche de renseignements, validated together."""

    submission: SubmissionForm
    actors: ActorFormSet
    referents: ReferentFormSet
    territory: TerritoryBuilderForm

    def parts(self) -> list[forms.Form]:
        return [self.submission, *self.actors.forms, *self.referents.forms, self.territory]

    def is_valid(self) -> bool:
        # Evaluate every part so that every error is shown at once.
        return all(
            [
                self.submission.is_valid(),
                self.actors.is_valid(),
                self.referents.is_valid(),
                self.territory.is_valid(),
            ]
        )

    def error_summary(self) -> list[dict[str, str]]:
        """Every error with the id of its field, for the summary at the top of the page,
        in the page's order; the rows' errors name their row (« Acteur 2 — Profession »)."""
        before_territory = ["objectives", "context", "territory_text"]
        return error_summary(
            Rows(self.actors, _("Acteur")),
            Rows(self.referents, _("Référent")),
            FieldsOf(self.submission, before_territory),
            self.territory,
            FieldsOf(self.submission, exclude=before_territory),
        )

    def answer_data(self) -> AnswerData:
        """The valid answer as plain data, for ``ami.services`` (call ``is_valid()`` first)."""
        cleaned = self.submission.cleaned_data
        return AnswerData(
            objectives=frozenset(cleaned["objectives"]),
            context=cleaned["context"],
            territory_text=cleaned.get("territory_text", ""),
            meeting_wished_by=cleaned.get("meeting_wished_by"),
            meeting_wish=cleaned.get("meeting_wish", ""),
            commune_codes=self.territory.codes(),
            other_places=self.territory.other_places(),
            actors=[actor_data(form) for form in self.actors.live_forms()],
            referents=[referent_data(form) for form in self.referents.live_forms()],
            form_token=cleaned.get("form_token"),
        )


def actor_data(form: ActorForm) -> ActorData:
    cleaned = form.cleaned_data
    return ActorData(
        pk=form.instance.pk,
        name=cleaned["name"],
        profession=cleaned["profession"],
        profession_other=cleaned.get("profession_other", ""),
        practice_place=cleaned["practice_place"],
        practice_commune_id=form.instance.practice_commune_id,
        practice_setting=cleaned["practice_setting"],
        structure_name=cleaned.get("structure_name", ""),
    )


def referent_data(form: ReferentForm) -> ReferentData:
    cleaned = form.cleaned_data
    phone = cleaned.get("phone")
    return ReferentData(
        pk=form.instance.pk,
        name=cleaned["name"],
        function=cleaned.get("function", ""),
        email=cleaned.get("email", ""),
        phone=phone.as_e164 if phone else "",
    )


# --- Messages (the référent's side here; the staff's forms in ``ami.staff.forms`` reuse it) ---

TEXT_MAX_LENGTH = 5000


def text_field(
    label: str, required: bool = True, help_text: str = "", rows: int = 4
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


# --- Drafts ----------------------------------------------------------------------------------

# A draft keeps what was typed, valid or not: each value is bounded here instead.
DRAFT_VALUE_MAX_LENGTH = 12_000  # the territory's INSEE codes: 1,500 × 6 characters
DRAFT_MAX_VALUES = 1500  # the communes ticked for removal
# Never kept: the consent is given when sending, the rest belongs to the page or the server.
DRAFT_SKIPPED = {"consent", "website", "form_token"}
ROW_FIELD = re.compile(r"^(actors|referents)-(\d+)-([a-z_]+)$")


def draft_field_names() -> tuple[set[str], dict[str, set[str]]]:
    """The answer form's own field names: ``(plain names, row fields by prefix)``."""
    plain = {name for name in SubmissionForm.base_fields if name not in DRAFT_SKIPPED}
    plain |= {f"{TERRITORY_PREFIX}-{name}" for name in TerritoryBuilderForm.base_fields}
    for prefix in (ACTORS_PREFIX, REFERENTS_PREFIX):
        plain.add(f"{prefix}-TOTAL_FORMS")
    rows = {
        ACTORS_PREFIX: {*ActorForm.base_fields, "DELETE"},
        REFERENTS_PREFIX: {*ReferentForm.base_fields, "DELETE"},
    }
    return plain, rows


def draft_fields(data: QueryDict) -> dict[str, list[str]]:
    """What a draft keeps of the posted form: its own fields only, bounded, NUL-free.

    The rows' ``id`` and ``INITIAL_FORMS`` are left out (a draft is a new answer), as are
    the consent, the honeypot and the page's token; a row beyond the formset's cap is
    dropped.
    """
    plain, rows = draft_field_names()
    caps = {"actors": MAX_ACTORS, "referents": MAX_REFERENTS}
    kept: dict[str, list[str]] = {}
    for name in list(data.keys())[:5000]:
        match = ROW_FIELD.match(name)
        if name in plain:
            pass
        elif not (match and match[3] in rows[match[1]] and int(match[2]) < caps[match[1]]):
            continue
        values = [
            str(value).replace("\x00", "")[:DRAFT_VALUE_MAX_LENGTH]
            for value in data.getlist(name)[:DRAFT_MAX_VALUES]
        ]
        kept[name] = values
    return kept


def draft_querydict(fields: dict[str, list[str]], form_token: uuid.UUID) -> QueryDict:
    """The POST data of the form as the draft left it, for ``build_forms``."""
    data = QueryDict(mutable=True)
    for name, values in fields.items():
        if isinstance(values, list):
            data.setlist(name, [str(value) for value in values])
    for prefix, cap in ((ACTORS_PREFIX, MAX_ACTORS), (REFERENTS_PREFIX, MAX_REFERENTS)):
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        try:
            total = int(data.get(f"{prefix}-TOTAL_FORMS", "1"))
        except ValueError:
            total = 1
        data[f"{prefix}-TOTAL_FORMS"] = str(min(max(total, 1), cap))
    data["form_token"] = str(form_token)
    return data


class ResumeLinkForm(PortalForm):
    """« Reprendre plus tard »: where to send the link that resumes the draft."""

    resume_email = forms.EmailField(
        label=_("Adresse électronique où recevoir le lien"),
        help_text=_("Format attendu : nom@domaine.fr."),
        error_messages={
            "required": _("Indiquez l’adresse où recevoir le lien pour reprendre plus tard."),
            "invalid": _("Saisissez une adresse électronique valide, par exemple nom@domaine.fr."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resume_email"].widget.attrs["autocomplete"] = "email"
        self.helper = inline_helper()
