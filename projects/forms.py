"""Forms of the project pages (rendered with the crispy_dsfr pack)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.validators import MaxValueValidator
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cpts_portal.choices import Opinion
from cpts_portal.forms import PortalForm, PortalModelForm, SingleLineFieldsMixin, inline_helper
from cpts_portal.roles import Role
from cpts_portal.uploads import ACCEPT_ATTRIBUTE, upload_max_bytes, validate_upload
from territories.permissions import scope_by_region

from . import rules, selectors, services
from .models import (
    AciContract,
    ActionSheet,
    AssuranceMaladieOpinion,
    CptsProject,
    HealthProject,
    LegalHolder,
    LetterOfIntent,
    ManagementDialogue,
    Milestone,
    Stage,
    UrpsOpinion,
)
from .models.choices import MISSION_CHOICES
from .validators import normalize_identifier
from .workflow import Transition


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def draft_helper() -> FormHelper:
    """Fields rendered inside the page's <form>, without « (facultatif) » marks: a draft may
    be saved incomplete, but every field is needed for the deposit (the page lists them)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.dsfr_mark_optional_fields = False
    return helper


def textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class CoordinatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name() or user.get_username()
        return f"{name} ({user.email})" if user.email else name


class ProjectTerritoryMixin:
    """The territory field of a project's forms (project pages, admin).

    Offers only the rows this project may own (``services.assignable_territories``: no AMI
    answer's, no other project's; a posted id outside them is refused as an invalid
    choice) and applies the overlap rule when the territory changes: an earlier project
    sharing communes, not yet overridden, needs the form's ``override_reason``. The
    projects that would block are kept in ``blocking``. ``services.change_project_territory``
    checks both again when saving.

    ``user`` (set by the view or the admin): the territories offered are those of the
    regions they read, and the refusal does not name another region's project they may
    not read.
    """

    user = None

    def limit_territory_choices(self) -> None:
        territories = services.assignable_territories(self.instance)
        if self.user is not None:
            territories = scope_by_region(territories, self.user)
        self.fields["territory"].queryset = territories.order_by("name")
        self.blocking: list[CptsProject] = []

    def check_territory_overlap(self, data: dict) -> None:
        territory = data.get("territory")
        if territory is None or "territory" not in self.changed_data:
            return
        self.blocking = selectors.blocking_projects(self.instance, territory.communes.values("pk"))
        if self.blocking and not data.get("override_reason", "").strip():
            self.add_error(
                "territory",
                services.overlap_refusal(self.blocking, self.user, territory.region_id),
            )


class ProjectForm(ProjectTerritoryMixin, PortalModelForm):
    """ARS: a project's name, territory and coordinators, and overlap overrides."""

    coordinators = CoordinatorChoiceField(
        label=_("Coordinateurs"),
        queryset=selectors.coordinators_visible_to(None),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Comptes du groupe « Coordinateur »."),
    )
    override_reason = forms.CharField(
        label=_("Motif de la dérogation au chevauchement"),
        required=False,
        widget=textarea(3),
        help_text=_(
            "À remplir seulement si le territoire partage des communes avec un autre projet "
            "actif : « Deux CPTS ne peuvent coexister sur un même territoire »."
        ),
    )

    class Meta:
        model = CptsProject
        fields = ["name", "territory", "coordinators"]
        help_texts = {
            "territory": _(
                "Un territoire déjà construit. Sinon, laissez vide : après l’enregistrement, "
                "vous construirez le territoire du projet commune par commune."
            )
        }

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.limit_territory_choices()
        self.fields["coordinators"].queryset = selectors.coordinators_visible_to(user).filter(
            is_active=True
        )

    def clean(self) -> dict:
        data = super().clean()
        self.check_territory_overlap(data)
        return data


class ProjectNameForm(PortalForm):
    """ARS: the name of a project created from an AMI answer (proposed by the portal)."""

    name = forms.CharField(
        label=_("Nom du projet"),
        max_length=CptsProject._meta.get_field("name").max_length,
        help_text=_(
            "Par exemple « CPTS du pays de Fougères ». Il apparaît partout sur le portail."
        ),
    )


class InvitationForm(PortalForm):
    """ARS: invite a coordinator of the project, or a partner agent, by email."""

    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=[
            (Role.COORDINATOR.value, _("Coordinateur de ce projet")),
            (Role.URPS.value, _("Agent des URPS")),
            (Role.ASSURANCE_MALADIE.value, _("Agent de l’Assurance Maladie")),
        ],
        initial=Role.COORDINATOR.value,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Format attendu : nom@domaine.fr. Elle sert aussi d’identifiant."),
    )
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)


class PasswordResetRequestForm(PortalForm):
    """Anyone: ask for a link to choose a new password (Django's ``PasswordResetView``)."""

    email = forms.EmailField(
        label=_("Adresse électronique de votre compte"),
        help_text=_("Format attendu : nom@domaine.fr"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def save(self, **kwargs) -> None:
        """Called by ``PasswordResetView``; its ``request`` and ``domain_override`` are
        ignored: the link is built on ``SITE_URL`` (``accounts.set_password_url``), never
        on the request's Host."""
        from . import accounts

        accounts.request_password_reset(self.cleaned_data["email"])


class PortalSetPasswordForm(SingleLineFieldsMixin, SetPasswordForm):
    """Choose a password from an invitation or reset link (Django's ``SetPasswordForm``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # One sentence in the label's hint (Django's is a list, not allowed in a <label>).
        self.fields["new_password1"].help_text = _(
            "12 caractères au moins, ni trop proches de votre nom ou de votre identifiant, "
            "ni un mot de passe courant, ni uniquement des chiffres."
        )


class LegalHolderForm(PortalModelForm):
    rna_number = forms.CharField(
        label=_("Numéro RNA"),
        max_length=20,
        help_text=_("Répertoire national des associations : W suivi de 9 chiffres."),
    )
    siret = forms.CharField(
        label=_("SIRET"), max_length=20, required=False, help_text=_("14 chiffres.")
    )

    class Meta:
        model = LegalHolder
        fields = ["name", "rna_number", "siret"]

    def clean_rna_number(self) -> str:
        return normalize_identifier(self.cleaned_data["rna_number"])

    def clean_siret(self) -> str:
        return normalize_identifier(self.cleaned_data["siret"])


class LetterForm(PortalModelForm):
    class Meta:
        model = LetterOfIntent
        fields = list(rules.LETTER_FIELDS)  # what the deposit needs, written once
        widgets = {name: textarea(6) for name in rules.LETTER_TEXT_FIELDS}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A draft may be saved incomplete; the deposit lists what is missing.
        for field in self.fields.values():
            field.required = False
        self.helper = draft_helper()


class TransitionForm(PortalForm):
    """The comment (reasons, when required) and the data a transition asks for."""

    comment = forms.CharField(label=_("Commentaire"), required=False, widget=textarea(4))
    fir_amount = forms.DecimalField(
        label=_("Montant du financement FIR (€)"), min_value=0, max_digits=12, decimal_places=2
    )
    fir_granted_on = forms.DateField(label=_("Date du financement FIR"), widget=DateInput)
    signed_on = forms.DateField(label=_("Date de signature du contrat ACI"), widget=DateInput)
    cpam_name = forms.CharField(
        label=_("Caisse d’assurance maladie signataire"),
        max_length=200,
        required=False,
        help_text=_("Par exemple « CPAM d’Ille-et-Vilaine »."),
    )

    DATA_FIELDS = ("fir_amount", "fir_granted_on", "signed_on", "cpam_name")

    def __init__(self, *args, rule: Transition, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.DATA_FIELDS:
            if name not in rule.data and name not in rule.optional:
                del self.fields[name]
        if rule.needs_comment:
            self.fields["comment"].required = True
            self.fields["comment"].label = (
                _("Motif de l’abandon")
                if rule.target == Stage.ABANDONED
                else _("Ce qui est à compléter")
            )

    def transition_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.DATA_FIELDS if name in self.fields}


class UrpsOpinionForm(PortalModelForm):
    class Meta:
        model = UrpsOpinion
        fields = [
            "objectives_verdict",
            "objectives_comment",
            "mobilisation_verdict",
            "mobilisation_comment",
            "territory_verdict",
            "territory_comment",
        ]
        widgets = {
            "objectives_verdict": forms.RadioSelect,
            "mobilisation_verdict": forms.RadioSelect,
            "territory_verdict": forms.RadioSelect,
            "objectives_comment": textarea(3),
            "mobilisation_comment": textarea(3),
            "territory_comment": textarea(3),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for code, _label in UrpsOpinion.CRITERIA:
            self.fields[f"{code}_verdict"].choices = Opinion.choices

    def criteria(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (label, self[f"{code}_verdict"], self[f"{code}_comment"])
            for code, label in UrpsOpinion.CRITERIA
        ]


class GuichetTransmitForm(PortalForm):
    comment = forms.CharField(
        label=_("Synthèse du Guichet CPTS"),
        required=False,
        widget=textarea(4),
        help_text=_("Facultative : jointe aux avis des URPS transmis à l’ARS."),
    )


class AmOpinionForm(PortalModelForm):
    class Meta:
        model = AssuranceMaladieOpinion
        fields = ["verdict", "comment"]
        widgets = {"verdict": forms.RadioSelect, "comment": textarea(4)}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["verdict"].choices = Opinion.choices


class HealthProjectForm(PortalModelForm):
    missions = forms.MultipleChoiceField(
        label=_("Missions retenues"),
        choices=MISSION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les missions socles sont attendues dans tout projet de santé."),
    )

    class Meta:
        model = HealthProject
        fields = ["diagnostic", "missions", "governance"]
        widgets = {"diagnostic": textarea(8), "governance": textarea(5)}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = draft_helper()


class ActionSheetForm(PortalModelForm):
    class Meta:
        model = ActionSheet
        fields = ["title", "mission", "referents", "partners", "tasks", "due_on", "indicators"]
        widgets = {
            "referents": textarea(2),
            "partners": textarea(2),
            "tasks": textarea(3),
            "indicators": textarea(2),
            "due_on": DateInput,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = inline_helper()


MAX_ACTION_SHEETS = 30


class BaseActionSheetFormSet(BaseInlineFormSet):
    """At most ``MAX_ACTION_SHEETS`` fiches-actions, posted or shown.

    A projet de santé saved before the cap may store more: building a form for each made
    the page time out. The form then edits the first ``MAX_ACTION_SHEETS`` (deleting some
    brings the next ones in) and ``hidden_count`` tells the page how many wait beyond.
    """

    default_error_messages = {
        "too_many_forms": _("Un projet de santé compte %(num)d fiches-actions au plus."),
    }

    def get_queryset(self) -> list[ActionSheet]:
        if not hasattr(self, "_queryset"):
            queryset = super().get_queryset()
            rows = list(queryset[: self.max_num + 1])
            self.stored_count = queryset.count() if len(rows) > self.max_num else len(rows)
            self._queryset = rows[: self.max_num]
        return self._queryset

    @property
    def hidden_count(self) -> int:
        shown = len(self.get_queryset())  # counts the stored rows on first use
        return self.stored_count - shown


ActionSheetFormSet = inlineformset_factory(
    HealthProject,
    ActionSheet,
    form=ActionSheetForm,
    formset=BaseActionSheetFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ACTION_SHEETS,
    # No more rows built than allowed: TOTAL_FORMS=1000000 is refused, not rendered.
    absolute_max=MAX_ACTION_SHEETS,
    validate_max=True,
)
ACTION_SHEETS_PREFIX = "actions"


class DocumentForm(PortalForm):
    kind = forms.ChoiceField(label=_("Type de document"))
    title = forms.CharField(label=_("Description"), max_length=200, required=False)
    file = forms.FileField(
        label=_("Fichier"),
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args, kinds: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
        self.fields["file"].help_text = _("PDF, ODT ou DOCX, %(limit)s au plus.") % {
            "limit": filesizeformat(upload_max_bytes())
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.file_type = validate_upload(upload)
        return upload


class MilestoneForm(PortalModelForm):
    class Meta:
        model = Milestone
        fields = ["due_on", "done_on"]
        widgets = {"due_on": DateInput, "done_on": DateInput}


class OverrideForm(PortalForm):
    reason = forms.CharField(label=_("Motif de la dérogation"), widget=textarea(4))


class DialogueForm(PortalModelForm):
    """A dialogue de gestion: the years it covers, date, participants, minutes, decisions,
    and the balance decided for its last year (blank: the computed one)."""

    balance = forms.DecimalField(
        label=_("Solde décidé (€)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "Solde de la dernière année couverte, si le dialogue en décide un autre que le "
            "solde calculé (parts fixes et part variable, moins l’avance). Vide : le solde "
            "calculé."
        ),
    )

    class Meta:
        model = ManagementDialogue
        fields = ["year", "first_year", "held_on", "participants", "summary", "decisions"]
        widgets = {
            "held_on": DateInput,
            "participants": textarea(3),
            "summary": textarea(5),
            "decisions": textarea(3),
        }

    def __init__(self, *args, term_years: int = rules.ACI_TERM_YEARS, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("year", "first_year"):
            self.fields[name].max_value = term_years
            self.fields[name].validators.append(MaxValueValidator(term_years))
        self.fields["year"].help_text = _(
            "De 1 à %(years)d ; pour un dialogue pluriannuel, sa dernière année."
        ) % {"years": term_years}


class ContractPartiesForm(PortalModelForm):
    """The three signatories of the contract, as named in the signed document."""

    class Meta:
        model = AciContract
        fields = ["cpts_name", "cpam_name", "ars_name"]


class AmendmentForm(PortalForm):
    """An avenant: its date, its object and the signed document (checked like any upload)."""

    signed_on = forms.DateField(label=_("Date de signature de l’avenant"), widget=DateInput)
    subject = forms.CharField(
        label=_("Objet de l’avenant"),
        max_length=300,
        help_text=_("Par exemple « ajout de la mission qualité et pertinence des soins »."),
    )
    file = forms.FileField(
        label=_("Avenant signé"), widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE})
    )
    missions = forms.MultipleChoiceField(
        label=_("Missions du contrat après l’avenant"),
        choices=MISSION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Une mission conservée garde ses délais, indicateurs et montants ; une mission "
            "ajoutée prend ceux des tables en vigueur à la date de l’avenant."
        ),
    )
    retake_amounts = forms.BooleanField(
        label=_("Appliquer les montants du barème en vigueur à la date de l’avenant"),
        required=False,
        help_text=_("Par exemple la revalorisation du fonctionnement par l’avenant 2."),
    )

    def __init__(self, *args, contract: AciContract, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract
        if not self.is_bound:
            self.initial.setdefault("missions", list(contract.missions))
        self.fields["file"].help_text = _("PDF, ODT ou DOCX, %(limit)s au plus.") % {
            "limit": filesizeformat(upload_max_bytes())
        }

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on < self.contract.signed_on:
            raise forms.ValidationError(
                _("Un avenant ne peut précéder la signature du contrat (%(date)s).")
                % {"date": self.contract.signed_on.strftime("%d/%m/%Y")}
            )
        return signed_on

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload)
        return upload


class TerritoryOverrideForm(PortalForm):
    """The reason of an ARS override, asked when the new territory overlaps another project."""

    override_reason = forms.CharField(
        label=_("Motif de la dérogation au chevauchement"),
        required=False,
        widget=textarea(3),
        help_text=_(
            "À remplir seulement si les communes choisies appartiennent déjà au territoire "
            "d’un autre projet actif : « Deux CPTS ne peuvent coexister sur un même "
            "territoire »."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = draft_helper()
