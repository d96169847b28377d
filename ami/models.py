"""AMI campaigns and the answers to their "fiche de renseignements"."""

import secrets
import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from territories.models import Commune, Territory


class Campaign(models.Model):
    """One edition of the call for expressions of interest (e.g. ARS Bretagne, April 2022)."""

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=80, unique=True)
    edition = models.CharField(
        _("édition"), max_length=60, help_text=_("Par exemple « Avril 2022 ».")
    )
    region = models.CharField(_("région"), max_length=100)
    opens_on = models.DateField(_("ouverture le"))
    closes_on = models.DateField(
        _("clôture le"),
        null=True,
        blank=True,
        help_text=_("Dernier jour où les réponses sont acceptées. Vide : pas de date limite."),
    )
    summary = models.TextField(
        _("présentation courte"), help_text=_("Affichée sur la page d'accueil.")
    )
    intro = models.TextField(
        _("texte de l'appel"),
        help_text=_(
            "Contexte, principes et objet de l'AMI. Paragraphes séparés par une ligne vide."
        ),
    )
    contact_email = models.EmailField(
        _("adresse de l'ARS"), help_text=_("Reçoit une notification pour chaque réponse.")
    )
    contact_details = models.TextField(_("contact pour tout renseignement"), blank=True)

    class Meta:
        verbose_name = _("campagne AMI")
        verbose_name_plural = _("campagnes AMI")
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__isnull=True)
                | models.Q(closes_on__gte=models.F("opens_on")),
                name="campaign_closes_after_opening",
                violation_error_message=_("La clôture ne peut précéder l'ouverture."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.edition}"

    def get_absolute_url(self) -> str:
        return reverse("ami:answer", kwargs={"slug": self.slug})

    def has_opened(self, today: date | None = None) -> bool:
        return self.opens_on <= (today or timezone.localdate())

    def has_closed(self, today: date | None = None) -> bool:
        return self.closes_on is not None and self.closes_on < (today or timezone.localdate())

    def is_open(self, today: date | None = None) -> bool:
        """Answers are accepted from the opening day to the closing day, both included."""
        today = today or timezone.localdate()
        return self.has_opened(today) and not self.has_closed(today)


def open_campaigns(today: date | None = None) -> models.QuerySet[Campaign]:
    today = today or timezone.localdate()
    return Campaign.objects.filter(opens_on__lte=today).filter(
        models.Q(closes_on__isnull=True) | models.Q(closes_on__gte=today)
    )


def new_access_token() -> str:
    """256 random bits, URL-safe: the professional's private link."""
    return secrets.token_urlsafe(32)


# Long enough for a real context, short enough to read: the form says so.
CONTEXT_MAX_LENGTH = 5000
TERRITORY_MAX_LENGTH = 2000


class Objective(models.TextChoices):
    """The three checkboxes of the fiche de renseignements, with the source's exact labels."""

    INFORMATION = "information", _("Besoin d’informations sur ce qu’est une CPTS")
    REFLECTION = "reflection", _("Réflexion en cours autour d’un projet de CPTS")
    INITIATIVE = "initiative", _("Initiative engagée pour monter un projet de CPTS")


class Submission(models.Model):
    """An answer to a campaign's fiche de renseignements.

    ``status`` is written only by ``ami.workflow.transition``.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Reçue")
        IN_REVIEW = "in_review", _("En cours d'analyse")
        EXCHANGE_PLANNED = "exchange_planned", _("Échange planifié")
        ORIENTED = "oriented", _("Orientée")
        CLOSED = "closed", _("Close")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("campagne")
    )
    wants_information = models.BooleanField(Objective.INFORMATION.label, default=False)
    has_reflection = models.BooleanField(Objective.REFLECTION.label, default=False)
    has_initiative = models.BooleanField(Objective.INITIATIVE.label, default=False)
    context = models.TextField(_("contexte"), max_length=CONTEXT_MAX_LENGTH)
    territory_text = models.TextField(
        _("territoire de projet envisagé"), max_length=TERRITORY_MAX_LENGTH, blank=True
    )
    territory = models.OneToOneField(
        Territory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submission",
        verbose_name=_("communes du territoire envisagé"),
    )
    meeting_wished_by = models.DateField(_("échange souhaité avant le"), null=True, blank=True)
    meeting_wish = models.CharField(_("précisions sur le calendrier"), max_length=300, blank=True)

    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_submissions",
        verbose_name=_("agent en charge"),
    )
    submitted_at = models.DateTimeField(_("reçue le"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    status_changed_at = models.DateTimeField(_("statut modifié le"), default=timezone.now)
    consent_at = models.DateTimeField(_("consentement donné le"))

    access_token = models.CharField(
        max_length=64, unique=True, default=new_access_token, editable=False
    )
    # Random value carried by the form: a double click or a resent POST finds the first answer.
    form_token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("réponse à l'AMI")
        verbose_name_plural = _("réponses à l'AMI")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.reference} — {self.campaign.edition}"

    @property
    def reference(self) -> str:
        return f"AMI-{self.pk:05d}" if self.pk else "AMI-?"

    def get_private_url(self) -> str:
        return reverse("ami:follow", kwargs={"token": self.access_token})

    @property
    def objectives(self) -> list[str]:
        """Labels of the objectives ticked, in the source's order."""
        ticked = {
            Objective.INFORMATION: self.wants_information,
            Objective.REFLECTION: self.has_reflection,
            Objective.INITIATIVE: self.has_initiative,
        }
        return [objective.label for objective, is_ticked in ticked.items() if is_ticked]

    def is_editable_by_professional(self) -> bool:
        """The référent may correct the answer until staff take it into analysis."""
        return self.status == self.Status.RECEIVED


class Profession(models.TextChoices):
    """Health, medico-social and social professions that may join a CPTS (URPS guide 2021)."""

    GENERAL_PRACTITIONER = "medecin_generaliste", _("Médecin généraliste")
    SPECIALIST = "medecin_specialiste", _("Médecin spécialiste")
    MIDWIFE = "sage_femme", _("Sage-femme")
    DENTIST = "chirurgien_dentiste", _("Chirurgien-dentiste")
    NURSE = "infirmier", _("Infirmier ou infirmière")
    PHYSIOTHERAPIST = "masseur_kinesitherapeute", _("Masseur-kinésithérapeute")
    PODIATRIST = "pedicure_podologue", _("Pédicure-podologue")
    OCCUPATIONAL_THERAPIST = "ergotherapeute", _("Ergothérapeute")
    PSYCHOMOTOR_THERAPIST = "psychomotricien", _("Psychomotricien ou psychomotricienne")
    SPEECH_THERAPIST = "orthophoniste", _("Orthophoniste")
    ORTHOPTIST = "orthoptiste", _("Orthoptiste")
    RADIOGRAPHER = "manipulateur_electroradiologie", _("Manipulateur d’électroradiologie médicale")
    LAB_TECHNICIAN = "technicien_laboratoire", _("Technicien de laboratoire médical")
    HEARING_AID = "audioprothesiste", _("Audioprothésiste")
    OPTICIAN = "opticien_lunetier", _("Opticien-lunetier")
    PROSTHETIST = "prothesiste_orthesiste", _("Prothésiste et orthésiste")
    DIETITIAN = "dieteticien", _("Diététicien ou diététicienne")
    CARE_ASSISTANT = "aide_soignant", _("Aide-soignant ou aide-soignante")
    CHILDCARE_ASSISTANT = "auxiliaire_puericulture", _("Auxiliaire de puériculture")
    AMBULANCE = "ambulancier", _("Ambulancier ou ambulancière")
    PHARMACIST = "pharmacien", _("Pharmacien ou pharmacienne")
    PHARMACY_TECHNICIAN = "preparateur_pharmacie", _("Préparateur ou préparatrice en pharmacie")
    HEALTH_FACILITY = "etablissement_sante", _("Établissement de santé")
    MEDICO_SOCIAL = "structure_medico_sociale", _("Structure médico-sociale")
    SOCIAL = "structure_sociale", _("Structure sociale")
    OTHER = "autre", _("Autre (à préciser)")


class PracticeSetting(models.TextChoices):
    MSP = "msp", _("Maison de santé pluriprofessionnelle (MSP)")
    ESP = "esp", _("Équipe de soins primaires (ESP)")
    HEALTH_CENTRE = "centre_sante", _("Centre de santé")
    GROUP_PRACTICE = "cabinet_groupe", _("Cabinet de groupe")
    SOLO_PRACTICE = "exercice_isole", _("Exercice isolé")
    FACILITY = "etablissement", _("Établissement")
    OTHER = "autre", _("Autre")


class Actor(models.Model):
    """A professional or a structure interested in the AMI."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="actors")
    name = models.CharField(_("nom"), max_length=200)
    profession = models.CharField(_("profession"), max_length=40, choices=Profession.choices)
    profession_other = models.CharField(_("autre profession"), max_length=120, blank=True)
    practice_place = models.CharField(_("lieu d'exercice (commune)"), max_length=200)
    # The reference commune when the place typed was recognised; the text stays as typed.
    practice_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ami_actors",
        verbose_name=_("commune d'exercice"),
    )
    practice_setting = models.CharField(
        _("mode d'exercice"), max_length=20, choices=PracticeSetting.choices
    )
    structure_name = models.CharField(_("nom de la structure"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("acteur intéressé")
        verbose_name_plural = _("acteurs intéressés")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.profession_label})"

    @property
    def profession_label(self) -> str:
        if self.profession == Profession.OTHER and self.profession_other:
            return self.profession_other
        return self.get_profession_display()


class Referent(models.Model):
    """A contact person for the answer: receives the acknowledgement and the private link."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="referents")
    name = models.CharField(_("nom"), max_length=200)
    function = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    phone = PhoneNumberField(_("téléphone"), blank=True, region="FR")

    class Meta:
        verbose_name = _("référent")
        verbose_name_plural = _("référents")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class SubmissionEvent(models.Model):
    """The audit trail of a submission: status changes, edits, notes."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Réponse reçue")
        EDITED = "edited", _("Réponse modifiée par le référent")
        STATUS_CHANGED = "status_changed", _("Changement de statut")
        NOTE = "note", _("Note interne")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    from_status = models.CharField(
        _("statut précédent"), max_length=20, choices=Submission.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("nouveau statut"), max_length=20, choices=Submission.Status.choices, blank=True
    )
    comment = models.TextField(_("commentaire"), blank=True)
    changes = models.JSONField(_("champs modifiés"), default=list, blank=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("historique")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def author_label(self) -> str:
        if self.author_id:
            return self.author.get_full_name() or self.author.get_username()
        return str(_("Référent (lien privé)"))
