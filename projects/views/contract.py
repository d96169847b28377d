"""The ACI contract's pages: the contract over its years, and each annual report."""

import csv
from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ami.exports import CONTENT_TYPES, CSV_DELIMITER, neutralise
from cpts_portal.uploads import stored_file_response
from projects import (
    contract_pdf,
    contract_selectors,
    contract_services,
    permissions,
    rules,
    selectors,
    services,
)
from projects.contract_forms import (
    DeliverableForm,
    DeliverableReviewForm,
    EvidenceForm,
    MissionProgressForm,
    PaymentForm,
    RenewalForm,
    ReportForm,
    ReviewForm,
)
from projects.forms import AmendmentForm, ContractPartiesForm, DialogueForm, DocumentForm
from projects.models import (
    AciContract,
    AnnualReport,
    ContractDeliverable,
    CptsProject,
    DocumentKind,
    ManagementDialogue,
    Mission,
    ReportEvidence,
)
from projects.permissions import CONTRACT_DOCUMENTS

from .common import model_values, require, with_project

CONTRACT_FORMS = (
    "parties_submit",
    "amendment_submit",
    "dialogue_submit",
    "payment_submit",
    "renewal_submit",
    "progress_submit",
    "deliverable_submit",
    "deliverable_review_submit",
)


def contract_url(project: CptsProject, anchor: str = "", aci: AciContract | None = None) -> str:
    url = (
        aci.page_url()
        if aci is not None
        else reverse("projects:contract", kwargs={"pk": project.pk})
    )
    return f"{url}#{anchor}" if anchor else url


def chosen_contract(project: CptsProject, contract_pk: int | None) -> AciContract | None:
    """The contract a page is about: the one named in the URL (a renewed project's earlier
    or next contract), else the one in force."""
    if contract_pk is None:
        return project.contract
    return get_object_or_404(AciContract, pk=contract_pk, project=project)


@with_project
@require_http_methods(["GET", "POST"])
def contract(
    request: HttpRequest, project: CptsProject, contract_pk: int | None = None
) -> HttpResponse:
    """The ACI contract: parties, term, frozen terms and their versions, mission deadlines,
    payments, annual reports, dialogues de gestion, avenants, renewal. Everyone who sees
    the project reads it; the ARS and the Assurance Maladie follow it (the Assurance
    Maladie records payments, the ARS the renewal). Each form is told apart by the name
    of its button."""
    aci = chosen_contract(project, contract_pk)
    if aci is not None:
        aci.project = project
    user = request.user
    can_follow = aci is not None and permissions.can_follow_contract(user, project)
    can_pay = aci is not None and permissions.can_record_payment(user, project)
    can_renew = aci is not None and permissions.can_decide_renewal(user, project)
    can_progress = aci is not None and (
        permissions.can_record_mission_progress(user, project)
        or permissions.can_declare_mission_progress(user, project)
    )
    can_deliver = aci is not None and permissions.can_deliver(user, project)
    if request.method == "POST":
        require(can_follow or can_pay or can_renew or can_progress or can_deliver)
    forms: dict = {}
    if aci is not None:
        posted = request.method == "POST"
        action = next((name for name in CONTRACT_FORMS if name in request.POST), None)

        def data(name: str):
            return request.POST if posted and action == name else None

        if can_follow:
            forms["parties_form"] = ContractPartiesForm(
                data("parties_submit"), instance=AciContract.objects.get(pk=aci.pk)
            )
            forms["amendment_form"] = AmendmentForm(
                data("amendment_submit"),
                request.FILES if posted and action == "amendment_submit" else None,
                contract=aci,
                auto_id="id_avenant_%s",  # the page's upload form has its own « file »
            )
            forms["dialogue_form"] = DialogueForm(
                data("dialogue_submit"), term_years=aci.term_years
            )
        if can_pay:
            forms["payment_form"] = PaymentForm(
                data("payment_submit"), contract=aci, auto_id="id_versement_%s"
            )
        if can_renew and not aci.outcome:
            forms["renewal_form"] = RenewalForm(data("renewal_submit"), auto_id="id_issue_%s")
        if can_progress and aci.missions:
            forms["progress_form"] = MissionProgressForm(
                data("progress_submit"), contract=aci, auto_id="id_mission_%s"
            )
        codes = sorted(contract_services.required_deliverables(aci))
        if can_deliver and codes:
            forms["deliverable_form"] = DeliverableForm(
                data("deliverable_submit"),
                request.FILES if posted and action == "deliverable_submit" else None,
                codes=codes,
                auto_id="id_livrable_%s",
            )
        if can_renew and codes:
            forms["deliverable_review_form"] = DeliverableReviewForm(
                data("deliverable_review_submit"), auto_id="id_examen_livrable_%s"
            )
        if posted:
            form = forms.get(action.replace("_submit", "_form")) if action else None
            require(form is not None)
            response = save_contract_form(request, project, aci, action, form)
            if response is not None:
                return response
    context = {"project": project, "contract": aci, "is_staff": permissions.is_partner_staff(user)}
    context["can_review_deliverables"] = "deliverable_review_form" in forms
    context["can_see_board"] = permissions.can_see_contract_board(user)
    if aci is None:
        missions = project.health_project.missions
        context["simulation"] = selectors.funding_simulation(project, missions)
        context["missions"] = project.health_project.mission_labels()
    else:
        context.update(contract_context(aci))
    kinds = [
        kind
        for kind in permissions.generic_upload_kinds(user, project)
        if kind in CONTRACT_DOCUMENTS
    ]
    context["contract_documents"] = list(project.documents.filter(kind=DocumentKind.ACI_CONTRACT))
    context["document_form"] = DocumentForm(kinds=kinds) if kinds else None
    context["can_write_reports"] = aci is not None and permissions.can_write_report(
        user, project, None
    )
    context.update(forms)
    return render(request, "projects/contract.html", context)


def contract_context(aci: AciContract) -> dict:
    """What the contract page shows of a signed contract, read in a fixed number of queries."""
    today = timezone.localdate()
    versions = selectors.terms_versions(aci)
    current = versions[-1] if versions else None
    reports = selectors.contract_reports(aci)
    schedule = selectors.mission_schedule(aci, current)
    # One read of the dialogues for the schedule (decided balances) and the page.
    prefetch_related_objects(
        [aci], Prefetch("dialogues", queryset=ManagementDialogue.objects.order_by("held_on", "pk"))
    )
    dialogues = list(aci.dialogues.all())
    payments = selectors.payment_schedule(aci, versions, reports, today)
    progress = {
        row.mission: (row.started_on, row.deployed_on, row.declared)
        for row in aci.mission_progress.all()
    }
    files = list(aci.deliverables.select_related("reviewed_by"))
    for file in files:
        file.contract = aci  # its download name and URL read the project
    deliverables = rules.deliverables_due(
        current.terms if current else {}, contract_selectors.delivered_state(files), today
    )
    for row in deliverables:
        row.files = [file for file in files if file.code == row.code]
        row.label = ContractDeliverable.Code(row.code).label
    amendments = list(aci.amendments.select_related("document"))
    recorded = {amendment.document_id for amendment in amendments}
    return {
        "terms": current,
        "versions": versions,
        "funding": rules.terms_funding(current.terms) if current else None,
        "terms_scale": (current.terms.get("scale") if current else None),
        "scale_note": rules.source_note(
            (current.terms.get("scale") or {}).get("source_status", "") if current else ""
        ),
        "schedule": schedule,
        "schedule_sources": rules.schedule_sources(schedule),
        "mission_progress": rules.mission_progress(schedule, progress, today),
        "deliverables": deliverables,
        "payments": payments,
        "payment_totals": rules.payment_totals(payments, today),
        "years": contract_years(aci, reports, dialogues, today),
        "dialogues": [dialogue_view(dialogue) for dialogue in dialogues],
        "dialogue_report_states": dialogue_report_states(aci, reports, today),
        "amendments": amendments,
        # Avenants uploaded as bare files before they were recorded with date and object.
        "other_amendment_documents": [
            document
            for document in aci.project.documents.filter(kind=DocumentKind.AMENDMENT)
            if document.pk not in recorded
        ],
        "renewal_notices": rules.renewal_notices(aci.signed_on, aci.term_years),
        # The other contracts of the project: earlier ones (history), or the next one.
        "other_contracts": [
            other
            for other in AciContract.objects.filter(project_id=aci.project_id).order_by(
                "signed_on", "pk"
            )
            if other.pk != aci.pk
        ],
    }


def contract_years(
    aci: AciContract, reports: dict[int, AnnualReport], dialogues: list, today
) -> list[dict]:
    """Each contract year: its dates, its report, the dialogues de gestion covering it."""
    by_year: dict[int, list] = {}
    for dialogue in dialogues:
        for year in dialogue.covered_years:
            by_year.setdefault(year, []).append(dialogue)
    rows = []
    for year in rules.contract_years(aci.signed_on, aci.term_years):
        report = reports.get(year.number)
        done = report is not None and report.status in (
            AnnualReport.Status.SUBMITTED,
            AnnualReport.Status.VALIDATED,
        )
        rows.append(
            {
                "year": year.number,
                "starts_on": year.starts_on,
                "ends_on": year.ends_on,
                "started": year.starts_on <= today,
                "report": report,
                "report_url": aci.report_url(year.number),
                "report_late": not done and year.ends_on < today,
                "dialogues": by_year.get(year.number, []),
                "dialogue_late": year.ends_on < today and year.number not in by_year,
            }
        )
    return rows


def dialogue_view(dialogue: ManagementDialogue) -> dict:
    """What the page shows of a dialogue: per covered year, the report's state then, the
    values validated (as the report's indicator table), the variable part, the balance
    decided."""
    years = []
    for entry in dialogue.validated_values:
        status = entry.get("status", "")
        years.append(
            {
                "year": entry["year"],
                "validated": status == AnnualReport.Status.VALIDATED,
                "status_label": AnnualReport.Status(status).label if status else _("Non commencé"),
                "entries": indicator_rows(entry.get("results", [])),
                "variable": rules.decimal_or_none(entry.get("variable")),
                "missing": entry.get("missing", []),
                "balance": rules.decimal_or_none(dialogue.decided_balances.get(str(entry["year"]))),
            }
        )
    return {
        "dialogue": dialogue,
        "years_label": contract_services.dialogue_years_label(dialogue),
        "years": years,
    }


def dialogue_report_states(
    aci: AciContract, reports: dict[int, AnnualReport], today: date
) -> list[str]:
    """Above the dialogue's form: each begun year's report and whether a dialogue covering
    it validates it (only a submitted report is)."""
    states = []
    for year in rules.contract_years(aci.signed_on, aci.term_years):
        if year.starts_on > today:
            break
        report = reports.get(year.number)
        if report is None:
            state = _("non commencé : ne sera pas validé")
        elif report.status == AnnualReport.Status.SUBMITTED:
            state = _("transmis : sera validé par le dialogue qui couvre cette année")
        elif report.status == AnnualReport.Status.VALIDATED:
            state = _("déjà validé")
        else:
            state = _("%(status)s : ne sera pas validé") % {
                "status": report.get_status_display().lower()
            }
        states.append(
            _("Rapport de l’année %(year)d : %(state)s.") % {"year": year.number, "state": state}
        )
    return states


def save_contract_form(
    request: HttpRequest, project: CptsProject, aci: AciContract, action: str, form
) -> HttpResponse | None:
    """Apply the posted form of the contract page; ``None`` when it is invalid."""
    if not form.is_valid():
        return None
    user = request.user
    if action == "parties_submit":
        services.update_contract_parties(aci, user, form.cleaned_data)
        messages.success(request, _("Les parties au contrat ont été enregistrées."))
        return redirect(contract_url(project, "parties", aci))
    data = form.cleaned_data
    # Each form: what saves it, the message, the page's section, where an error goes.
    saves = {
        "amendment_submit": (
            lambda: services.add_amendment(
                aci,
                user,
                data["signed_on"],
                data["subject"],
                data["file"],
                missions=data["missions"],
                retake_amounts=data["retake_amounts"],
            ),
            _("L’avenant a été enregistré ; les conditions du contrat sont mises à jour."),
            "avenants",
            "file",
        ),
        "dialogue_submit": (
            lambda: contract_services.record_dialogue(
                aci, user, **model_values(form), balance=data["balance"]
            ),
            _("Le dialogue de gestion a été enregistré."),
            "dialogues",
            None,
        ),
        "payment_submit": (
            lambda: contract_services.record_payment(aci, user, **data),
            _("Le versement a été enregistré."),
            "versements",
            None,
        ),
        "progress_submit": (
            lambda: contract_services.record_mission_progress(aci, user, **data),
            _("Les dates de la mission ont été enregistrées."),
            "missions",
            None,
        ),
        "deliverable_submit": (
            lambda: contract_services.add_deliverable(
                aci, user, code=data["code"], upload=data["file"]
            ),
            _("Le livrable a été déposé ; l’ARS en est informée sur cette page."),
            "livrables",
            "file",
        ),
        "deliverable_review_submit": (
            lambda: contract_services.review_deliverable(
                get_object_or_404(ContractDeliverable, pk=data["deliverable"], contract=aci),
                user,
                status=data["status"],
            ),
            _("L’état du livrable a été enregistré."),
            "livrables",
            None,
        ),
        "renewal_submit": (
            lambda: contract_services.decide_renewal(aci, user, **data),
            _("L’issue du contrat a été enregistrée."),
            "renouvellement",
            None,
        ),
    }
    if action not in saves:
        return None
    save, message, anchor, error_field = saves[action]
    return saved_or_none(
        request, form, save, message, contract_url(project, anchor, aci), error_field=error_field
    )


def saved_or_none(
    request: HttpRequest,
    form,
    save: Callable[[], object],
    message: str,
    url: str,
    *,
    error_field: str | None = None,
) -> HttpResponse | None:
    """Run ``save``; on success say ``message`` and go to ``url``, on a ``ValidationError``
    put it on the form (at ``error_field``, else above the fields) and return ``None``."""
    try:
        save()
    except ValidationError as error:
        form.add_error(error_field, error)
        return None
    messages.success(request, message)
    return redirect(url)


REPORT_SAVE, REPORT_SUBMIT, REVIEW = "report_save", "report_submit", "review_submit"
EVIDENCE = "evidence_submit"


def report_contract(project: CptsProject, year: int, contract_pk: int | None) -> AciContract:
    """The contract (``chosen_contract``), if ``year`` is one of its years; 404 otherwise."""
    aci = chosen_contract(project, contract_pk)
    if aci is None or not 1 <= year <= aci.term_years:
        raise Http404
    aci.project = project
    return aci


@with_project
@require_http_methods(["GET", "POST"])
def report(
    request: HttpRequest, project: CptsProject, year: int, contract_pk: int | None = None
) -> HttpResponse:
    """The annual report of one contract year: each mission's indicators, target and value
    reached, the variable part it earns, the pièces justificatives; written and submitted
    by the coordinators, validated or sent back by the ARS or the Assurance Maladie."""
    aci = report_contract(project, year, contract_pk)
    user = request.user
    annual = contract_services.report_for_year(aci, year)
    status = annual.status if annual.pk else None
    starts_on = rules.add_years(aci.signed_on, year - 1)
    can_write = permissions.can_write_report(user, project, status) and (
        starts_on <= timezone.localdate()
    )
    can_review = permissions.can_review_report(user, project, status)
    posted = request.method == "POST"
    action = REVIEW if REVIEW in request.POST else EVIDENCE if EVIDENCE in request.POST else None
    if posted:
        require(can_review if action == REVIEW else can_write)
    report_form = review_form = evidence_form = None
    if can_write:
        data = request.POST if posted and action is None else None
        report_form = ReportForm(data, report=annual)
        if data is not None and report_form.is_valid():
            submit = REPORT_SUBMIT in request.POST
            try:
                contract_services.save_report(
                    aci,
                    user,
                    year=year,
                    values=report_form.values(),
                    comment=report_form.cleaned_data["comment"],
                    submit=submit,
                )
            except ValidationError as error:
                report_form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Le rapport a été transmis à l’ARS et à l’Assurance Maladie.")
                    if submit
                    else _("Le rapport a été enregistré."),
                )
                return redirect(aci.report_url(year))
        evidence_form = EvidenceForm(
            request.POST if posted and action == EVIDENCE else None,
            request.FILES if posted and action == EVIDENCE else None,
            report=annual,
            auto_id="id_justificatif_%s",
        )
        if posted and action == EVIDENCE and evidence_form.is_valid():
            data = evidence_form.cleaned_data
            response = saved_or_none(
                request,
                evidence_form,
                lambda: contract_services.add_report_evidence(
                    aci,
                    user,
                    year=year,
                    upload=data["file"],
                    title=data["title"],
                    position=data["position"],
                ),
                _("La pièce justificative a été ajoutée au rapport."),
                aci.report_url(year) + "#justificatifs",
                error_field="file",
            )
            if response is not None:
                return response
    if can_review:
        data = request.POST if posted and action == REVIEW else None
        review_form = ReviewForm(data)
        if data is not None and review_form.is_valid():
            validate = review_form.cleaned_data["decision"] == ReviewForm.VALIDATE
            contract_services.review_report(
                annual, user, validate=validate, comment=review_form.cleaned_data["review_comment"]
            )
            messages.success(
                request,
                _("Le rapport est validé.")
                if validate
                else _("Le rapport est renvoyé à compléter."),
            )
            return redirect(contract_url(project, "annees", aci))
    context = {
        **report_context(project, aci, annual),
        "report_form": report_form,
        "review_form": review_form,
        "evidence_form": evidence_form,
    }
    return render(request, "projects/contract_report.html", context)


def indicator_rows(results: list[dict]) -> list[dict]:
    """A report's entries as its indicator table shows them (``_report_indicator_rows``):
    with the mission's label and the share of the target reached."""
    return [
        {
            **entry,
            "label": Mission(entry["mission"]).label,
            "share": rules.indicator_share(
                rules.decimal_or_none(entry.get("value")),
                rules.decimal_or_none(entry.get("target")),
            ),
        }
        for entry in results
    ]


def report_context(project: CptsProject, aci: AciContract, annual: AnnualReport) -> dict:
    """What the report's page and its PDF show: the year, each indicator with its share of
    the target, the variable part, the pièces justificatives."""
    year = annual.year
    versions = selectors.terms_versions(aci)
    variable = rules.variable_part(selectors.year_terms(aci, versions, year), annual.results)
    evidence = list(annual.evidence.select_related("uploaded_by")) if annual.pk else []
    for file in evidence:
        file.report = annual  # its name and URL read the report, the contract, the project
    annual.contract = aci
    aci.project = project
    by_position: dict = {}
    for file in evidence:
        by_position.setdefault(file.position, []).append(file)
    entries = indicator_rows(annual.results)
    for position, entry in enumerate(entries):
        entry["evidence"] = by_position.get(position, [])
    return {
        "project": project,
        "contract": aci,
        "report": annual,
        "year": year,
        "starts_on": rules.add_years(aci.signed_on, year - 1),
        "ends_on": rules.contract_end(aci.signed_on, year),
        "entries": entries,
        "variable": variable,
        "evidence": evidence,
        "pdf_url": aci.report_pdf_url(year),
        "page_title": _("Rapport annuel, année %(year)d") % {"year": year},
    }


@with_project
def report_evidence_download(
    request: HttpRequest, project: CptsProject, year: int, file_pk: int
) -> FileResponse:
    """A pièce justificative, to whoever sees the project (its coordinators, the staff)."""
    evidence = get_object_or_404(
        ReportEvidence.objects.select_related("report__contract"),
        pk=file_pk,
        report__year=year,
        report__contract__project=project,
    )
    evidence.report.contract.project = project
    return stored_file_response(evidence.file, evidence.download_name, evidence.content_type)


@with_project
def deliverable_download(request: HttpRequest, project: CptsProject, file_pk: int) -> FileResponse:
    """A deliverable of the contract, to whoever sees the project."""
    deliverable = get_object_or_404(
        ContractDeliverable.objects.select_related("contract"),
        pk=file_pk,
        contract__project=project,
    )
    deliverable.contract.project = project
    return stored_file_response(
        deliverable.file, deliverable.download_name, deliverable.content_type
    )


@with_project
def report_pdf(
    request: HttpRequest, project: CptsProject, year: int, contract_pk: int | None = None
) -> HttpResponse:
    """The annual report in PDF, for whoever sees the project."""
    aci = report_contract(project, year, contract_pk)
    annual = contract_services.report_for_year(aci, year)
    content = contract_pdf.report_pdf(report_context(project, aci, annual))
    response = HttpResponse(content, content_type="application/pdf")
    name = contract_pdf.report_filename(project, year)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Boards of the ARS and the Assurance Maladie ---------------------------------------------


@login_required
def contracts_board(request: HttpRequest) -> HttpResponse:
    """The signed contracts with, per contract, what is committed, due, paid and late, the
    annual reports late and the deadlines missed: the ARS and the Assurance Maladie."""
    require(permissions.can_see_contract_board(request.user))
    today = timezone.localdate()
    rows = contract_selectors.contracts_board(request.user, today)
    context = {
        "rows": rows,
        "today": today,
        "report_statuses": AnnualReport.Status.choices,
        "page_title": _("Suivi des contrats ACI"),
    }
    return render(request, "projects/contracts_board.html", context)


BOARD_CSV_HEADER = (
    _("Projet"),
    _("Signé le"),
    _("Échéance"),
    _("Année du contrat"),
    _("Du"),
    _("Au"),
    _("Échu (€)"),
    _("Versé (€)"),
    _("En retard (€)"),
    _("Rapport annuel"),
    _("Rapport en retard"),
    _("Échéances de mission dépassées"),
    _("Livrables en retard"),
    _("Contrat en cours"),
)


@login_required
def contracts_board_csv(request: HttpRequest) -> HttpResponse:
    """The board as CSV: one line per contract and contract year (cells neutralised); a
    renewed project's earlier contract reads « non » in the column « Contrat en cours »."""
    require(permissions.can_see_contract_board(request.user))
    today = timezone.localdate()
    response = HttpResponse(content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="contrats-aci-{today}.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response, delimiter=CSV_DELIMITER)
    writer.writerow([str(label) for label in BOARD_CSV_HEADER])
    statuses = dict(AnnualReport.Status.choices)
    for row in contract_selectors.contracts_board(request.user, today):
        aci = row.contract
        years = rules.contract_years(aci.signed_on, aci.term_years)
        periods = {year.number: year for year in years}
        for year in row.years:
            period = periods[year.year]
            cells = [
                aci.project.name,
                aci.signed_on.isoformat(),
                aci.ends_on.isoformat(),
                year.year,
                period.starts_on.isoformat(),
                period.ends_on.isoformat(),
                f"{year.due:.2f}",
                f"{year.paid:.2f}",
                f"{year.late:.2f}",
                str(statuses.get(year.report_status, _("Non commencé"))),
                _("oui") if year.report_late else _("non"),
                " ; ".join(row.missed_deadlines),
                " ; ".join(
                    str(ContractDeliverable.Code(code).label) for code in row.late_deliverables
                ),
                _("oui") if row.in_force else _("non"),
            ]
            writer.writerow([neutralise(str(cell)) for cell in cells])
    return response
