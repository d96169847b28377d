"""The vocabularies of a CPTS project, with the source documents' words."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Where a project stands; written only by ``projects.workflow.transition``.

    The three steps of the URPS guide (2021) — lettre d’intention, projet de santé, contrat
    ACI — then the CPTS at work; a deposited document may come back « à compléter ».
    """

    DRAFT = "avant_projet", _("Avant-projet")
    LETTER_DEPOSITED = "lettre_deposee", _("Lettre d’intention déposée")
    LETTER_TO_COMPLETE = "lettre_a_completer", _("Lettre d’intention à compléter")
    URPS_OPINION = "avis_urps", _("Avis URPS rendu")
    LETTER_VALIDATED = "lettre_validee", _("Lettre d’intention validée")
    HEALTH_PROJECT_DRAFTING = "projet_sante_redaction", _("Projet de santé en rédaction")
    HEALTH_PROJECT_DEPOSITED = "projet_sante_depose", _("Projet de santé déposé")
    HEALTH_PROJECT_TO_COMPLETE = "projet_sante_a_completer", _("Projet de santé à compléter")
    HEALTH_PROJECT_VALIDATED = "projet_sante_valide", _("Projet de santé validé")
    CONTRACT_SIGNED = "contrat_signe", _("Contrat ACI signé")
    RUNNING = "en_fonctionnement", _("En fonctionnement")
    ABANDONED = "abandonne", _("Abandonné")


# The main line of the pipeline, in order (the « à compléter » stages and abandonment aside).
PIPELINE: tuple[Stage, ...] = (
    Stage.DRAFT,
    Stage.LETTER_DEPOSITED,
    Stage.URPS_OPINION,
    Stage.LETTER_VALIDATED,
    Stage.HEALTH_PROJECT_DRAFTING,
    Stage.HEALTH_PROJECT_DEPOSITED,
    Stage.HEALTH_PROJECT_VALIDATED,
    Stage.CONTRACT_SIGNED,
    Stage.RUNNING,
)
# Where a document sent back « à compléter » sits on that line.
PIPELINE_POSITION_OF = {
    Stage.LETTER_TO_COMPLETE: Stage.DRAFT,
    Stage.HEALTH_PROJECT_TO_COMPLETE: Stage.HEALTH_PROJECT_DRAFTING,
}
ACTIVE_STAGES = tuple(stage for stage in Stage if stage != Stage.ABANDONED)


class Phase(models.TextChoices):
    """The five phases of the « Mémo du porteur de projet de CPTS » (URPS guide, 2021)."""

    PRE_PROJECT = "avant_projet", _("Avant-projet de CPTS")
    LETTER = "lettre_intention", _("Lettre d’intention")
    HEALTH_PROJECT = "projet_sante", _("Projet de santé")
    CONTRACT = "contrat_aci", _("Contrat ACI")
    IMPLEMENTATION = "mise_en_oeuvre", _("Mise en œuvre du projet")


PHASE_OF_STAGE: dict[Stage, Phase] = {
    Stage.DRAFT: Phase.PRE_PROJECT,
    Stage.LETTER_DEPOSITED: Phase.LETTER,
    Stage.LETTER_TO_COMPLETE: Phase.LETTER,
    Stage.URPS_OPINION: Phase.LETTER,
    Stage.LETTER_VALIDATED: Phase.HEALTH_PROJECT,
    Stage.HEALTH_PROJECT_DRAFTING: Phase.HEALTH_PROJECT,
    Stage.HEALTH_PROJECT_DEPOSITED: Phase.HEALTH_PROJECT,
    Stage.HEALTH_PROJECT_TO_COMPLETE: Phase.HEALTH_PROJECT,
    Stage.HEALTH_PROJECT_VALIDATED: Phase.CONTRACT,
    Stage.CONTRACT_SIGNED: Phase.CONTRACT,
    Stage.RUNNING: Phase.IMPLEMENTATION,
}


class Mission(models.TextChoices):
    """The missions of a CPTS in the ACI (URPS guide, 2021; ordonnance du 12 mai 2021)."""

    GP_ACCESS = (
        "acces_medecin_traitant",
        _("Accès aux soins : faciliter l’accès à un médecin traitant"),
    )
    UNSCHEDULED_CARE = (
        "soins_non_programmes",
        _("Accès aux soins : améliorer la prise en charge des soins non programmés"),
    )
    CARE_PATHWAYS = (
        "parcours_pluriprofessionnels",
        _("Organisation de parcours pluriprofessionnels autour du patient"),
    )
    PREVENTION = "prevention", _("Développement des actions territoriales de prévention")
    HEALTH_CRISES = "crises_sanitaires", _("Réponse aux crises sanitaires graves")
    QUALITY = "qualite_pertinence", _("Développement de la qualité et de la pertinence des soins")
    PROFESSIONAL_SUPPORT = (
        "accompagnement_professionnels",
        _("Accompagnement des professionnels de santé sur le territoire"),
    )


CORE_MISSIONS: tuple[Mission, ...] = (
    Mission.GP_ACCESS,
    Mission.UNSCHEDULED_CARE,
    Mission.CARE_PATHWAYS,
    Mission.PREVENTION,
    Mission.HEALTH_CRISES,
)
OPTIONAL_MISSIONS: tuple[Mission, ...] = (Mission.QUALITY, Mission.PROFESSIONAL_SUPPORT)
MISSION_CHOICES = [
    (_("Missions socles"), [(m.value, m.label) for m in CORE_MISSIONS]),
    (_("Missions complémentaires"), [(m.value, m.label) for m in OPTIONAL_MISSIONS]),
]


class DocumentKind(models.TextChoices):
    LETTER = "lettre_intention", _("Lettre d’intention signée")
    CERFA = "cerfa_12156", _("Demande de subvention (CERFA n° 12156)")
    STATUTES = "statuts", _("Statuts de l’association")
    HEALTH_PROJECT = "projet_sante", _("Projet de santé")
    ACI_CONTRACT = "contrat_aci", _("Contrat ACI signé")
    AMENDMENT = "avenant", _("Avenant au contrat ACI")
