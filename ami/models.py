"""AMI campaigns and the answers to their "fiche de renseignements"."""

import secrets
import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

from cpts_portal.choices import Opinion  # a partner's opinion on an answer: a private note
from cpts_portal.history import STATE_MAX_LENGTH, Event
from cpts_portal.uploads import StoredFile
from territories.models import Commune, Region, Territory


class Campaign(models.Model):
    """One edition of the call for expressions of interest (e.g. ARS Bretagne, April 2022)."""

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=80, unique=True)
    edition = models.CharField(
        _("édition"), max_length=60, help_text=_("Par exemple « Avril 2022 ».")
    )
    # The region whose ARS runs the call: its staff alone see the answers.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("région")
    )
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


def link_expiry(now: datetime | None = None) -> datetime:
    """When a private link sent ``now`` stops working: ``settings.PRIVATE_LINK_DAYS`` later."""
    return (now or timezone.now()) + timedelta(days=settings.PRIVATE_LINK_DAYS)


# Long enough for a real context, short enough to read: the form says so.
CONTEXT_MAX_LENGTH = 5000
TERRITORY_MAX_LENGTH = 2000
# The version of the statistics kept between requests (ami/staff/stats.py,
# cpts_portal.fragments): bumped on any change of what they count (ami/apps.py).
STATISTICS_VERSION = "answer-statistics"


class Objective(models.TextChoices):
    """The three checkboxes of the fiche de renseignements, with the source's exact labels."""

    INFORMATION = "information", _("Besoin d’informations sur ce qu’est une CPTS")
    REFLECTION = "reflection", _("Réflexion en cours autour d’un projet de CPTS")
    INITIATIVE = "initiative", _("Initiative engagée pour monter un projet de CPTS")


class Orientation(models.TextChoices):
    """What the partners offer after the analysis (the AMI's two aims, plus putting in touch)."""

    INFORMATION = "information", _("Information seule")
    CONNECTION = "connection", _("Mise en relation avec d’autres acteurs du territoire")
    SUPPORT = "support", _("Accompagnement d’un projet de CPTS")


class ClosureReason(models.TextChoices):
    INFORMATION_GIVEN = "information_given", _("Information transmise, pas d’autre demande")
    JOINED_OTHER_PROJECT = "joined_other_project", _("Rattachée à un autre projet de CPTS")
    PROJECT_STARTED = "project_started", _("Projet de CPTS engagé")
    WITHDRAWN = "withdrawn", _("Les professionnels ne donnent pas suite")
    OUT_OF_SCOPE = "out_of_scope", _("Hors du champ de l’appel")
    DUPLICATE = "duplicate", _("Doublon d’une autre réponse")
    OTHER = "other", _("Autre motif")


class Submission(models.Model):
    """An answer to a campaign's fiche de renseignements.

    ``status`` is written only by ``ami.workflow.transition``; ``assignee``,
    ``orientation``, ``closure_reason`` and ``linked_submissions`` by ``ami.staff.services``.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Reçue")
        IN_REVIEW = "in_review", _("En cours d'analyse")
        EXCHANGE_PLANNED = "exchange_planned", _("Échange planifié")
        ORIENTED = "oriented", _("Orientée")
        # The ARS asked the référents to complete their answer: editable again until they
        # send it back (``ami.workflow``: « Demander une correction », « Renvoyer »).
        CORRECTION_REQUESTED = "correction_requested", _("Correction demandée")
        # With a context: Django's own French catalog translates a bare "Close" to "Fermer".
        CLOSED = "closed", pgettext_lazy("statut d’une réponse", "Close")

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
    orientation = models.CharField(
        _("orientation"), max_length=20, choices=Orientation.choices, blank=True
    )
    # Symmetrical: putting A in touch with B puts B in touch with A.
    linked_submissions = models.ManyToManyField(
        "self", blank=True, verbose_name=_("réponses mises en relation")
    )
    closure_reason = models.CharField(
        _("motif de clôture"), max_length=30, choices=ClosureReason.choices, blank=True
    )
    submitted_at = models.DateTimeField(_("reçue le"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    status_changed_at = models.DateTimeField(_("statut modifié le"), default=timezone.now)
    consent_at = models.DateTimeField(_("consentement donné le"))

    access_token = models.CharField(
        max_length=64, unique=True, default=new_access_token, editable=False
    )
    # Written only by ``ami.services.revoke_private_link`` (and the default): activity on
    # the link never extends it; the ARS sends a new link instead.
    access_expires_at = models.DateTimeField(
        _("lien de suivi valable jusqu’au"), default=link_expiry, editable=False
    )
    # Set by ``ami.privacy.anonymise_submission``: the personal data is gone for good.
    anonymised_at = models.DateTimeField(
        _("données personnelles anonymisées le"), null=True, blank=True, editable=False
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

    def private_link_has_expired(self, now: datetime | None = None) -> bool:
        return self.access_expires_at <= (now or timezone.now())

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
        """The référent may correct the answer until staff take it into analysis, and again
        when the ARS asks for a correction."""
        return self.status in (self.Status.RECEIVED, self.Status.CORRECTION_REQUESTED)

    @property
    def message_thread(self) -> models.QuerySet["SubmissionEvent"]:
        """Messages exchanged with the référents, oldest first (shown on the private link)."""
        return self.events.filter(kind=SubmissionEvent.Kind.MESSAGE).select_related("author")

    @property
    def current_exchange(self) -> "Exchange | None":
        """The exchange planned last and not cancelled, while the answer is in the "exchange
        planned" status."""
        if self.status != self.Status.EXCHANGE_PLANNED:
            return None
        return self.exchanges.filter(cancelled_at=None).order_by("-created_at", "-pk").first()


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


def draft_expiry(now: datetime | None = None) -> datetime:
    """When a draft's resume link sent ``now`` stops working: ``DRAFT_RETENTION_DAYS`` later."""
    return (now or timezone.now()) + timedelta(days=settings.DRAFT_RETENTION_DAYS)


class AnswerDraft(models.Model):
    """An answer being written: the form's fields as posted, kept on the server.

    Not a ``Submission``: no staff page, export, count or statistic reads this table, and
    it holds the fields as typed (valid or not), never validated rows. Saved by
    ``ami.services.save_draft`` (automatically while typing, or with « Enregistrer le
    brouillon »); sending the answer deletes it in the same transaction; the nightly
    ``ami.tasks.purge_answer_drafts`` deletes those untouched for
    ``DRAFT_RETENTION_DAYS``. ``access_token`` is the secret of the resume link
    (``/suivi/<token>/reprendre/``), valid until ``access_expires_at``, like an answer's
    private link.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campagne")
    )
    # The random value of the form's page: the answer sent from it replaces the draft.
    form_token = models.UUIDField(unique=True, editable=False)
    # {"field name": ["value", ...]}: the POST data of the form's own fields only.
    data = models.JSONField(_("champs saisis"), default=dict)
    access_token = models.CharField(
        max_length=64, unique=True, default=new_access_token, editable=False
    )
    access_expires_at = models.DateTimeField(default=draft_expiry, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("enregistré le"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("brouillon de réponse")
        verbose_name_plural = _("brouillons de réponse")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{_('Brouillon')} {self.pk} — {self.campaign.edition}"

    def get_resume_url(self) -> str:
        return reverse("ami:draft_resume", kwargs={"token": self.access_token})

    def private_link_has_expired(self, now: datetime | None = None) -> bool:
        return self.access_expires_at <= (now or timezone.now())


class SubmissionEventQuerySet(models.QuerySet):
    def visible_to_referent(self) -> "SubmissionEventQuerySet":
        """Without the private notes (and the opinions, which are notes)."""
        return self.exclude(kind__in=SubmissionEvent.PRIVATE_KINDS)


class SubmissionEvent(Event):
    """The audit trail of a submission: every status change, assignment, note and message.

    The columns are those of every history (``cpts_portal.history.Event``): ``data`` holds
    what the action recorded, as it was then (the exchange's date, the orientation, the
    closure reason, the opinion...); ``from_state``/``to_state`` are statuses. ``changes``
    is the answer's own: the référent's corrections, one line each, shown on their page.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Réponse reçue")
        EDITED = "edited", _("Réponse modifiée par le référent")
        STATUS_CHANGED = "status_changed", _("Changement de statut")
        # Private: never shown on the référent's pages. An opinion is a note with
        # ``data["opinion"]``, so that the référent's page, which hides notes, hides it too.
        NOTE = "note", _("Note interne")
        ASSIGNED = "assigned", _("Attribution à un agent")
        EXCHANGE_PLANNED = "exchange_planned", _("Échange planifié")
        ORIENTED = "oriented", _("Orientation")
        CLOSED = "closed", _("Clôture")
        MESSAGE = "message", _("Message")
        LINK_RESENT = "link_resent", _("Nouveau lien de suivi envoyé")
        CORRECTION_REQUESTED = "correction_requested", _("Correction demandée par l’ARS")
        RESUBMITTED = "resubmitted", _("Réponse corrigée renvoyée par les référents")
        DOCUMENT_ADDED = "document_added", _("Document joint à la réponse")
        ANONYMISED = "anonymised", _("Données personnelles anonymisées")

    PRIVATE_KINDS = (Kind.NOTE,)
    subject_field = "submission"
    anonymous_author_label = _("Référent (lien privé)")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    from_state = models.CharField(
        _("statut précédent"),
        max_length=STATE_MAX_LENGTH,
        choices=Submission.Status.choices,
        blank=True,
    )
    to_state = models.CharField(
        _("nouveau statut"),
        max_length=STATE_MAX_LENGTH,
        choices=Submission.Status.choices,
        blank=True,
    )
    changes = models.JSONField(_("champs modifiés"), default=list, blank=True)

    objects = SubmissionEventQuerySet.as_manager()

    class Meta(Event.Meta):
        verbose_name = _("événement")
        verbose_name_plural = _("historique")

    @property
    def is_from_referent(self) -> bool:
        return self.kind == self.Kind.MESSAGE and self.data.get("from") == "referent"

    @property
    def opinion_label(self) -> str:
        opinion = self.data.get("opinion")
        return Opinion(opinion).label if opinion in Opinion.values else ""


def exchange_uid() -> str:
    return f"{uuid.uuid4()}@cpts-portal"


class Exchange(models.Model):
    """The « temps d'échange » the professionals asked for in the fiche, once planned."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="exchanges", verbose_name=_("réponse")
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    video_url = models.URLField(_("lien de visioconférence"), max_length=500, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    # iCalendar identity: a new date keeps the UID and bumps SEQUENCE, so calendars update
    # the invitation instead of adding a second one.
    ical_uid = models.CharField(max_length=100, unique=True, default=exchange_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("planifié par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("échange")
        verbose_name_plural = _("échanges")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="exchange_ends_after_start",
                violation_error_message=_("La fin de l’échange doit suivre son début."),
            ),
            models.CheckConstraint(
                condition=~models.Q(place="", video_url=""),
                name="exchange_has_place_or_link",
                violation_error_message=_("Indiquez un lieu ou un lien de visioconférence."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission.reference} — {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    @property
    def is_upcoming(self) -> bool:
        """Not started yet: one that has started took place and is never cancelled."""
        return self.cancelled_at is None and self.starts_at > timezone.now()

    def cancel(self) -> None:
        """Cancel for good; the higher SEQUENCE makes calendars apply the CANCEL over the
        last invitation."""
        self.cancelled_at = timezone.now()
        self.sequence += 1
        self.save(update_fields=["cancelled_at", "sequence", "updated_at"])


# An anonymous link holder may upload: a bound on what one answer can store.
ATTACHMENTS_PER_SUBMISSION = 30


def attachment_path(instance: "Attachment", filename: str) -> str:
    """``ami/pieces/<192 random bits>.<ext>``: the name tells nothing and cannot be guessed;
    the extension is the type detected on the content. Never served by the web server."""
    return f"ami/pieces/{secrets.token_urlsafe(24)}.{instance.extension}"


class Attachment(StoredFile):
    """A file joined to a message (either way) or to the answer by its référents.

    Checked like project documents (``cpts_portal.uploads.validate_upload``: type by
    content, size cap, archive bounds); served only after a permission check
    (``ami.attachments``), as an attachment, under ``download_name``.
    """

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Pièce jointe d’un message")
        LETTER = "letter", _("Courrier")
        PROFESSIONALS = "professionals", _("Liste des professionnels")
        OTHER = "other", _("Autre document")

    DOCUMENT_KINDS = (Kind.LETTER, Kind.PROFESSIONALS, Kind.OTHER)
    SLUGS = {
        Kind.MESSAGE: "piece-jointe",
        Kind.LETTER: "courrier",
        Kind.PROFESSIONALS: "liste-professionnels",
        Kind.OTHER: "document",
    }

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("réponse")
    )
    # The message it came with; none for a document joined to the answer.
    event = models.ForeignKey(
        SubmissionEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    from_referent = models.BooleanField(_("déposé par les référents"), default=False)
    file = models.FileField(_("fichier"), upload_to=attachment_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"

    @property
    def download_name(self) -> str:
        """``AMI-00012-courrier-2026-03-14-7.pdf``: reference, kind, day, number and the
        detected type; never the uploader's name (a PDF sent as ``x.html`` stays a PDF)."""
        slug = self.SLUGS.get(self.kind, "document")
        return f"{self.submission.reference}-{slug}-{self.uploaded_day}-{self.pk}.{self.extension}"

    @property
    def referent_url(self) -> str:
        return reverse("ami:referent_attachment", args=[self.submission.access_token, self.pk])

    @property
    def staff_url(self) -> str:
        return reverse("staff:attachment", args=[self.submission_id, self.pk])


def batch_file_path(batch: "PdfBatch", filename: str) -> str:
    """A random folder per batch: the path cannot be guessed from the batch or the user."""
    return f"ami/lots-pdf/{secrets.token_urlsafe(24)}/{filename}"


class PdfBatch(models.Model):
    """A zip of PDF summaries built in the background for one staff user."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    submission_ids = models.JSONField(_("réponses"), default=list)
    total = models.PositiveIntegerField(_("nombre de réponses"), default=0)
    done = models.PositiveIntegerField(_("PDF produits"), default=0)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("archive"), upload_to=batch_file_path, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lot de PDF")
        verbose_name_plural = _("lots de PDF")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.total} PDF — {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class AccessLog(models.Model):
    """Who read or took away personal data, and when: written by ``ami.audit.record_access``.

    Staff pages of a submission, its PDF, the exports and PDF batches of the list, the
    RGPD exports and erasures. Status changes are in ``SubmissionEvent``. Rows are never
    changed: the admin shows them read-only.
    """

    class Action(models.TextChoices):
        SUBMISSION_VIEWED = "submission_viewed", _("Consultation de la réponse")
        PDF_DOWNLOADED = "pdf_downloaded", _("Téléchargement du récapitulatif PDF")
        EXPORT = "export", _("Export de la liste")
        PDF_BATCH = "pdf_batch", _("Lot de récapitulatifs PDF demandé")
        PDF_BATCH_DOWNLOADED = "pdf_batch_downloaded", _("Lot de récapitulatifs PDF téléchargé")
        PERSONAL_DATA_EXPORT = "personal_data_export", _("Export RGPD des données d’une personne")
        PERSONAL_DATA_ERASURE = (
            "personal_data_erasure",
            _("Effacement RGPD des données d’une personne"),
        )

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    # The name as it was: the log still reads right once the account is renamed or deleted.
    user_label = models.CharField(_("agent (nom)"), max_length=200)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    submission = models.ForeignKey(
        Submission,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name=_("réponse"),
    )
    reference = models.CharField(_("objet"), max_length=200, blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)

    class Meta:
        verbose_name = _("accès aux données personnelles")
        verbose_name_plural = _("journal des accès aux données personnelles")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["submission", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_label} — {self.get_action_display()} — {self.at:%d/%m/%Y %H:%M}"


class DashboardPreference(models.Model):
    """What an agent chose to see on the dashboard (the columns), remembered per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dashboard_preference",
        verbose_name=_("agent"),
    )
    columns = models.JSONField(_("colonnes affichées"), default=list, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("préférence du tableau de bord")
        verbose_name_plural = _("préférences du tableau de bord")

    def __str__(self) -> str:
        return str(self.user)
