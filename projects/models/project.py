"""The CPTS project, its legal holder, its history, milestones and territory overrides."""

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpts_portal.history import STATE_MAX_LENGTH, Event
from projects.validators import normalize_identifier, validate_rna, validate_siret
from territories.models import Region, Territory

from .choices import PHASE_OF_STAGE, PIPELINE, PIPELINE_POSITION_OF, Phase, Stage


class CptsProject(models.Model):
    """A CPTS in the making, followed from the avant-projet to the signed ACI contract.

    ``stage`` and the key dates below are written only by ``projects.workflow.transition``.
    """

    Stage = Stage

    name = models.CharField(_("nom"), max_length=200)
    # True while the name is the one the portal proposed (project created from an AMI
    # answer): the project's page asks the ARS to give the name.
    name_suggested = models.BooleanField(_("nom proposé, à confirmer par l'ARS"), default=False)
    # The region whose ARS follows the project (its staff alone see it); its territory
    # may cross a border.
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="cpts_projects",
        verbose_name=_("région"),
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cpts_projects",
        verbose_name=_("territoire"),
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="cpts_projects",
        blank=True,
        verbose_name=_("coordinateurs"),
        help_text=_("Comptes du groupe « Coordinateur » qui suivent ce projet."),
    )
    submissions = models.ManyToManyField(
        "ami.Submission",
        related_name="cpts_projects",
        blank=True,
        verbose_name=_("réponses à l'AMI d'origine"),
    )
    stage = models.CharField(
        _("étape"), max_length=30, choices=Stage.choices, default=Stage.DRAFT, db_index=True
    )
    stage_changed_at = models.DateTimeField(_("étape modifiée le"), default=timezone.now)
    abandoned_from = models.CharField(
        _("abandonné à l'étape"), max_length=30, choices=Stage.choices, blank=True
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )

    # Key dates, set by the transitions.
    letter_deposited_on = models.DateField(
        _("lettre d'intention déposée le"), null=True, blank=True
    )
    letter_validated_on = models.DateField(
        _("lettre d'intention validée le"), null=True, blank=True
    )
    fir_amount = models.DecimalField(
        _("financement FIR (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fir_granted_on = models.DateField(_("financement FIR accordé le"), null=True, blank=True)
    health_project_deposited_on = models.DateField(
        _("projet de santé déposé le"), null=True, blank=True
    )
    health_project_validated_on = models.DateField(
        _("projet de santé validé le"), null=True, blank=True
    )
    running_since = models.DateField(_("en fonctionnement depuis le"), null=True, blank=True)
    abandoned_on = models.DateField(_("abandonné le"), null=True, blank=True)

    class Meta:
        verbose_name = _("projet de CPTS")
        verbose_name_plural = _("projets de CPTS")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.stage != Stage.ABANDONED

    @property
    def pipeline_stage(self) -> Stage:
        """The stage of the main line this project sits on (« à compléter » folded back)."""
        stage = Stage(self.abandoned_from or self.stage)
        return PIPELINE_POSITION_OF.get(stage, stage)

    @property
    def pipeline_index(self) -> int:
        """0-based position on ``PIPELINE``."""
        stage = self.pipeline_stage
        return PIPELINE.index(stage) if stage in PIPELINE else 0

    @property
    def phase(self) -> Phase:
        return PHASE_OF_STAGE[Stage(self.abandoned_from or self.stage)]

    @property
    def contract(self):
        """The ACI contract in force today (``AciContract``), ``None`` before the signature.

        A renewal signs the next contract, starting the day after the previous one's term:
        until then the previous one is still in force (its last report and balance are
        due). Read from a ``contracts`` prefetch when there is one, else one query."""
        from projects.rules import contract_in_force

        return contract_in_force(self.contracts.all(), timezone.localdate())


class LegalHolder(models.Model):
    """The association loi 1901 that carries the project (« porteur juridique »).

    Its statuts are a ``Document`` of kind « statuts », uploaded like the others.
    """

    project = models.OneToOneField(
        CptsProject, on_delete=models.CASCADE, related_name="legal_holder"
    )
    name = models.CharField(_("nom de l'association"), max_length=200)
    rna_number = models.CharField(
        _("numéro RNA"),
        max_length=10,
        validators=[validate_rna],
        help_text=_("Répertoire national des associations : W suivi de 9 chiffres."),
    )
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("14 chiffres, si l'association en a un."),
    )

    class Meta:
        verbose_name = _("association porteuse")
        verbose_name_plural = _("associations porteuses")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.rna_number = normalize_identifier(self.rna_number)
        self.siret = normalize_identifier(self.siret)
        super().save(*args, **kwargs)


class ProjectEvent(Event):
    """The project's history: stage changes, creation, opinions, documents, decisions.

    The columns are those of every history (``cpts_portal.history.Event``);
    ``from_state``/``to_state`` are stages.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Projet créé")
        STAGE_CHANGED = "stage_changed", _("Changement d'étape")
        EDITED = "edited", _("Projet modifié")
        DOCUMENT_ADDED = "document_added", _("Document déposé")
        OPINION = "opinion", _("Avis rendu")
        OVERLAP_OVERRIDE = "overlap_override", _("Dérogation de territoire")
        MILESTONE = "milestone", _("Jalon mis à jour")
        CONTRACT = "contract", _("Suivi du contrat ACI")

    subject_field = "project"

    project = models.ForeignKey(CptsProject, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    from_state = models.CharField(
        _("étape précédente"), max_length=STATE_MAX_LENGTH, choices=Stage.choices, blank=True
    )
    to_state = models.CharField(
        _("nouvelle étape"), max_length=STATE_MAX_LENGTH, choices=Stage.choices, blank=True
    )

    class Meta(Event.Meta):
        verbose_name = _("événement du projet")
        verbose_name_plural = _("historique du projet")


class TerritoryOverlapOverride(models.Model):
    """The ARS's explicit decision that two projects may share communes, with its reason.

    « Deux CPTS ne peuvent coexister sur un même territoire » (AMI ARS Bretagne, 2022):
    without such a decision, the later project cannot move forward (``projects.overlaps``).
    It covers the pair both ways.
    """

    project = models.ForeignKey(
        CptsProject, on_delete=models.CASCADE, related_name="overlap_overrides"
    )
    other_project = models.ForeignKey(
        CptsProject,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("projet voisin"),
    )
    reason = models.TextField(_("motif"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    at = models.DateTimeField(_("décidée le"), default=timezone.now)

    class Meta:
        verbose_name = _("dérogation de chevauchement")
        verbose_name_plural = _("dérogations de chevauchement")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "other_project"], name="one_override_per_project_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(project=models.F("other_project")),
                name="override_between_two_projects",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} / {self.other_project}"


class Milestone(models.Model):
    """One line of the project-holder memo's checklist, with its due and done dates."""

    project = models.ForeignKey(CptsProject, on_delete=models.CASCADE, related_name="milestones")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("jalon"), max_length=200)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    done_on = models.DateField(_("réalisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="one_milestone_per_code")
        ]

    def __str__(self) -> str:
        return self.label

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.done_on is None and self.due_on is not None and self.due_on < today

    @property
    def overdue(self) -> bool:
        return self.is_overdue()
