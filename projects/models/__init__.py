"""Models of the projects app (one module per part of the pipeline)."""

from .choices import DocumentKind, Mission, Phase, Stage
from .contract import (
    AciContract,
    Amendment,
    AnnualReport,
    ContractPayment,
    ContractTerms,
    FundingRate,
    FundingScale,
    ManagementDialogue,
    MissionDeadline,
    MissionIndicator,
    SourceStatus,
)
from .contract_life import ContractDeliverable, MissionProgress, ReportEvidence
from .documents import Document
from .pipeline import (
    ActionSheet,
    AssuranceMaladieOpinion,
    GuichetReview,
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
    "AnnualReport",
    "AssuranceMaladieOpinion",
    "ContractDeliverable",
    "ContractPayment",
    "ContractTerms",
    "CptsProject",
    "Document",
    "DocumentKind",
    "FundingRate",
    "FundingScale",
    "GuichetReview",
    "HealthProject",
    "LegalHolder",
    "LetterOfIntent",
    "ManagementDialogue",
    "Milestone",
    "Mission",
    "MissionDeadline",
    "MissionIndicator",
    "MissionProgress",
    "Phase",
    "ProjectEvent",
    "ReportEvidence",
    "SentReminder",
    "SourceStatus",
    "Stage",
    "TerritoryOverlapOverride",
    "UrpsOpinion",
]
