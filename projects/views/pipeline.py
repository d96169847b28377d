"""The pages of the pipeline's documents: lettre d'intention, avis, projet de santé, contract."""

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from projects import rules, selectors, services, workflow
from projects.forms import (
    ActionSheetFormSet,
    AmOpinionForm,
    ContractMissionsForm,
    DialogueForm,
    DocumentForm,
    HealthProjectForm,
    LetterForm,
    UrpsOpinionForm,
)
from projects.models import CptsProject, Document, DocumentKind, ProjectEvent, Stage
from projects.rules import CONTRACT_DOCUMENTS

from .common import require, with_project

DEPOSIT_LETTER = "deposer"


@with_project
@require_http_methods(["GET", "POST"])
def letter(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """The lettre d'intention: read by everyone, written and deposited by the coordinators."""
    editable = rules.can_edit_letter(request.user, project)
    if request.method == "POST":
        require(editable)
    form = LetterForm(request.POST or None, instance=project.letter) if editable else None
    refusal = None
    if form is not None and request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            services.record_edit(
                project,
                request.user,
                _("Lettre d’intention"),
                [str(form.fields[name].label) for name in form.changed_data],
            )
        if DEPOSIT_LETTER not in request.POST:
            messages.success(request, _("La lettre d’intention a été enregistrée."))
            return redirect("projects:letter", pk=project.pk)
        try:
            workflow.transition(project, Stage.LETTER_DEPOSITED, by=request.user)
        except workflow.TransitionNotAllowed as error:
            refusal = error
        else:
            messages.success(
                request,
                _(
                    "La lettre d’intention a été déposée auprès du Guichet CPTS pour l’avis "
                    "des URPS."
                ),
            )
            return redirect(project)
    kinds = [
        kind
        for kind in rules.uploadable_kinds(request.user, project)
        if kind in (DocumentKind.LETTER, DocumentKind.CERFA)
    ]
    documents = selectors.latest_documents(project)
    context = {
        "project": project,
        "letter": project.letter,
        "form": form,
        "refusal": refusal,
        "missing": selectors.letter_missing_items(project),
        "letter_document": documents.get(DocumentKind.LETTER),
        "cerfa_document": documents.get(DocumentKind.CERFA),
        "document_form": DocumentForm(kinds=kinds) if kinds else None,
        "letter_fields": letter_fields(project.letter),
    }
    return render(request, "projects/letter.html", context, status=422 if refusal else 200)


def letter_fields(letter) -> list[tuple[str, str]]:
    """(label, value) of the letter's contents, for reading."""
    rows = []
    for name in LetterForm._meta.fields:
        value = getattr(letter, name)
        if isinstance(value, bool):
            value = _("Oui") if value else _("Non")
        rows.append((capfirst(letter._meta.get_field(name).verbose_name), value))
    return rows


@with_project
@require_http_methods(["GET", "POST"])
def urps_opinion(request: HttpRequest, project: CptsProject) -> HttpResponse:
    require(rules.can_give_urps_opinion(request.user, project))
    form = UrpsOpinionForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            services.record_urps_opinion(project, form.save(commit=False), request.user)
        except workflow.TransitionNotAllowed as error:
            refusal = error
        else:
            messages.success(request, _("L’avis des URPS a été enregistré et transmis à l’ARS."))
            return redirect(project)
    return render(
        request,
        "projects/urps_opinion_form.html",
        {
            "project": project,
            "form": form,
            "refusal": refusal,
            "page_title": _("Avis des URPS (Guichet CPTS)"),
        },
    )


@with_project
@require_http_methods(["GET", "POST"])
def am_opinion(request: HttpRequest, project: CptsProject) -> HttpResponse:
    require(rules.can_give_am_opinion(request.user, project))
    form = AmOpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.record_am_opinion(project, form.save(commit=False), request.user)
        messages.success(request, _("L’avis de l’Assurance Maladie a été enregistré."))
        return redirect(project)
    return render(
        request,
        "projects/am_opinion_form.html",
        {"project": project, "form": form, "page_title": _("Avis de l’Assurance Maladie")},
    )


@with_project
@require_http_methods(["GET", "POST"])
def health_project(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """The projet de santé: diagnostic, missions, fiches-actions, governance."""
    editable = rules.can_edit_health_project(request.user, project)
    if request.method == "POST":
        require(editable)
    instance = project.health_project
    form = formset = None
    if editable:
        data = request.POST or None
        form = HealthProjectForm(data, instance=instance)
        formset = ActionSheetFormSet(data, instance=instance, prefix="actions")
        if data is not None and form.is_valid() and formset.is_valid():

            def save() -> None:
                form.save()
                formset.save()
                changed = [str(form.fields[name].label) for name in form.changed_data]
                if formset.has_changed():
                    changed.append(_("fiches-actions"))
                services.record_edit(project, request.user, _("Projet de santé"), changed)

            services.save_health_project(project, request.user, save)
            messages.success(request, _("Le projet de santé a été enregistré."))
            return redirect("projects:health_project", pk=project.pk)
    kinds = [
        kind
        for kind in rules.uploadable_kinds(request.user, project)
        if kind == DocumentKind.HEALTH_PROJECT
    ]
    context = {
        "project": project,
        "health_project": instance,
        "action_sheets": list(instance.action_sheets.all()),
        "form": form,
        "formset": formset,
        "missing": selectors.health_project_missing_items(project),
        "document": selectors.latest_documents(project).get(DocumentKind.HEALTH_PROJECT),
        "document_form": DocumentForm(kinds=kinds) if kinds else None,
        "can_deposit": Stage.HEALTH_PROJECT_DEPOSITED
        in workflow.allowed_targets(project, request.user),
        "deposit_target": Stage.HEALTH_PROJECT_DEPOSITED,
    }
    return render(request, "projects/health_project.html", context)


@with_project
@require_http_methods(["GET", "POST"])
def contract(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """The ACI contract: term, missions, funding simulation, dialogues de gestion, avenants."""
    aci = getattr(project, "contract", None)
    can_follow = aci is not None and rules.can_follow_contract(request.user, project)
    if request.method == "POST":
        require(can_follow)
    missions_form = dialogue_form = None
    if can_follow:
        is_missions = request.method == "POST" and "missions_submit" in request.POST
        is_dialogue = request.method == "POST" and not is_missions
        missions_form = ContractMissionsForm(
            request.POST if is_missions else None, initial={"missions": aci.missions}
        )
        dialogue_form = DialogueForm(request.POST if is_dialogue else None)
        if is_missions and missions_form.is_valid():
            with transaction.atomic():
                aci.missions = missions_form.cleaned_data["missions"]
                aci.save(update_fields=["missions"])
                ProjectEvent.objects.create(
                    project=project,
                    kind=ProjectEvent.Kind.CONTRACT,
                    author=request.user,
                    comment=_("Missions du contrat ACI modifiées"),
                )
            messages.success(request, _("Les missions du contrat ont été enregistrées."))
            return redirect("projects:contract", pk=project.pk)
        if is_dialogue and dialogue_form.is_valid():
            with transaction.atomic():
                dialogue = dialogue_form.save(commit=False)
                dialogue.contract = aci
                dialogue.recorded_by = request.user
                dialogue.save()
                ProjectEvent.objects.create(
                    project=project,
                    kind=ProjectEvent.Kind.CONTRACT,
                    author=request.user,
                    comment=_("Dialogue de gestion (année %(year)d) du %(date)s")
                    % {"year": dialogue.year, "date": dialogue.held_on.strftime("%d/%m/%Y")},
                )
            messages.success(request, _("Le dialogue de gestion a été enregistré."))
            return redirect("projects:contract", pk=project.pk)
    missions = aci.missions if aci else project.health_project.missions
    kinds = [
        kind for kind in rules.uploadable_kinds(request.user, project) if kind in CONTRACT_DOCUMENTS
    ]
    context = {
        "project": project,
        "contract": aci,
        "simulation": selectors.funding_simulation(project, missions),
        "missions": [label for label in (aci or project.health_project).mission_labels()],
        "dialogues": list(aci.dialogues.select_related("recorded_by")) if aci else [],
        "amendments": list(
            project.documents.filter(kind=DocumentKind.AMENDMENT).select_related("uploaded_by")
        ),
        "contract_documents": list(project.documents.filter(kind=DocumentKind.ACI_CONTRACT)),
        "missions_form": missions_form,
        "dialogue_form": dialogue_form,
        "document_form": DocumentForm(kinds=kinds) if kinds else None,
    }
    return render(request, "projects/contract.html", context)


@with_project
def document_download(request: HttpRequest, project: CptsProject, document_pk: int):
    """Serve an uploaded file, only to who may see the project, as an attachment."""
    document = get_object_or_404(Document, pk=document_pk, project=project)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
