"""The tripartite ACI contract (CPTS, ARS, Assurance Maladie) and its follow-up.

The figures of the ACI (mission deadlines, funding scale) are data, entered and sourced in
the administration: ``MissionDeadline``, ``FundingScale`` and its ``FundingRate`` rows.
"""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territories.rules import SIZE_TIERS

from .choices import Mission
from .documents import Document
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


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier when negative).

    A day the target month lacks becomes that month's last day: 31 August 2023 + 6 months
    is 29 February 2024 (a leap year), 31 August 2022 + 6 months is 28 February 2023.
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def dialogue_due_on(signed_on: date, year: int) -> date:
    """The dialogue de gestion of contract year ``year`` (1 to 5) is due on its last day."""
    return contract_end(signed_on, years=year)


def default_ars_name() -> str:
    return settings.PORTAL_OPERATOR


class AciContract(models.Model):
    """The « Accord conventionnel interprofessionnel » contract: 5 years, annual dialogue.

    « Cette convention […] fait l’objet d’un dialogue de gestion annuel ou pluriannuel et
    peut être modifiée par avenant. » Avenants are uploaded as documents of kind « avenant ».
    """

    project = models.OneToOneField(CptsProject, on_delete=models.CASCADE, related_name="contract")
    signed_on = models.DateField(_("signé le"))
    # The three parties, as named in the signed contract.
    cpts_name = models.CharField(
        _("communauté professionnelle (CPTS)"),
        max_length=200,
        blank=True,
        help_text=_("La structure porteuse qui signe, en général l’association loi 1901."),
    )
    cpam_name = models.CharField(
        _("caisse d’assurance maladie"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple « CPAM d’Ille-et-Vilaine »."),
    )
    ars_name = models.CharField(
        _("agence régionale de santé"), max_length=200, blank=True, default=default_ars_name
    )
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

    def parties(self) -> list[tuple[str, str]]:
        """(role, name) of the three signatories; a name not recorded reads « — »."""
        return [
            (str(_("Communauté professionnelle territoriale de santé")), self.cpts_name or "—"),
            (str(_("Assurance Maladie")), self.cpam_name or "—"),
            (str(_("Agence régionale de santé")), self.ars_name or "—"),
        ]

    def dialogue_schedule(self) -> list[tuple[int, date]]:
        """(contract year, due date) of the five annual dialogues de gestion."""
        years = range(1, self.term_years + 1)
        return [(year, dialogue_due_on(self.signed_on, year)) for year in years]


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


class Amendment(models.Model):
    """An avenant to the contract: its date, its object and the signed document."""

    contract = models.ForeignKey(AciContract, on_delete=models.CASCADE, related_name="amendments")
    signed_on = models.DateField(_("signé le"))
    subject = models.CharField(
        _("objet"),
        max_length=300,
        help_text=_("Par exemple « ajout de la mission qualité et pertinence des soins »."),
    )
    document = models.OneToOneField(
        Document,
        on_delete=models.PROTECT,
        related_name="amendment",
        verbose_name=_("avenant signé"),
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
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        ordering = ["signed_on", "pk"]

    def __str__(self) -> str:
        return str(
            _("Avenant du %(date)s : %(subject)s")
            % {"date": f"{self.signed_on:%d/%m/%Y}", "subject": self.subject}
        )


class MissionDeadline(models.Model):
    """How long after the signature a contracted mission must start and be fully deployed.

    Data, not code: the ARS keeps these figures and their source in the administration.
    A blank delay means the ACI sets none (the optional missions are free).
    """

    mission = models.CharField(_("mission"), max_length=40, choices=Mission.choices, unique=True)
    start_within_months = models.PositiveSmallIntegerField(
        _("démarrage (mois après la signature)"),
        null=True,
        blank=True,
        help_text=_("Vide : pas de délai."),
    )
    deployed_within_months = models.PositiveSmallIntegerField(
        _("déploiement complet (mois après la signature)"),
        null=True,
        blank=True,
        help_text=_("Vide : pas de délai."),
    )
    source = models.TextField(_("source"), help_text=_("Texte de référence des délais."))
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("délai de mission ACI")
        verbose_name_plural = _("délais des missions ACI")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.get_mission_display())

    def clean(self) -> None:
        start, deployed = self.start_within_months, self.deployed_within_months
        if start is not None and deployed is not None and deployed < start:
            raise ValidationError(
                {
                    "deployed_within_months": _(
                        "Le déploiement complet ne peut précéder le démarrage."
                    )
                }
            )


class FundingScaleQuerySet(models.QuerySet):
    def in_force(self, on: date) -> "FundingScale | None":
        """The scale valid on ``on``: the latest started one that has not ended."""
        return (
            self.filter(valid_from__lte=on)
            .filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on))
            .order_by("-valid_from", "-pk")
            .first()
        )


class FundingScale(models.Model):
    """One version of the ACI funding scale (« barème »), with its source and validity.

    The amounts are the ``FundingRate`` rows of the version. A new ACI text or avenant is
    a new version with its own dates: the simulation uses the version in force.
    """

    name = models.CharField(_("intitulé"), max_length=200)
    source = models.TextField(
        _("source"),
        help_text=_("Texte de référence des montants : l’ACI et l’avenant en vigueur."),
    )
    valid_from = models.DateField(_("en vigueur à partir du"))
    valid_until = models.DateField(
        _("en vigueur jusqu’au"), null=True, blank=True, help_text=_("Vide : toujours en vigueur.")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = FundingScaleQuerySet.as_manager()

    class Meta:
        verbose_name = _("version du barème ACI")
        verbose_name_plural = _("versions du barème ACI")
        ordering = ["-valid_from", "-pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("La fin de validité précède son début.")})
        if self.valid_from is None:
            return
        others = FundingScale.objects.exclude(pk=self.pk).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=self.valid_from)
        )
        if self.valid_until is not None:
            others = others.filter(valid_from__lte=self.valid_until)
        if overlapping := others.first():
            raise ValidationError(
                _(
                    "Cette période recouvre celle de la version « %(other)s » : fixez la fin "
                    "de validité de l’une avant le début de l’autre."
                )
                % {"other": overlapping.name}
            )


class FundingRate(models.Model):
    """One line of a version of the ACI funding scale: a size tier and an item.

    The item is the functioning of the CPTS or one of its missions; each has a fixed part
    and a maximal variable part per year. Amounts are never constants of the code.
    """

    FUNCTIONING = "fonctionnement"
    ITEM_CHOICES = [(FUNCTIONING, _("Fonctionnement de la CPTS")), *Mission.choices]

    scale = models.ForeignKey(
        FundingScale, on_delete=models.CASCADE, related_name="rates", verbose_name=_("version")
    )
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
        blank=True,
        help_text=_("Vide : la source de la version du barème."),
    )

    class Meta:
        verbose_name = _("ligne du barème ACI")
        verbose_name_plural = _("barème ACI (simulation du financement)")
        ordering = ["scale", "tier", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "tier", "item"], name="one_funding_rate_per_scale_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} — {self.get_item_display()}"

    @property
    def source_text(self) -> str:
        return self.source or self.scale.source
