"""The « Mémo du porteur de projet de CPTS » (URPS Médecins Libéraux Occitanie, 2021).

Each project gets these milestones when it is created, in this order; the workflow marks
some of them done when the project reaches the matching stage (``DONE_AT_STAGE``).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from projects.models.choices import Phase, Stage


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    phase: Phase
    label: str


MEMO_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("s_informer", Phase.PRE_PROJECT, _("S’informer sur les attendus des CPTS")),
    ChecklistItem(
        "identifier_territoire",
        Phase.PRE_PROJECT,
        _("Identifier a priori le territoire et les grandes problématiques"),
    ),
    ChecklistItem("mobiliser", Phase.PRE_PROJECT, _("Informer et mobiliser les acteurs de santé")),
    ChecklistItem("pilote", Phase.PRE_PROJECT, _("Sélectionner un pilote de projet")),
    ChecklistItem("diagnostic", Phase.PRE_PROJECT, _("Réaliser un diagnostic du territoire")),
    ChecklistItem(
        "engager_acteurs", Phase.PRE_PROJECT, _("Continuer à informer et engager d’autres acteurs")
    ),
    ChecklistItem(
        "association", Phase.PRE_PROJECT, _("Créer l’association et rédiger les statuts")
    ),
    ChecklistItem("rediger_lettre", Phase.LETTER, _("Formaliser la lettre d’intention")),
    ChecklistItem("cerfa", Phase.LETTER, _("Compléter le Cerfa de demande de subvention")),
    ChecklistItem(
        "deposer_lettre",
        Phase.LETTER,
        _("Déposer la lettre d’intention et CERFA auprès du Guichet CPTS"),
    ),
    ChecklistItem("avis_urps", Phase.LETTER, _("Obtenir l’avis des URPS via le Guichet CPTS")),
    ChecklistItem(
        "validation_ars_fir",
        Phase.HEALTH_PROJECT,
        _("Obtenir la validation de l’ARS et le financement FIR"),
    ),
    ChecklistItem(
        "coordinateur", Phase.HEALTH_PROJECT, _("Recruter/sélectionner un coordinateur du projet")
    ),
    ChecklistItem("rediger_projet_sante", Phase.HEALTH_PROJECT, _("Rédiger le projet de santé")),
    ChecklistItem(
        "deposer_projet_sante",
        Phase.HEALTH_PROJECT,
        _("Déposer le projet de santé auprès de l’ARS / Assurance Maladie"),
    ),
    ChecklistItem(
        "validation_projet_sante",
        Phase.CONTRACT,
        _("Obtenir la validation de l’ARS après avis AM"),
    ),
    ChecklistItem(
        "calendrier_indicateurs",
        Phase.CONTRACT,
        _("Définir le calendrier et les indicateurs de suivi"),
    ),
    ChecklistItem(
        "contractualiser",
        Phase.CONTRACT,
        _("Contractualiser avec l’ARS et la CPAM (contrat tripartite)"),
    ),
    ChecklistItem("mettre_en_oeuvre", Phase.IMPLEMENTATION, _("Mettre en œuvre la CPTS")),
    ChecklistItem(
        "missions", Phase.IMPLEMENTATION, _("Mettre en œuvre les missions du projet de santé")
    ),
    ChecklistItem("adapter", Phase.IMPLEMENTATION, _("Adapter/enrichir le projet")),
)

# Reaching a stage proves these milestones done (when nobody has ticked them yet).
DONE_AT_STAGE: dict[Stage, tuple[str, ...]] = {
    Stage.LETTER_DEPOSITED: ("rediger_lettre", "cerfa", "deposer_lettre"),
    Stage.URPS_OPINION: ("avis_urps",),
    Stage.LETTER_VALIDATED: ("validation_ars_fir",),
    Stage.HEALTH_PROJECT_DEPOSITED: ("rediger_projet_sante", "deposer_projet_sante"),
    Stage.HEALTH_PROJECT_VALIDATED: ("validation_projet_sante",),
    Stage.CONTRACT_SIGNED: ("contractualiser",),
    Stage.RUNNING: ("mettre_en_oeuvre",),
}
