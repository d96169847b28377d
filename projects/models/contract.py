"""The tripartite ACI contract (CPTS, ARS, Assurance Maladie) and its follow-up.

The figures of the ACI (mission deadlines, funding scale) are data, entered and sourced in
the administration: ``MissionDeadline``, ``FundingScale`` and its ``FundingRate`` rows.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territories.rules import SIZE_TIERS

from .choices import Mission
from .documents import Document
from .pipeline import validate_missions
from .project import CptsProject


def default_ars_name() -> str:
    # A contract made outside the workflow (admin, import): the portal's operator. The
    # workflow names the project's region's ARS (territories.selectors.region_identity).
    return settings.PORTAL_OPERATOR


def default_term_years() -> int:
    from projects.rules import ACI_TERM_YEARS

    return ACI_TERM_YEARS


class SourceStatus(models.TextChoices):
    """How sure a figure of the ACI is: what staff read next to it until it is confirmed."""

    OFFICIAL = "officiel", _("texte officiel")
    SECONDARY = "secondaire", _("source institutionnelle (rapport, site d’ARS), à confirmer")
    PRESS = "presse", _("presse spécialisée, à confirmer")


def user_reference(verbose_name: str, **options) -> models.ForeignKey:
    """The account that did something; emptied, the row kept, when the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=verbose_name,
        **options,
    )


def contract_year(**options) -> models.PositiveSmallIntegerField:
    """The year of the contract a row is about: 1 to the term."""
    return models.PositiveSmallIntegerField(
        _("année du contrat"), validators=[MinValueValidator(1)], **options
    )


def source_status_field(**options) -> models.CharField:
    """How sure the figures of the row are (``SourceStatus``)."""
    return models.CharField(
        _("fiabilité de la source"), max_length=20, choices=SourceStatus.choices, **options
    )


class RecordedBy(models.Model):
    """Who recorded the row (kept when the account is deleted)."""

    recorded_by = user_reference(_("enregistré par"))

    class Meta:
        abstract = True


class Recorded(RecordedBy):
    """Who recorded the row, and when."""

    created_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        abstract = True


class AciContractQuerySet(models.QuerySet):
    def in_force(self, on: date) -> "AciContractQuerySet":
        """Each project's contract in force on ``on`` (``rules.contract_in_force``): not one
        whose next contract has started, nor a next contract not started yet."""
        return self.exclude(next_contract__signed_on__lte=on).exclude(
            previous__isnull=False, signed_on__gt=on
        )


class AciContract(Recorded):
    """The « Accord conventionnel interprofessionnel » contract: 5 years, annual dialogue.

    « Cette convention […] fait l’objet d’un dialogue de gestion annuel ou pluriannuel et
    peut être modifiée par avenant. » Avenants are uploaded as documents of kind « avenant ».
    """

    class Outcome(models.TextChoices):
        RENEWED = "renouvele", _("Renouvelé pour 5 ans")
        ENDED = "termine", _("Terminé à son échéance")

    # A renewal signs the next contract (``previous``); the earlier ones stay as history,
    # the current one is ``CptsProject.contract``.
    project = models.ForeignKey(CptsProject, on_delete=models.CASCADE, related_name="contracts")
    is_current = models.BooleanField(_("contrat en cours"), default=True, editable=False)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_contract",
        verbose_name=_("contrat précédent"),
        editable=False,
    )
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
        _("missions contractualisées"),
        default=list,
        blank=True,
        validators=[validate_missions],
        help_text=_("Celles des conditions en vigueur : un avenant les change."),
    )
    term_years = models.PositiveSmallIntegerField(
        _("durée (années)"), default=default_term_years, editable=False
    )
    outcome = models.CharField(
        _("issue du contrat"), max_length=20, choices=Outcome.choices, blank=True
    )
    outcome_on = models.DateField(_("issue décidée le"), null=True, blank=True)

    objects = AciContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contrat ACI")
        verbose_name_plural = _("contrats ACI")
        ordering = ["project", "signed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(is_current=True),
                name="one_current_contract_per_project",
            )
        ]

    def __str__(self) -> str:
        return str(_("Contrat ACI — %(project)s") % {"project": self.project})

    @property
    def ends_on(self) -> date:
        from projects.rules import contract_end

        return contract_end(self.signed_on, self.term_years)

    def page_url(self, name: str = "contract", **kwargs) -> str:
        """The URL of this contract's page ``name`` (its report: ``contract_report``...):
        the project's short URL for a project's only contract, else one naming the
        contract, so that a renewed contract's pages stay reachable."""
        if self.is_current and self.previous_id is None:
            return reverse(f"projects:{name}", kwargs={"pk": self.project_id, **kwargs})
        return reverse(
            f"projects:{name}_of", kwargs={"pk": self.project_id, "contract_pk": self.pk, **kwargs}
        )

    def report_url(self, year: int) -> str:
        return self.page_url("contract_report", year=year)

    def report_pdf_url(self, year: int) -> str:
        return self.page_url("contract_report_pdf", year=year)

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
        """(contract year, last day) of each year of the contract (``rules.contract_years``)."""
        from projects.rules import contract_years

        return [
            (year.number, year.ends_on) for year in contract_years(self.signed_on, self.term_years)
        ]


class ManagementDialogue(RecordedBy):
    """One dialogue de gestion of the contract, annual (``year``) or pluriannual
    (``first_year`` to ``year``), with what it settled: the values of the covered years'
    validated reports (``validated_values``) and the balance decided per covered year
    (``decided_balances``), which replaces the computed one in the payment schedule.

    ``validated_values``: one entry per covered year, ``{"year", "status", "results",
    "variable"}`` — the report's status after the dialogue ("" without a report), and for a
    validated report its entries and the variable part earned (amounts as strings).
    ``decided_balances``: ``{"<year>": "<amount>"}`` for the covered years whose report is
    validated.
    """

    contract = models.ForeignKey(AciContract, on_delete=models.CASCADE, related_name="dialogues")
    year = contract_year(
        help_text=_("1 à 5 ; un dialogue pluriannuel est enregistré sur sa dernière année."),
    )
    first_year = models.PositiveSmallIntegerField(
        _("première année couverte"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Dialogue pluriannuel seulement ; vide : dialogue annuel."),
    )
    held_on = models.DateField(_("tenu le"))
    participants = models.TextField(
        _("participants"), blank=True, help_text=_("Une personne par ligne, avec sa structure.")
    )
    summary = models.TextField(
        _("compte rendu"), help_text=_("Indicateurs examinés, valeurs validées, échanges.")
    )
    decisions = models.TextField(
        _("décisions"),
        blank=True,
        help_text=_("Ajustements des objectifs, missions à revoir, versement décidé."),
    )
    validated_values = models.JSONField(_("valeurs validées"), default=list, blank=True)
    decided_balances = models.JSONField(_("soldes décidés (€)"), default=dict, blank=True)

    class Meta:
        verbose_name = _("dialogue de gestion")
        verbose_name_plural = _("dialogues de gestion")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return str(_("Dialogue de gestion du %(date)s") % {"date": f"{self.held_on:%d/%m/%Y}"})

    @property
    def covered_years(self) -> range:
        return range(self.first_year or self.year, self.year + 1)

    def clean(self) -> None:
        if self.first_year is not None and self.year is not None and self.first_year > self.year:
            raise ValidationError(
                {"first_year": _("La première année couverte ne peut suivre la dernière.")}
            )


class Amendment(Recorded):
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
    source_status = source_status_field(default=SourceStatus.OFFICIAL)
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
        help_text=_(
            "Texte de référence des montants, en clair : l’ACI et l’avenant en vigueur. "
            "Lu par les coordinateurs."
        ),
    )
    source_status = source_status_field(
        default=SourceStatus.OFFICIAL,
        help_text=_("Hors texte officiel, les agents lisent « à confirmer » près des montants."),
    )
    valid_from = models.DateField(_("en vigueur à partir du"))
    valid_until = models.DateField(
        _("en vigueur jusqu’au"), null=True, blank=True, help_text=_("Vide : toujours en vigueur.")
    )
    # Avenant 2: « un plan de gestion de crise sanitaire » to deliver; the delay is data
    # (copied into the terms at the signature), blank for a version that requires none.
    crisis_plan_within_months = models.PositiveSmallIntegerField(
        _("plan de gestion de crise sanitaire à remettre (mois après la signature)"),
        null=True,
        blank=True,
        help_text=_("Vide : cette version n’exige pas de plan de crise."),
    )
    crisis_plan_source = models.TextField(_("source du délai du plan de crise"), blank=True)
    crisis_plan_source_status = source_status_field(blank=True)
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
    # Not annual parts of the contract: the envelope paid from the validation of the lettre
    # d'intention (avenant 2) and the annual maximum of the whole contract.
    LETTER_ENVELOPE = "enveloppe_lettre"
    ANNUAL_MAXIMUM = "plafond_annuel"
    ITEM_CHOICES = [
        (FUNCTIONING, _("Fonctionnement de la CPTS")),
        *Mission.choices,
        (LETTER_ENVELOPE, _("Enveloppe dès la validation de la lettre d’intention")),
        (ANNUAL_MAXIMUM, _("Plafond annuel du contrat (soins non programmés compris)")),
    ]

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
    source_status = source_status_field(
        blank=True, help_text=_("Vide : celle de la version du barème.")
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

    @property
    def source_reliability(self) -> str:
        if self.source_status or self.scale_id is None:
            return self.source_status
        return self.scale.source_status


class MissionIndicator(models.Model):
    """An indicator of a mission, with the target a contract starts from (the ARS's table).

    The indicators and their targets are copied into a contract when it is signed
    (``ContractTerms``): editing this table never changes a signed contract.
    """

    mission = models.CharField(_("mission"), max_length=40, choices=Mission.choices)
    name = models.CharField(_("indicateur"), max_length=200)
    unit = models.CharField(_("unité"), max_length=60, blank=True)
    target = models.DecimalField(
        _("objectif par défaut"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Vide : fixé contrat par contrat."),
    )
    source = models.TextField(_("source"))
    source_status = source_status_field(default=SourceStatus.OFFICIAL)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("indicateur de mission ACI")
        verbose_name_plural = _("indicateurs des missions ACI")
        ordering = ["mission", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_mission_display()} — {self.name}"


class ContractTerms(Recorded):
    """One version of a contract's terms, frozen: copied at the signature, then at each
    avenant (a new version; the previous ones stay as history).

    ``terms`` holds the copy (``projects.rules.build_terms``): the size tier, the scale's
    name and source, the functioning amount, each mission with its deadlines, amounts and
    indicators with targets, the advance rate and the term. Nothing else is read to
    compute the contract's deadlines and payments.
    """

    contract = models.ForeignKey(AciContract, on_delete=models.CASCADE, related_name="terms")
    version = models.PositiveSmallIntegerField(_("version"))
    effective_on = models.DateField(_("en vigueur à partir du"))
    reason = models.CharField(_("motif"), max_length=300)
    amendment = models.OneToOneField(
        Amendment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terms",
        verbose_name=_("avenant"),
    )
    scale = models.ForeignKey(
        FundingScale,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version du barème"),
    )
    terms = models.JSONField(_("conditions"), default=dict)

    class Meta:
        verbose_name = _("conditions du contrat ACI")
        verbose_name_plural = _("conditions des contrats ACI")
        ordering = ["contract", "version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "version"], name="one_terms_version")
        ]

    def __str__(self) -> str:
        return str(
            _("Conditions n° %(version)d du %(date)s")
            % {"version": self.version, "date": f"{self.effective_on:%d/%m/%Y}"}
        )


class ContractPayment(Recorded):
    """A payment the Assurance Maladie made under the contract, for one contract year."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", _("Versement à la signature")
        ADVANCE = "avance", _("Avance à la date anniversaire")
        BALANCE = "solde", _("Solde après le rapport annuel")

    contract = models.ForeignKey(AciContract, on_delete=models.CASCADE, related_name="payments")
    year = contract_year()
    kind = models.CharField(_("versement"), max_length=20, choices=Kind.choices)
    paid_on = models.DateField(_("versé le"))
    amount = models.DecimalField(
        _("montant (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    reference = models.CharField(_("référence"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("versement ACI")
        verbose_name_plural = _("versements ACI")
        ordering = ["year", "paid_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.year} — {self.amount} €"


class AnnualReport(models.Model):
    """The coordinators' report of one contract year: each mission's indicators, the value
    reached against the contract's target, a comment; reviewed by the ARS or the AM.

    ``results``: one entry per indicator of the terms in force, copied when the report is
    started (``{"mission", "name", "unit", "target", "value"}``, amounts as strings).
    """

    class Status(models.TextChoices):
        DRAFT = "brouillon", _("En cours de saisie")
        SUBMITTED = "transmis", _("Transmis à l’ARS et à l’Assurance Maladie")
        TO_COMPLETE = "a_completer", _("À compléter")
        VALIDATED = "valide", _("Validé")

    contract = models.ForeignKey(AciContract, on_delete=models.CASCADE, related_name="reports")
    year = contract_year()
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    results = models.JSONField(_("indicateurs"), default=list, blank=True)
    comment = models.TextField(_("commentaire de la CPTS"), blank=True)
    submitted_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    submitted_by = user_reference(_("transmis par"), blank=True)
    reviewed_at = models.DateTimeField(_("examiné le"), null=True, blank=True)
    reviewed_by = user_reference(_("examiné par"), blank=True)
    review_comment = models.TextField(_("avis de l’ARS ou de l’Assurance Maladie"), blank=True)

    class Meta:
        verbose_name = _("rapport annuel ACI")
        verbose_name_plural = _("rapports annuels ACI")
        ordering = ["contract", "year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="one_report_per_year")
        ]

    def __str__(self) -> str:
        return str(_("Rapport annuel, année %(year)d") % {"year": self.year})
