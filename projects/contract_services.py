"""Writes of the ACI contract's life: payments, annual reports, renewal, terms versions.

Each takes plain values, checks ``projects.permissions``, writes in one transaction and
records the change in the project's history (``record_event``). The terms a contract was
signed with are never edited: an avenant or a renewal adds a version (``ContractTerms``).
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

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
    ManagementDialogue,
    Mission,
    MissionProgress,
    ProjectEvent,
    ReportEvidence,
)
from .models.contract_life import ContractFile

YearRow = TypeVar("YearRow", ContractPayment, ManagementDialogue)


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


# --- Shared by the records of a contract year ----------------------------------------------------


def check_contract_year(contract: AciContract, year: int, field: str = "year") -> None:
    """``ValidationError`` on ``field`` unless ``year`` is a year of the contract."""
    if not 1 <= year <= contract.term_years:
        raise ValidationError({field: _("Cette année n’est pas une année du contrat.")})


def add_year_row(
    model: type[YearRow], contract: AciContract, by: AbstractBaseUser, **values
) -> YearRow:
    """A new row of ``model`` (a payment, a dialogue) about a year of ``contract`` (checked
    beforehand: ``check_contract_year``), recorded by ``by``, in the caller's transaction."""
    return model.objects.create(contract=contract, recorded_by=by, **values)


def contract_event(
    contract: AciContract, by: AbstractBaseUser, comment: str, data: dict | None = None
) -> ProjectEvent:
    """The project's history entry of a change of its contract (inside the transaction)."""
    return record_event(
        contract.project, ProjectEvent.Kind.CONTRACT, by=by, comment=comment, data=data
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
    if not permissions.can_record_payment(by, contract.project):
        raise PermissionDenied
    check_contract_year(contract, year)
    if paid_on < contract.signed_on:
        raise ValidationError({"paid_on": _("Un versement ne peut précéder la signature.")})
    with transaction.atomic():
        payment = add_year_row(
            ContractPayment,
            contract,
            by,
            year=year,
            kind=kind,
            paid_on=paid_on,
            amount=amount,
            reference=reference,
        )
        contract_event(
            contract,
            by,
            _("%(kind)s de l’année %(year)d : %(amount)s versés le %(date)s")
            % {
                "kind": ContractPayment.Kind(kind).label,
                "year": year,
                "amount": euros(amount),
                "date": paid_on.strftime("%d/%m/%Y"),
            },
            {"year": year, "kind": kind, "amount": str(amount)},
        )
    return payment


# --- Dialogues de gestion ----------------------------------------------------------------------


def record_dialogue(
    contract: AciContract,
    by: AbstractBaseUser,
    *,
    year: int,
    held_on: date,
    summary: str,
    participants: str = "",
    decisions: str = "",
    first_year: int | None = None,
    balance: Decimal | None = None,
) -> ManagementDialogue:
    """A dialogue de gestion (ARS, Assurance Maladie), annual (``year``) or pluriannual
    (``first_year`` to ``year``), and what it settles, in one transaction:

    - the covered years' reports « transmis » become « validé » (by ``by``, the review
      comment naming the dialogue); reports in draft or « à compléter » stay as they are;
    - the values of each validated report (its entries, its variable part) are copied;
    - the balance of each covered year with a validated report is decided: the computed
      one (``rules.computed_balance``), or ``balance`` for ``year`` when given; it is then
      the balance due from ``held_on`` (``rules.payment_schedule``);
    - history entries, and an email to the project's coordinators.

    Raises ``PermissionDenied`` unless ``by`` follows the contract, ``ValidationError`` for
    a year outside the contract, a first year after the last, a negative ``balance`` or a
    ``balance`` for a year whose report is neither submitted nor validated.
    """
    if not permissions.can_follow_contract(by, contract.project):
        raise PermissionDenied
    check_contract_year(contract, year)
    if balance is not None and balance < 0:
        # The form refuses it too; the service is the rule for every caller.
        raise ValidationError({"balance": _("Un solde décidé ne peut être négatif.")})
    if first_year is not None:
        check_contract_year(contract, first_year, "first_year")
        if first_year > year:
            raise ValidationError(
                {"first_year": _("La première année couverte ne peut suivre la dernière.")}
            )
    covered = range(first_year or year, year + 1)
    settled = (AnnualReport.Status.SUBMITTED, AnnualReport.Status.VALIDATED)
    with transaction.atomic():
        reports = {
            report.year: report
            for report in contract.reports.select_for_update().filter(year__in=covered)
        }
        if balance is not None and getattr(reports.get(year), "status", None) not in settled:
            raise ValidationError(
                {
                    "balance": _(
                        "Le rapport de l’année %(year)d n’est ni transmis ni validé : "
                        "son solde ne peut être décidé."
                    )
                    % {"year": year}
                }
            )
        validated = validate_reports_at_dialogue(contract, by, reports.values(), held_on)
        values, balances = dialogue_settlement(contract, covered, reports, year, balance)
        dialogue = add_year_row(
            ManagementDialogue,
            contract,
            by,
            year=year,
            first_year=first_year,
            held_on=held_on,
            summary=summary,
            participants=participants,
            decisions=decisions,
            validated_values=values,
            decided_balances=balances,
        )
        contract_event(
            contract,
            by,
            dialogue_comment(dialogue),
            {"years": list(covered), "validated": validated, "balances": balances},
        )
        notify_dialogue(dialogue, by)
    return dialogue


def validate_reports_at_dialogue(
    contract: AciContract,
    by: AbstractBaseUser,
    reports: Iterable[AnnualReport],
    held_on: date,
) -> list[int]:
    """Validate the submitted ``reports`` in the name of the dialogue of ``held_on``; the
    years validated."""
    validated = []
    for report in reports:
        if report.status != AnnualReport.Status.SUBMITTED:
            continue
        report.status = AnnualReport.Status.VALIDATED
        report.reviewed_at, report.reviewed_by = timezone.now(), by
        report.review_comment = _("Validé lors du dialogue de gestion du %(date)s.") % {
            "date": held_on.strftime("%d/%m/%Y")
        }
        report.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
        contract_event(
            contract,
            by,
            _("Rapport annuel de l’année %(year)d validé (dialogue de gestion du %(date)s)")
            % {"year": report.year, "date": held_on.strftime("%d/%m/%Y")},
        )
        validated.append(report.year)
    return validated


def dialogue_settlement(
    contract: AciContract,
    covered: range,
    reports: Mapping[int, AnnualReport],
    year: int,
    balance: Decimal | None,
) -> tuple[list[dict], dict[str, str]]:
    """The ``validated_values`` and ``decided_balances`` of a dialogue covering ``covered``
    (see ``ManagementDialogue``): ``balance``, when given, is the one of ``year``."""
    versions = selectors.terms_versions(contract)
    periods = [(version.effective_on, version.terms) for version in versions]
    values: list[dict] = []
    balances: dict[str, str] = {}
    for number in covered:
        report = reports.get(number)
        entry: dict = {"year": number, "status": report.status if report else ""}
        values.append(entry)
        if report is None or report.status != AnnualReport.Status.VALIDATED:
            continue
        part = selectors.report_variable_part(contract, versions, report)
        variable = part.total
        # What the variable part could not count (amounts or indicators not entered): the
        # page says so next to the figure, as the report does.
        entry.update(
            results=report.results, variable=str(variable), missing=[str(m) for m in part.missing]
        )
        decided = balance if number == year and balance is not None else None
        if decided is None:
            decided = rules.computed_balance(contract.signed_on, periods, number, variable)
        if decided is not None:
            balances[str(number)] = str(Decimal(decided).quantize(rules.CENT))
    return values, balances


def dialogue_years_label(dialogue: ManagementDialogue) -> str:
    years = dialogue.covered_years
    if len(years) == 1:
        return _("année %(year)d") % {"year": dialogue.year}
    return _("années %(first)d à %(last)d") % {"first": years[0], "last": years[-1]}


def dialogue_comment(dialogue: ManagementDialogue) -> str:
    comment = _("Dialogue de gestion (%(years)s) du %(date)s") % {
        "years": dialogue_years_label(dialogue),
        "date": dialogue.held_on.strftime("%d/%m/%Y"),
    }
    decided = [
        _("année %(year)s : %(amount)s") % {"year": year, "amount": euros(Decimal(amount))}
        for year, amount in dialogue.decided_balances.items()
    ]
    if decided:
        comment += _(" ; solde décidé : %(balances)s") % {"balances": ", ".join(decided)}
    return comment


def notify_dialogue(dialogue: ManagementDialogue, by: AbstractBaseUser) -> None:
    """Tell the project's coordinators that the dialogue was held and what it decided."""
    contract = dialogue.contract
    services.email_project(
        contract.project,
        "projects/emails/dialogue",
        {
            "dialogue": dialogue,
            "years_label": dialogue_years_label(dialogue),
            "balances": [
                (int(year), Decimal(amount)) for year, amount in dialogue.decided_balances.items()
            ],
            "page_url": absolute_url(contract.page_url() + "#dialogues"),
        },
        coordinators=True,
        leaving_out=by,
    )


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
