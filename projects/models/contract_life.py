"""What the contract's life adds to the frozen terms: the evidence of the annual reports,
the dates each mission actually started and was deployed, and the deliverables (the plan
de gestion de crise sanitaire of avenant 2)."""

import secrets

from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cpts_portal.uploads import EXTENSION_OF_TYPE, StoredFile

from .choices import Mission
from .contract import AciContract, AnnualReport, RecordedBy, user_reference


def contract_file_path(instance: "ContractFile", filename: str) -> str:
    """``projects/contrats/<192 random bits>.<ext>``: never served by the web server (the
    download view checks the permission), the extension of the type found on the content."""
    extension = EXTENSION_OF_TYPE.get(instance.content_type, "bin")
    return f"projects/contrats/{secrets.token_urlsafe(24)}.{extension}"


class ContractFile(StoredFile):
    """A checked upload of the contract's life (``cpts_portal.uploads``), like a project
    ``Document``: the uploader's name for display only, served under a built name."""

    file = models.FileField(_("fichier"), upload_to=contract_file_path, max_length=200)
    uploaded_by = user_reference(_("déposé par"))

    class Meta:
        abstract = True

    def served_name(self, what: str, project_name: str) -> str:
        project = slugify(project_name)[:60].strip("-") or "cpts"
        return f"{what}-{project}-{self.uploaded_day}.{self.extension}"


class ReportEvidence(ContractFile):
    """A pièce justificative of an annual report, for the whole report or one indicator
    (``position``: the indicator's place in the report's ``results``)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="evidence")
    position = models.PositiveSmallIntegerField(_("indicateur"), null=True, blank=True)
    title = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("pièce justificative du rapport annuel")
        verbose_name_plural = _("pièces justificatives des rapports annuels")
        ordering = ["report", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title or self.original_name

    def indicator_name(self) -> str:
        """The indicator the file justifies, "" for the whole report."""
        if self.position is None or self.position >= len(self.report.results):
            return ""
        return self.report.results[self.position]["name"]

    def get_absolute_url(self) -> str:
        contract = self.report.contract
        return reverse(
            "projects:report_evidence_download",
            kwargs={"pk": contract.project_id, "year": self.report.year, "file_pk": self.pk},
        )

    @property
    def download_name(self) -> str:
        return self.served_name(
            f"justificatif-annee-{self.report.year}", self.report.contract.project.name
        )


class MissionProgress(RecordedBy):
    """When a contracted mission actually started and was fully deployed.

    Recorded by the ARS or the Assurance Maladie; a coordinator may declare the dates,
    read as « déclaré par la CPTS » until staff record them (``declared``).
    """

    contract = models.ForeignKey(
        AciContract, on_delete=models.CASCADE, related_name="mission_progress"
    )
    mission = models.CharField(_("mission"), max_length=40, choices=Mission.choices)
    started_on = models.DateField(_("démarrée le"), null=True, blank=True)
    deployed_on = models.DateField(_("déployée le"), null=True, blank=True)
    declared = models.BooleanField(_("déclaré par la CPTS, non confirmé"), default=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("avancement d’une mission")
        verbose_name_plural = _("avancement des missions")
        ordering = ["contract", "mission"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "mission"], name="one_progress_per_contract_mission"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_mission_display())


class ContractDeliverable(ContractFile):
    """A document the contract requires by a date (``terms["deliverables"]``): uploaded by
    the coordinators, marked received then validated by the ARS."""

    class Code(models.TextChoices):
        CRISIS_PLAN = "plan_crise", _("Plan de gestion de crise sanitaire")

    class Status(models.TextChoices):
        DELIVERED = "depose", _("Déposé")
        RECEIVED = "recu", _("Reçu par l’ARS")
        VALIDATED = "valide", _("Validé par l’ARS")

    contract = models.ForeignKey(AciContract, on_delete=models.CASCADE, related_name="deliverables")
    code = models.CharField(_("livrable"), max_length=30, choices=Code.choices)
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.DELIVERED
    )
    reviewed_at = models.DateTimeField(_("examiné le"), null=True, blank=True)
    reviewed_by = user_reference(_("examiné par"), blank=True)

    class Meta:
        verbose_name = _("livrable du contrat ACI")
        verbose_name_plural = _("livrables du contrat ACI")
        ordering = ["contract", "code", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_code_display()} — {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "projects:deliverable_download",
            kwargs={"pk": self.contract.project_id, "file_pk": self.pk},
        )

    @property
    def download_name(self) -> str:
        return self.served_name(self.code.replace("_", "-"), self.contract.project.name)
