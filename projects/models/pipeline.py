"""The pipeline's documents as structured content: lettre d'intention, avis, projet de santé."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpts_portal.choices import Opinion

from .choices import Mission
from .project import CptsProject


def validate_missions(value: list) -> None:
    unknown = set(value) - set(Mission.values)
    if unknown:
        raise ValidationError(_("Mission inconnue : %(codes)s"), params={"codes": sorted(unknown)})


class LetterOfIntent(models.Model):
    """The lettre d'intention (« préprojet »), with the contents the URPS guide requires.

    « La lettre d’intention doit cependant obligatoirement comporter les éléments suivants :
    le territoire d’action ; les besoins identifiés […] à partir d’éléments de diagnostic
    territorial ; les engagements / la mobilisation des professionnels de santé ; la
    description succincte du projet, en adéquation avec les missions des CPTS définies dans
    les ACI, ainsi qu’avec les axes prioritaires du PRS ; les objectifs et actions envisagées
    […], ainsi que les moyens proposés. » The signed letter and the CERFA n° 12156 subsidy
    request are uploaded as documents.
    """

    project = models.OneToOneField(CptsProject, on_delete=models.CASCADE, related_name="letter")
    action_territory = models.TextField(
        _("territoire d'action"),
        blank=True,
        help_text=_("Communes ou bassin de vie couverts, et pourquoi ce périmètre."),
    )
    identified_needs = models.TextField(
        _("besoins identifiés"),
        blank=True,
        help_text=_("Besoins du territoire à partir des premiers éléments de diagnostic."),
    )
    mobilisation = models.TextField(
        _("engagement et mobilisation des professionnels"),
        blank=True,
        help_text=_(
            "Acteurs et partenaires déjà associés, ceux qu'il est envisagé d'associer, "
            "professions représentées."
        ),
    )
    project_description = models.TextField(
        _("description du projet"),
        blank=True,
        help_text=_(
            "En adéquation avec les missions des CPTS définies dans l'ACI et les axes "
            "prioritaires du Projet régional de santé (PRS)."
        ),
    )
    objectives = models.TextField(_("objectifs"), blank=True)
    planned_actions = models.TextField(_("actions envisagées"), blank=True)
    means = models.TextField(_("moyens proposés"), blank=True)
    commits_to_core_missions = models.BooleanField(
        _(
            "Les porteurs s'engagent à initier un travail sur les missions socles de l'ACI et "
            "à les prendre en compte dans le projet de santé"
        ),
        default=False,
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("lettre d'intention")
        verbose_name_plural = _("lettres d'intention")

    def __str__(self) -> str:
        return str(_("Lettre d'intention — %(project)s") % {"project": self.project})


class GuichetReview(models.Model):
    """The Guichet CPTS's examination of one deposit of a lettre d'intention, in a region
    that uses it (``RegionIdentity.uses_guichet``): « le Guichet CPTS (constitué de
    l'ensemble des URPS) […] la transmet, accompagnée des avis des dix URPS, à l'ARS »
    (URPS Occitanie guide, 2021). One avis per URPS of the region (``UrpsOpinion`` rows with
    their ``institution``), then the consolidated avis sent to the ARS (``transmitted_at``).
    """

    project = models.ForeignKey(
        CptsProject, on_delete=models.CASCADE, related_name="guichet_reviews"
    )
    opened_at = models.DateTimeField(_("lettre déposée le"))
    transmitted_at = models.DateTimeField(_("avis consolidé transmis le"), null=True, blank=True)
    transmitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transmis par"),
    )
    comment = models.TextField(_("synthèse du Guichet CPTS"), blank=True)

    class Meta:
        verbose_name = _("examen par le Guichet CPTS")
        verbose_name_plural = _("examens par le Guichet CPTS")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            # One examination per deposit, even when two URPS answer at the same moment.
            models.UniqueConstraint(
                fields=["project", "opened_at"], name="one_guichet_review_per_deposit"
            )
        ]

    def __str__(self) -> str:
        return str(_("Guichet CPTS — %(project)s") % {"project": self.project})


class UrpsOpinion(models.Model):
    """The Guichet CPTS (URPS) avis on a deposited lettre d'intention, on its 3 criteria.

    In a region without the Guichet, one avis for all the URPS (``institution`` empty);
    in a region with it, one per URPS of the region and examination (``review``): a URPS
    that answers again before the consolidated avis is sent replaces its avis.
    """

    CRITERIA = (
        (
            "objectives",
            _("Conformité des objectifs de la CPTS avec les missions définies par l'ACI"),
        ),
        ("mobilisation", _("Mobilisation des acteurs de santé")),
        ("territory", _("Identification du territoire")),
    )

    project = models.ForeignKey(CptsProject, on_delete=models.CASCADE, related_name="urps_opinions")
    objectives_verdict = models.CharField(CRITERIA[0][1], max_length=12, choices=Opinion.choices)
    objectives_comment = models.TextField(_("commentaire"), blank=True)
    mobilisation_verdict = models.CharField(CRITERIA[1][1], max_length=12, choices=Opinion.choices)
    mobilisation_comment = models.TextField(_("commentaire"), blank=True)
    territory_verdict = models.CharField(CRITERIA[2][1], max_length=12, choices=Opinion.choices)
    territory_comment = models.TextField(_("commentaire"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    created_at = models.DateTimeField(_("rendu le"), default=timezone.now)
    institution = models.ForeignKey(
        "territories.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("URPS"),
    )
    review = models.ForeignKey(
        GuichetReview,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("examen par le Guichet CPTS"),
    )

    class Meta:
        verbose_name = _("avis URPS (Guichet CPTS)")
        verbose_name_plural = _("avis URPS (Guichet CPTS)")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "institution"],
                condition=models.Q(review__isnull=False),
                name="one_opinion_per_urps_per_review",
            )
        ]

    def __str__(self) -> str:
        return str(_("Avis URPS du %(date)s") % {"date": f"{self.created_at:%d/%m/%Y}"})

    def criteria(self) -> list[tuple[str, str, str]]:
        """(criterion, verdict label, comment) for the three criteria, in the source's order."""
        return [
            (
                label,
                Opinion(getattr(self, f"{code}_verdict")).label,
                getattr(self, f"{code}_comment"),
            )
            for code, label in self.CRITERIA
        ]


class AssuranceMaladieOpinion(models.Model):
    """The Assurance Maladie avis on a deposited projet de santé, before the ARS decides."""

    project = models.ForeignKey(CptsProject, on_delete=models.CASCADE, related_name="am_opinions")
    verdict = models.CharField(_("avis"), max_length=12, choices=Opinion.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    created_at = models.DateTimeField(_("rendu le"), default=timezone.now)

    class Meta:
        verbose_name = _("avis de l'Assurance Maladie")
        verbose_name_plural = _("avis de l'Assurance Maladie")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} — {self.created_at:%d/%m/%Y}"


class HealthProject(models.Model):
    """The projet de santé: diagnostic, missions, fiches-actions and governance."""

    project = models.OneToOneField(
        CptsProject, on_delete=models.CASCADE, related_name="health_project"
    )
    diagnostic = models.TextField(
        _("diagnostic territorial"),
        blank=True,
        help_text=_(
            "Problématiques de santé de la population et ressources disponibles (CLS, PRS, "
            "données de l'ARS et de l'Assurance Maladie…)."
        ),
    )
    missions = models.JSONField(
        _("missions retenues"), default=list, blank=True, validators=[validate_missions]
    )
    governance = models.TextField(
        _("gouvernance"),
        blank=True,
        help_text=_("Statut juridique, instances, place des partenaires."),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("projet de santé")
        verbose_name_plural = _("projets de santé")

    def __str__(self) -> str:
        return str(_("Projet de santé — %(project)s") % {"project": self.project})

    def mission_labels(self) -> list[str]:
        return [Mission(code).label for code in Mission.values if code in self.missions]


class ActionSheet(models.Model):
    """A fiche-action: « référents, partenaires, tâches, échéances, suivi » (ARS, 6 étapes)."""

    health_project = models.ForeignKey(
        HealthProject, on_delete=models.CASCADE, related_name="action_sheets"
    )
    title = models.CharField(_("intitulé de l'action"), max_length=200)
    mission = models.CharField(_("mission"), max_length=40, choices=Mission.choices)
    referents = models.TextField(_("référents"))
    partners = models.TextField(_("partenaires"), blank=True)
    tasks = models.TextField(_("tâches"))
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    indicators = models.TextField(_("indicateurs de suivi"))

    class Meta:
        verbose_name = _("fiche-action")
        verbose_name_plural = _("fiches-actions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title
