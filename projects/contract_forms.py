"""Forms of the contract's life: payments, annual reports and their review, renewal."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from cpts_portal.forms import PortalForm

from .forms import DateInput, textarea
from .models import AciContract, AnnualReport, ContractPayment, Mission


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
