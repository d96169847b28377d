"""Writes of the ACI contract's life: payments, annual reports, renewal, terms versions.

Each takes plain values, checks ``projects.permissions``, writes in one transaction and
records the change in the project's history (``record_event``). The terms a contract was
signed with are never edited: an avenant or a renewal adds a version (``ContractTerms``).
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpts_portal.history import record_event
from cpts_portal.links import absolute_url
from cpts_portal.roles import Role
from cpts_portal.uploads import display_name, validate_upload

from . import permissions, rules, selectors, services
from .models import (
    AciContract,
    Amendment,
    AnnualReport,
    ContractDeliverable,
    ContractPayment,
    ContractTerms,
    Mission,
    MissionProgress,
    ProjectEvent,
    ReportEvidence,
)
from .models.contract_life import ContractFile


def euros(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",") + " €"


# --- Terms versions ----------------------------------------------------------------------------


def add_terms_version(
    contract: AciContract,
    by: AbstractBaseUser,
    *,
    terms: dict,
    effective_on: date,
    reason: str,
    amendment: Amendment | None = None,
    scale=None,
) -> ContractTerms:
    """A new version of the contract's terms (inside the caller's transaction); the
    contract's current missions follow it."""
    last = selectors.current_terms(contract)
    version = ContractTerms.objects.create(
        contract=contract,
        version=(last.version if last else 0) + 1,
        effective_on=effective_on,
        reason=reason,
        amendment=amendment,
        scale=scale if scale is not None else (last.scale if last else None),
        terms=terms,
        recorded_by=by,
    )
    missions = [row["code"] for row in terms.get("missions", [])]
    if missions != contract.missions:
        contract.missions = missions
        contract.save(update_fields=["missions"])
    return version


def amend_terms(
    contract: AciContract,
    by: AbstractBaseUser,
    amendment: Amendment,
    *,
    missions: Iterable[str],
    retake_amounts: bool,
) -> ContractTerms:
    """The terms after an avenant (``rules.amended_terms``): kept missions keep their
    frozen figures; added ones, and every amount with ``retake_amounts``, come from the
    tables and the scale in force on the avenant's date."""
    missions = list(missions)
    last = selectors.current_terms(contract)
    scale, fresh = selectors.terms_in_force(contract.project, missions, amendment.signed_on)
    terms = rules.amended_terms(
        last.terms if last else fresh, fresh, missions, retake_amounts=retake_amounts
    )
    return add_terms_version(
        contract,
        by,
        terms=terms,
        effective_on=amendment.signed_on,
        reason=amendment.subject,
        amendment=amendment,
        scale=scale if retake_amounts else None,
    )


# --- Payments ----------------------------------------------------------------------------------


def record_payment(
    contract: AciContract,
    by: AbstractBaseUser,
    *,
    year: int,
    kind: str,
    paid_on: date,
    amount: Decimal,
    reference: str = "",
) -> ContractPayment:
    """A payment made by the Assurance Maladie under the contract; in history.

    Raises ``PermissionDenied`` unless ``by`` is of the Assurance Maladie,
    ``ValidationError`` for a year outside the contract or a date before the signature.
    """
    project = contract.project
    if not permissions.can_record_payment(by, project):
        raise PermissionDenied
    if not 1 <= year <= contract.term_years:
        raise ValidationError({"year": _("Cette année n’est pas une année du contrat.")})
    if paid_on < contract.signed_on:
        raise ValidationError({"paid_on": _("Un versement ne peut précéder la signature.")})
    with transaction.atomic():
        payment = ContractPayment.objects.create(
            contract=contract,
            year=year,
            kind=kind,
            paid_on=paid_on,
            amount=amount,
            reference=reference,
            recorded_by=by,
        )
        record_event(
            project,
            ProjectEvent.Kind.CONTRACT,
            by=by,
            comment=_("%(kind)s de l’année %(year)d : %(amount)s versés le %(date)s")
            % {
                "kind": ContractPayment.Kind(kind).label,
                "year": year,
                "amount": euros(amount),
                "date": paid_on.strftime("%d/%m/%Y"),
            },
            data={"year": year, "kind": kind, "amount": str(amount)},
        )
    return payment


# --- Annual reports ----------------------------------------------------------------------------


def report_results(terms: Mapping) -> list[dict]:
    """The entries of a new report: each indicator of each mission of ``terms``, with the
    target the contract set, no value yet."""
    return [
        {
            "mission": row["code"],
            "name": indicator["name"],
            "unit": indicator["unit"],
            "target": indicator["target"],
            "value": None,
        }
        for row in terms.get("missions", [])
        for indicator in row.get("indicators", [])
    ]


def report_for_year(contract: AciContract, year: int) -> AnnualReport:
    """The report of ``year``, or a new unsaved one with the entries of the year's terms."""
    report = contract.reports.filter(year=year).first()
    if report is None:
        terms = selectors.year_terms(contract, selectors.terms_versions(contract), year)
        report = AnnualReport(contract=contract, year=year, results=report_results(terms))
    return report


def save_report(
    contract: AciContract,
    by: AbstractBaseUser,
    *,
    year: int,
    values: Mapping[int, Decimal | None],
    comment: str,
    submit: bool,
) -> AnnualReport:
    """Save the values reached (``values``: by the entry's position) and the comment of
    the report of ``year``; with ``submit``, send it to the ARS and the Assurance Maladie
    (status « transmis », email). Coordinators of the project only, while the report is
    not submitted or validated; a year that has not begun cannot be reported."""
    project = contract.project
    report = report_for_year(contract, year)
    if not permissions.can_write_report(by, project, report.status if report.pk else None):
        raise PermissionDenied
    years = {y.number: y for y in rules.contract_years(contract.signed_on, contract.term_years)}
    if year not in years or years[year].starts_on > timezone.localdate():
        raise ValidationError(_("Cette année du contrat n’a pas commencé."))
    if submit:
        absent = [
            entry["name"]
            for position, entry in enumerate(report.results)
            if values.get(position) is None
        ]
        if absent:
            raise ValidationError(
                _("Indiquez la valeur atteinte de chaque indicateur : %(names)s.")
                % {"names": ", ".join(absent)}
            )
    with transaction.atomic():
        for position, entry in enumerate(report.results):
            value = values.get(position)
            entry["value"] = None if value is None else str(value)
        report.comment = comment
        if submit:
            report.status = AnnualReport.Status.SUBMITTED
            report.submitted_at, report.submitted_by = timezone.now(), by
        report.save()
        record_event(
            project,
            ProjectEvent.Kind.CONTRACT,
            by=by,
            comment=(
                _("Rapport annuel de l’année %(year)d transmis")
                if submit
                else _("Rapport annuel de l’année %(year)d enregistré")
            )
            % {"year": year},
        )
        if submit:
            notify_report(report, by)
    return report


def notify_report(report: AnnualReport, by: AbstractBaseUser) -> None:
    project = report.contract.project
    services.email_project_staff(
        project,
        (Role.ARS, Role.ASSURANCE_MALADIE),
        "projects/emails/annual_report",
        {"report": report, "page_url": absolute_url(report.contract.page_url() + "#rapports")},
        leaving_out=by,
    )


def review_report(
    report: AnnualReport, by: AbstractBaseUser, *, validate: bool, comment: str
) -> AnnualReport:
    """Validate a submitted report (its variable part then counts in the balance) or send
    it back « à compléter » with a comment: ARS or Assurance Maladie."""
    project = report.contract.project
    if not permissions.can_review_report(by, project, report.status):
        raise PermissionDenied
    if not validate and not comment.strip():
        raise ValidationError({"review_comment": _("Indiquez ce qui est à compléter.")})
    with transaction.atomic():
        report.status = (
            AnnualReport.Status.VALIDATED if validate else AnnualReport.Status.TO_COMPLETE
        )
        report.reviewed_at, report.reviewed_by = timezone.now(), by
        report.review_comment = comment
        report.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
        record_event(
            project,
            ProjectEvent.Kind.CONTRACT,
            by=by,
            comment=(
                _("Rapport annuel de l’année %(year)d validé")
                if validate
                else _("Rapport annuel de l’année %(year)d renvoyé à compléter")
            )
            % {"year": report.year},
        )
    return report


# --- Renewal -----------------------------------------------------------------------------------


def decide_renewal(
    contract: AciContract, by: AbstractBaseUser, *, outcome: str, decided_on: date
) -> AciContract | None:
    """Record the contract's outcome at its term (ARS). A renewal signs the next contract
    (``renew``) and returns it; the contract stays as history, in force until its term."""
    project = contract.project
    if not permissions.can_decide_renewal(by, project):
        raise PermissionDenied
    if contract.outcome:
        raise ValidationError(
            _("L’issue de ce contrat est déjà enregistrée : %(outcome)s.")
            % {"outcome": contract.get_outcome_display()}
        )
    with transaction.atomic():
        contract.outcome, contract.outcome_on = outcome, decided_on
        contract.save(update_fields=["outcome", "outcome_on"])
        following = renew(contract, by) if outcome == AciContract.Outcome.RENEWED else None
        record_event(
            project,
            ProjectEvent.Kind.CONTRACT,
            by=by,
            comment=_("Issue du contrat ACI : %(outcome)s")
            % {"outcome": AciContract.Outcome(outcome).label},
        )
    return following


def renew(contract: AciContract, by: AbstractBaseUser) -> AciContract:
    """The next contract (inside the caller's transaction): signed the day after the term,
    for ``ACI_TERM_YEARS``, the same parties and missions, its terms (version 1) copied
    from the last terms of ``contract``, avenants included (``rules.renewal_terms``)."""
    last = selectors.current_terms(contract)
    starts_on = contract.ends_on + timedelta(days=1)
    contract.is_current = False
    contract.save(update_fields=["is_current"])
    following = AciContract.objects.create(
        project=contract.project,
        previous=contract,
        signed_on=starts_on,
        cpts_name=contract.cpts_name,
        cpam_name=contract.cpam_name,
        ars_name=contract.ars_name,
        missions=list(contract.missions),
        recorded_by=by,
    )
    ContractTerms.objects.create(
        contract=following,
        version=1,
        effective_on=starts_on,
        reason=_("Renouvellement du contrat signé le %(date)s")
        % {"date": contract.signed_on.strftime("%d/%m/%Y")},
        scale=last.scale if last else None,
        terms=rules.renewal_terms(last.terms if last else {}, following.term_years),
        recorded_by=by,
    )
    return following


# --- Stored files of the contract's life --------------------------------------------------------


def store_file(instance: ContractFile, upload: UploadedFile, by: AbstractBaseUser) -> None:
    """Check ``upload`` (type on the content, size: ``validate_upload``) and store it under
    a random name with ``instance`` (inside the caller's transaction)."""
    file_type = validate_upload(upload)
    instance.original_name = display_name(upload.name)
    instance.content_type = file_type.content_type
    instance.size = upload.size
    instance.uploaded_by = by
    instance.file.save(f"document.{file_type.extension}", upload, save=False)
    instance.save()


# --- Evidence of the annual reports --------------------------------------------------------------


def add_report_evidence(
    contract: AciContract,
    by: AbstractBaseUser,
    *,
    year: int,
    upload: UploadedFile,
    title: str = "",
    position: int | None = None,
) -> ReportEvidence:
    """Attach a pièce justificative to the report of ``year`` (the whole report, or the
    indicator at ``position``); the report is saved as a draft if it was not started.

    ``PermissionDenied`` unless ``by`` may write the report now; ``ValidationError`` for a
    year not begun, an unknown indicator, or a file refused by ``validate_upload``.
    """
    project = contract.project
    report = report_for_year(contract, year)
    if not permissions.can_add_report_evidence(by, project, report.status if report.pk else None):
        raise PermissionDenied
    if rules.add_years(contract.signed_on, year - 1) > timezone.localdate():
        raise ValidationError(_("Cette année du contrat n’a pas commencé."))
    if position is not None and not 0 <= position < len(report.results):
        raise ValidationError({"position": _("Cet indicateur n’est pas dans le rapport.")})
    validate_upload(upload)
    with transaction.atomic():
        if report.pk is None:
            report.save()
        evidence = ReportEvidence(report=report, position=position, title=title)
        store_file(evidence, upload, by)
        record_event(
            project,
            ProjectEvent.Kind.CONTRACT,
            by=by,
            comment=_("Pièce justificative du rapport de l’année %(year)d : %(name)s")
            % {"year": year, "name": evidence.original_name},
        )
    return evidence


# --- Mission deadlines: the dates reached --------------------------------------------------------


def record_mission_progress(
    contract: AciContract,
    by: AbstractBaseUser,
    *,
    mission: str,
    started_on: date | None,
    deployed_on: date | None,
) -> MissionProgress:
    """Record when a contracted mission started and was fully deployed. The ARS or the
    Assurance Maladie record them; a coordinator declares them (``declared``) and may no
    longer change dates staff recorded."""
    project = contract.project
    staff = permissions.can_record_mission_progress(by, project)
    if not staff and not permissions.can_declare_mission_progress(by, project):
        raise PermissionDenied
    if mission not in contract.missions:
        raise ValidationError({"mission": _("Cette mission n’est pas au contrat.")})
    for name, day in (("started_on", started_on), ("deployed_on", deployed_on)):
        if day is not None and day < contract.signed_on:
            raise ValidationError({name: _("Cette date précède la signature du contrat.")})
        if day is not None and day > timezone.localdate():
            raise ValidationError({name: _("Cette date est dans le futur.")})
    if started_on and deployed_on and deployed_on < started_on:
        raise ValidationError(
            {"deployed_on": _("Le déploiement complet ne peut précéder le démarrage.")}
        )
    with transaction.atomic():
        progress, _created = MissionProgress.objects.select_for_update().get_or_create(
            contract=contract, mission=mission
        )
        if not staff and progress.recorded_by_id and not progress.declared:
            raise PermissionDenied  # dates recorded by staff: the CPTS asks them to correct
        progress.started_on, progress.deployed_on = started_on, deployed_on
        progress.declared = not staff
        progress.recorded_by = by
        progress.save()
        record_event(
            project,
            ProjectEvent.Kind.CONTRACT,
            by=by,
            comment=_("%(mission)s : démarrée le %(start)s, déployée le %(deployed)s%(how)s")
            % {
                "mission": Mission(mission).label,
                "start": started_on.strftime("%d/%m/%Y") if started_on else "—",
                "deployed": deployed_on.strftime("%d/%m/%Y") if deployed_on else "—",
                "how": _(" (déclaré par la CPTS)") if not staff else "",
            },
        )
    return progress


# --- Deliverables (avenant 2's crisis plan) ------------------------------------------------------


def required_deliverables(contract: AciContract) -> set[str]:
    terms = selectors.current_terms(contract)
    return {row["code"] for row in (terms.terms if terms else {}).get("deliverables", [])}


def add_deliverable(
    contract: AciContract, by: AbstractBaseUser, *, code: str, upload: UploadedFile
) -> ContractDeliverable:
    """The coordinators upload a deliverable the contract's terms require (a new version
    of it, examined again by the ARS)."""
    project = contract.project
    if not permissions.can_deliver(by, project):
        raise PermissionDenied
    if code not in required_deliverables(contract):
        raise ValidationError(_("Le contrat n’exige pas ce livrable."))
    validate_upload(upload)
    with transaction.atomic():
        deliverable = ContractDeliverable(contract=contract, code=code)
        store_file(deliverable, upload, by)
        record_event(
            project,
            ProjectEvent.Kind.CONTRACT,
            by=by,
            comment=_("%(what)s déposé : %(name)s")
            % {"what": deliverable.get_code_display(), "name": deliverable.original_name},
        )
    return deliverable


def review_deliverable(
    deliverable: ContractDeliverable, by: AbstractBaseUser, *, status: str
) -> ContractDeliverable:
    """The ARS marks a deliverable received or validated."""
    project = deliverable.contract.project
    if not permissions.can_review_deliverable(by, project):
        raise PermissionDenied
    if status not in (ContractDeliverable.Status.RECEIVED, ContractDeliverable.Status.VALIDATED):
        raise ValidationError({"status": _("Choisissez « reçu » ou « validé ».")})
    with transaction.atomic():
        deliverable.status = status
        deliverable.reviewed_at, deliverable.reviewed_by = timezone.now(), by
        deliverable.save(update_fields=["status", "reviewed_at", "reviewed_by"])
        record_event(
            project,
            ProjectEvent.Kind.CONTRACT,
            by=by,
            comment=_("%(what)s : %(status)s")
            % {
                "what": deliverable.get_code_display(),
                "status": ContractDeliverable.Status(status).label,
            },
        )
    return deliverable
