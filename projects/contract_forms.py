"""Forms of the contract's life: payments, annual reports and their review, renewal."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cpts_portal.forms import PortalForm
from cpts_portal.uploads import ACCEPT_ATTRIBUTE, upload_max_bytes, validate_upload

from .forms import DateInput, textarea
from .models import AciContract, AnnualReport, ContractDeliverable, ContractPayment, Mission


class PaymentForm(PortalForm):
    """A payment made by the Assurance Maladie."""

    year = forms.IntegerField(label=_("Année du contrat"), min_value=1)
    kind = forms.ChoiceField(label=_("Versement"), choices=ContractPayment.Kind.choices)
    paid_on = forms.DateField(label=_("Versé le"), widget=DateInput)
    amount = forms.DecimalField(
        label=_("Montant versé (€)"), min_value=0, max_digits=12, decimal_places=2
    )
    reference = forms.CharField(label=_("Référence du virement"), max_length=100, required=False)

    def __init__(self, *args, contract: AciContract, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.fields["year"].validators.append(MaxValueValidator(contract.term_years))
        self.fields["year"].help_text = _("De 1 à %(years)d.") % {"years": contract.term_years}

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on < self.contract.signed_on:
            raise forms.ValidationError(
                _("Un versement ne peut précéder la signature du contrat (%(date)s).")
                % {"date": self.contract.signed_on.strftime("%d/%m/%Y")}
            )
        return paid_on


class ReportForm(PortalForm):
    """The values reached, one field per indicator of the report (named ``value_<n>``), and
    the CPTS's comment. « Enregistrer » keeps a draft; « Transmettre » needs every value."""

    comment = forms.CharField(
        label=_("Commentaire de la CPTS"),
        widget=textarea(4),
        required=False,
        help_text=_("Actions menées, difficultés, pièces justificatives envoyées."),
    )

    def __init__(self, *args, report: AnnualReport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        if not self.is_bound:
            self.initial["comment"] = report.comment
        fields = {}
        for position, entry in enumerate(report.results):
            label = _("%(mission)s — %(indicator)s") % {
                "mission": Mission(entry["mission"]).label,
                "indicator": entry["name"],
            }
            target = entry.get("target")
            help_text = (
                _("Objectif du contrat : %(target)s %(unit)s")
                % {"target": target, "unit": entry["unit"]}
                if target is not None
                else _("Objectif non fixé dans le contrat.")
            )
            fields[f"value_{position}"] = forms.DecimalField(
                label=label,
                required=False,
                max_digits=14,
                decimal_places=2,
                validators=[MinValueValidator(0)],
                help_text=help_text,
                initial=entry.get("value"),
            )
        self.fields = {**fields, "comment": self.fields["comment"]}

    def values(self) -> dict:
        """The values typed, by the entry's position (``None``: not given)."""
        return {
            position: self.cleaned_data.get(f"value_{position}")
            for position in range(len(self.report.results))
        }


class ReviewForm(PortalForm):
    """The ARS's or the Assurance Maladie's examination of a submitted report."""

    VALIDATE, SEND_BACK = "valider", "completer"
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[(VALIDATE, _("Valider le rapport")), (SEND_BACK, _("Demander des compléments"))],
        widget=forms.RadioSelect,
    )
    review_comment = forms.CharField(
        label=_("Avis"),
        widget=textarea(3),
        required=False,
        help_text=_("Obligatoire pour demander des compléments."),
    )

    def clean(self):
        cleaned = super().clean()
        comment = cleaned.get("review_comment", "").strip()
        if cleaned.get("decision") == self.SEND_BACK and not comment:
            self.add_error("review_comment", _("Indiquez ce qui est à compléter."))
        return cleaned


class RenewalForm(PortalForm):
    """The contract's outcome at its term: renewed for five years, or ended."""

    outcome = forms.ChoiceField(
        label=_("Issue du contrat"), choices=AciContract.Outcome.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(label=_("Décidée le"), widget=DateInput)


def checked_file_field(label: str) -> forms.FileField:
    """A file input limited to the accepted types, with the size cap in its help text."""
    return forms.FileField(
        label=label,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=_("PDF, ODT ou DOCX, %(limit)s au plus.")
        % {"limit": filesizeformat(upload_max_bytes())},
    )


class CheckedFileForm(PortalForm):
    """A form whose ``file`` is checked on its content (``validate_upload``): the error is
    shown next to the field."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload)
        return upload


class EvidenceForm(CheckedFileForm):
    """A pièce justificative of the annual report, for the report or one indicator."""

    position = forms.TypedChoiceField(
        label=_("Justifie"), coerce=int, empty_value=None, required=False
    )
    title = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, report: AnnualReport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"] = checked_file_field(_("Pièce justificative"))
        self.fields["position"].choices = [("", _("Le rapport dans son ensemble"))] + [
            (position, f"{Mission(entry['mission']).label} — {entry['name']}")
            for position, entry in enumerate(report.results)
        ]
        self.order_fields(["file", "position", "title"])


class MissionProgressForm(PortalForm):
    """When a contracted mission started and was fully deployed."""

    mission = forms.ChoiceField(label=_("Mission"))
    started_on = forms.DateField(label=_("Démarrée le"), widget=DateInput, required=False)
    deployed_on = forms.DateField(
        label=_("Déploiement complet le"), widget=DateInput, required=False
    )

    def __init__(self, *args, contract: AciContract, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mission"].choices = [
            (code, Mission(code).label) for code in Mission.values if code in contract.missions
        ]


class DeliverableForm(CheckedFileForm):
    """A deliverable the contract requires, uploaded by the coordinators."""

    code = forms.ChoiceField(label=_("Livrable"))

    def __init__(self, *args, codes: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [
            (code, ContractDeliverable.Code(code).label) for code in codes
        ]
        self.fields["file"] = checked_file_field(_("Document"))


class DeliverableReviewForm(PortalForm):
    """The ARS's examination of a deliverable."""

    deliverable = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("État"),
        choices=[
            (ContractDeliverable.Status.RECEIVED, ContractDeliverable.Status.RECEIVED.label),
            (ContractDeliverable.Status.VALIDATED, ContractDeliverable.Status.VALIDATED.label),
        ],
        widget=forms.RadioSelect,
    )
