"""Models of the projects app (one module per part of the pipeline)."""

from .choices import DocumentKind, Mission, Phase, Stage, Verdict
from .contract import AciContract, FundingRate, ManagementDialogue, contract_end
from .documents import Document
from .pipeline import (
    ActionSheet,
    AssuranceMaladieOpinion,
    HealthProject,
    LetterOfIntent,
    UrpsOpinion,
)
from .project import CptsProject, LegalHolder, Milestone, ProjectEvent, TerritoryOverlapOverride

__all__ = [
    "AciContract",
    "ActionSheet",
    "AssuranceMaladieOpinion",
    "CptsProject",
    "Document",
    "DocumentKind",
    "FundingRate",
    "HealthProject",
    "LegalHolder",
    "LetterOfIntent",
    "ManagementDialogue",
    "Milestone",
    "Mission",
    "Phase",
    "ProjectEvent",
    "Stage",
    "TerritoryOverlapOverride",
    "UrpsOpinion",
    "Verdict",
    "contract_end",
]
