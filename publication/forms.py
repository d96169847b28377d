"""The public commune search and the coordinator's consent to publication."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ami.forms import FrenchPhoneNumberField
from cpts_portal.forms import PortalForm
from territories.forms import CommuneField


class CommuneLookupForm(PortalForm):
    """« Trouver la CPTS de ma commune »: a GET form, the commune as typed."""

    commune = CommuneField(
        label=_("Votre commune"),
        help_text=_("Nom de la commune, code postal ou code INSEE."),
        error_messages={"required": _("Indiquez le nom ou le code postal de votre commune.")},
    )


class ConsentForm(PortalForm):
    """The contact the coordinator agrees to publish with the project."""

    contact_name = forms.CharField(
        label=_("Contact à publier : nom ou fonction"),
        help_text=_("Par exemple « Coordinatrice de la CPTS » ou un nom."),
        max_length=200,
    )
    contact_email = forms.EmailField(
        label=_("Adresse électronique à publier"),
        help_text=_("Format attendu : nom@domaine.fr. Facultatif."),
        required=False,
    )
    contact_phone = FrenchPhoneNumberField(
        label=_("Téléphone à publier"), help_text=_("Facultatif."), required=False
    )
    contact_website = forms.URLField(
        label=_("Site internet de la CPTS"),
        help_text=_("Format attendu : https://… Facultatif."),
        required=False,
        assume_scheme="https",
    )
    agreement = forms.BooleanField(
        label=_(
            "J’accepte, pour la CPTS, que son nom, son étape, son territoire et ce contact "
            "soient publiés sur le portail et dans les données ouvertes, après validation "
            "de l’ARS."
        ),
        error_messages={"required": _("Cochez la case pour donner votre accord.")},
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        no_contact = not (cleaned.get("contact_email") or cleaned.get("contact_phone"))
        if no_contact and "contact_email" not in self.errors:
            self.add_error(
                "contact_email", _("Indiquez au moins une adresse électronique ou un téléphone.")
            )
        return cleaned
