"""Models of the projects app (one module per part of the pipeline)."""

from .choices import DocumentKind, Mission, Phase, Stage
from .contract import (
    AciContract,
    Amendment,
    FundingRate,
    FundingScale,
    ManagementDialogue,
    MissionDeadline,
    add_months,
    contract_end,
)
from .documents import Document
from .pipeline import (
    ActionSheet,
    AssuranceMaladieOpinion,
    HealthProject,
    LetterOfIntent,
    UrpsOpinion,
)
from .project import CptsProject, LegalHolder, Milestone, ProjectEvent, TerritoryOverlapOverride
from .reminders import SentReminder

__all__ = [
    "AciContract",
    "ActionSheet",
    "Amendment",
    "AssuranceMaladieOpinion",
    "CptsProject",
    "Document",
    "DocumentKind",
    "FundingRate",
    "FundingScale",
    "HealthProject",
    "LegalHolder",
    "LetterOfIntent",
    "ManagementDialogue",
    "Milestone",
    "Mission",
    "MissionDeadline",
    "Phase",
    "ProjectEvent",
    "SentReminder",
    "Stage",
    "TerritoryOverlapOverride",
    "UrpsOpinion",
    "add_months",
    "contract_end",
]
