"""The tripartite ACI contract (CPTS, ARS, Assurance Maladie) and its follow-up."""

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territories.rules import SIZE_TIERS

from .choices import Mission
from .pipeline import validate_missions
from .project import CptsProject

# « Une convention tripartite doit être signée entre la CPTS, l’Assurance maladie et l’ARS
# pour une durée de 5 ans » (Fédération Addiction, fiche CPTS).
ACI_TERM_YEARS = 5


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


def contract_end(signed_on: date, years: int = ACI_TERM_YEARS) -> date:
    """Last day of a contract of ``years`` years from ``signed_on`` (included)."""
    return add_years(signed_on, years) - timedelta(days=1)


class AciContract(models.Model):
    """The « Accord conventionnel interprofessionnel » contract: 5 years, annual dialogue.

    « Cette convention […] fait l’objet d’un dialogue de gestion annuel ou pluriannuel et
    peut être modifiée par avenant. » Avenants are uploaded as documents of kind « avenant ».
    """

    project = models.OneToOneField(CptsProject, on_delete=models.CASCADE, related_name="contract")
    signed_on = models.DateField(_("signé le"))
    missions = models.JSONField(
        _("missions contractualisées"), default=list, blank=True, validators=[validate_missions]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    created_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("contrat ACI")
        verbose_name_plural = _("contrats ACI")

    def __str__(self) -> str:
        return str(_("Contrat ACI — %(project)s") % {"project": self.project})

    @property
    def term_years(self) -> int:
        return ACI_TERM_YEARS

    @property
    def ends_on(self) -> date:
        return contract_end(self.signed_on)

    def mission_labels(self) -> list[str]:
        return [Mission(code).label for code in Mission.values if code in self.missions]


class ManagementDialogue(models.Model):
    """One dialogue de gestion (annual review) of the contract."""

    contract = models.ForeignKey(AciContract, on_delete=models.CASCADE, related_name="dialogues")
    year = models.PositiveSmallIntegerField(
        _("année du contrat"),
        validators=[MinValueValidator(1), MaxValueValidator(ACI_TERM_YEARS)],
        help_text=_("1 à 5."),
    )
    held_on = models.DateField(_("tenu le"))
    summary = models.TextField(
        _("compte rendu"), help_text=_("Indicateurs atteints, ajustements, missions à revoir.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )

    class Meta:
        verbose_name = _("dialogue de gestion")
        verbose_name_plural = _("dialogues de gestion")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return str(_("Dialogue de gestion du %(date)s") % {"date": f"{self.held_on:%d/%m/%Y}"})


class FundingRate(models.Model):
    """One line of the ACI funding table used by the simulation, entered by the ARS.

    The source documents say how the funding works — « la rémunération de la CPTS se calcule
    en fonction du nombre d’habitants […] une part du financement est fixe et versée
    annuellement et une autre part est variable » (Fédération Addiction) — but give no
    amounts. The amounts are therefore data, entered in the administration with their
    source (the ACI text and its avenants in force), never constants of the code.
    """

    FUNCTIONING = "fonctionnement"
    ITEM_CHOICES = [(FUNCTIONING, _("Fonctionnement de la CPTS")), *Mission.choices]

    tier = models.PositiveSmallIntegerField(
        _("taille"), choices=[(tier.number, tier.label) for tier in SIZE_TIERS]
    )
    item = models.CharField(_("poste"), max_length=40, choices=ITEM_CHOICES)
    fixed_amount = models.DecimalField(
        _("part fixe annuelle (€)"), max_digits=10, decimal_places=2, default=0
    )
    variable_amount = models.DecimalField(
        _("part variable annuelle maximale (€)"), max_digits=10, decimal_places=2, default=0
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Texte de référence du montant, par exemple l'ACI et l'avenant en vigueur."),
    )

    class Meta:
        verbose_name = _("barème ACI")
        verbose_name_plural = _("barème ACI (simulation du financement)")
        ordering = ["tier", "item"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "item"], name="one_funding_rate_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} — {self.get_item_display()}"
