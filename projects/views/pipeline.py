"""The pages of the pipeline's documents: lettre d'intention, avis, projet de santé (the
contract's pages are in ``projects.views.contract``)."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cpts_portal.formsets import with_added_row
from cpts_portal.uploads import stored_file_response
from projects import pdf, permissions, selectors, services, workflow
from projects.forms import (
    ACTION_SHEETS_PREFIX,
    ActionSheetFormSet,
    AmOpinionForm,
    DocumentForm,
    GuichetTransmitForm,
    HealthProjectForm,
    LetterForm,
    UrpsOpinionForm,
)
from projects.models import CptsProject, Document, DocumentKind, HealthProject, Stage
from territories.permissions import in_region_scope

from .common import (
    add_uploaded_document,
    model_values,
    page_document_form,
    require,
    with_project,
)

DEPOSIT_LETTER = "deposer"


def letter_upload_kinds(request: HttpRequest, project: CptsProject) -> list[DocumentKind]:
    return [
        kind
        for kind in permissions.uploadable_kinds(request.user, project)
        if kind in (DocumentKind.LETTER, DocumentKind.CERFA)
    ]


@with_project
@require_http_methods(["GET", "POST"])
def letter(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """The lettre d'intention: read by everyone, written and deposited by the coordinators.

    One form holds the letter and its attachments, so nothing typed is lost: each button
    saves the letter first; « Déposer le document » (or any button with a file chosen)
    then adds the file, and a refused file brings the page back with the error next to the
    file field and the text as typed. « Enregistrer et déposer » goes to the confirmation
    page (``letter_deposit``) when nothing is missing, else lists what is.
    """
    editable = permissions.can_edit_letter(request.user, project)
    if request.method == "POST":
        require(editable)
    kinds = letter_upload_kinds(request, project)
    posted = request.method == "POST"
    form = (
        LetterForm(request.POST if posted else None, instance=project.letter) if editable else None
    )
    uploading, document_form = page_document_form(request, kinds)
    refusal = None
    status = 200
    if form is not None and posted and form.is_valid():
        services.save_letter(project, request.user, model_values(form))
        uploaded = None
        if uploading and document_form is not None:
            uploaded = add_uploaded_document(request, project, document_form)
        if uploading and uploaded is None:
            # The text is saved; the page comes back with the file's error and the text.
            status = 422
        elif DEPOSIT_LETTER in request.POST:
            missing = selectors.letter_missing_items(project)
            if not missing:
                return redirect("projects:letter_deposit", pk=project.pk)
            refusal = workflow.TransitionNotAllowed(
                _("La lettre d’intention ne peut pas encore être déposée."), missing=missing
            )
            status = 422
        else:
            if uploaded is not None:
                messages.success(
                    request,
                    _("La lettre d’intention a été enregistrée et le document « %(name)s » déposé.")
                    % {"name": uploaded.original_name},
                )
                return redirect(f"{reverse('projects:letter', kwargs={'pk': project.pk})}#pieces")
            messages.success(request, _("La lettre d’intention a été enregistrée."))
            return redirect("projects:letter", pk=project.pk)
    elif posted:
        status = 422
    documents = selectors.latest_documents(project)
    context = {
        "project": project,
        "letter": project.letter,
        "form": form,
        "refusal": refusal,
        "missing": selectors.letter_missing_items(project),
        "letter_document": documents.get(DocumentKind.LETTER),
        "cerfa_document": documents.get(DocumentKind.CERFA),
        "document_form": document_form,
        "letter_fields": letter_fields(project.letter),
        "saved_with_refused_file": status == 422 and uploading and not refusal,
    }
    return render(request, "projects/letter.html", context, status=status)


@with_project
@require_http_methods(["GET", "POST"])
def letter_deposit(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """Confirm the deposit of the lettre d'intention: the checklist of what is sent, then
    « Confirmer le dépôt ». Refused, with what is missing, while an item is (association
    porteuse, contents, commitment, documents: ``rules.letter_missing_items``)."""
    require(
        permissions.can_edit_letter(request.user, project)
        and Stage.LETTER_DEPOSITED in workflow.allowed_targets(project, request.user)
    )
    refusal = None
    if request.method == "POST":
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
    else:
        missing = selectors.letter_missing_items(project)
        if missing:
            refusal = workflow.TransitionNotAllowed(
                _("La lettre d’intention ne peut pas encore être déposée."), missing=missing
            )
    return render(
        request,
        "projects/letter_deposit.html",
        {
            "project": project,
            "checklist": selectors.letter_checklist(project),
            "refusal": refusal,
            "page_title": _("Déposer la lettre d’intention"),
        },
        status=422 if refusal and request.method == "POST" else 200,
    )


def letter_fields(letter) -> list[tuple[str, str]]:
    """(label, value) of the letter's contents, for reading."""
    rows = []
    for name in LetterForm._meta.fields:
        value = getattr(letter, name)
        if isinstance(value, bool):
            value = _("Oui") if value else _("Non")
        rows.append((capfirst(letter._meta.get_field(name).verbose_name), value))
    return rows


def hide_other_region(request: HttpRequest, project: CptsProject) -> None:
    """404 for a partner agent of another region (the Guichet's pages)."""
    user = request.user
    if permissions.is_partner_staff(user) and not in_region_scope(user, project.region_id):
        raise Http404


@with_project
@require_http_methods(["GET", "POST"])
def urps_opinion(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """The URPS avis on the deposited letter: the single one, or, in a region that uses
    the Guichet CPTS, the avis of the agent's URPS (its former one to correct, if any)."""
    guichet = permissions.uses_guichet(project)
    if guichet:
        hide_other_region(request, project)
    require(permissions.can_give_urps_opinion_here(request.user, project))
    urps = permissions.guichet_urps(request.user, project) if guichet else None
    review = selectors.guichet_review_of_deposit(project) if guichet else None
    former = review.opinions.filter(institution=urps).first() if review else None
    form = UrpsOpinionForm(request.POST or None, instance=former)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            if guichet:
                services.give_guichet_opinion(project, request.user, **form.cleaned_data)
            else:
                services.record_urps_opinion(project, request.user, **form.cleaned_data)
        except workflow.TransitionNotAllowed as error:
            refusal = error
        else:
            if guichet:
                messages.success(
                    request,
                    _(
                        "L’avis de %(urps)s a été enregistré. Le Guichet CPTS le transmettra à "
                        "l’ARS avec ceux des autres URPS."
                    )
                    % {"urps": urps.name},
                )
            else:
                messages.success(
                    request, _("L’avis des URPS a été enregistré et transmis à l’ARS.")
                )
            return redirect(project)
    return render(
        request,
        "projects/urps_opinion_form.html",
        {
            "project": project,
            "form": form,
            "refusal": refusal,
            "urps": urps,
            "former": former,
            "page_title": (
                _("Avis de %(urps)s (Guichet CPTS)") % {"urps": urps.name}
                if urps
                else _("Avis des URPS (Guichet CPTS)")
            ),
        },
    )


@with_project
@require_http_methods(["GET", "POST"])
def guichet_transmit(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """« Transmettre l’avis consolidé » to the ARS: the avis of each URPS, their counts per
    criterion, an optional synthesis, then the project moves on (ARS or URPS of the region)."""
    hide_other_region(request, project)
    require(permissions.can_transmit_guichet_opinion(request.user, project))
    form = GuichetTransmitForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            services.transmit_guichet_opinion(
                project, request.user, comment=form.cleaned_data["comment"]
            )
        except workflow.TransitionNotAllowed as error:
            refusal = error
        else:
            messages.success(request, _("L’avis consolidé du Guichet CPTS a été transmis à l’ARS."))
            return redirect(project)
    return render(
        request,
        "projects/guichet_transmit.html",
        {
            "project": project,
            "form": form,
            "refusal": refusal,
            "guichet": selectors.guichet_state(project),
            "page_title": _("Transmettre l’avis consolidé du Guichet CPTS"),
        },
        status=422 if refusal else 200,
    )


@with_project
@require_http_methods(["GET", "POST"])
def am_opinion(request: HttpRequest, project: CptsProject) -> HttpResponse:
    require(permissions.can_give_am_opinion(request.user, project))
    form = AmOpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.record_am_opinion(project, request.user, **form.cleaned_data)
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
    editable = permissions.can_edit_health_project(request.user, project)
    if request.method == "POST":
        require(editable)
    instance = project.health_project
    form = formset = None
    kinds = [
        kind
        for kind in permissions.uploadable_kinds(request.user, project)
        if kind == DocumentKind.HEALTH_PROJECT
    ]
    # As on the letter's page, the upload is part of the page's form: the text is saved
    # first, and a refused file comes back with its error and the text as typed.
    uploading, document_form = page_document_form(request, kinds)
    status = 200
    if editable:
        data = request.POST or None
        added = (
            with_added_row(request.POST, {ACTION_SHEETS_PREFIX: ActionSheetFormSet})
            if data
            else None
        )
        if added is not None:
            # « Ajouter une fiche-action »: the same page with one more row, nothing saved.
            form = HealthProjectForm(added, instance=instance)
            formset = ActionSheetFormSet(added, instance=instance, prefix=ACTION_SHEETS_PREFIX)
            for row in formset:
                row.helper.form_show_errors = False
            data = None
            if document_form is not None:
                document_form = DocumentForm(kinds=kinds)
        else:
            form = HealthProjectForm(data, instance=instance)
            formset = ActionSheetFormSet(data, instance=instance, prefix=ACTION_SHEETS_PREFIX)
        if data is not None and form.is_valid() and formset.is_valid():
            services.save_health_project(
                project, request.user, model_values(form), action_sheet_rows(formset)
            )
            url = reverse("projects:health_project", kwargs={"pk": project.pk})
            if not uploading or document_form is None:
                messages.success(request, _("Le projet de santé a été enregistré."))
                return redirect(url)
            uploaded = add_uploaded_document(request, project, document_form)
            if uploaded is not None:
                messages.success(
                    request,
                    _("Le projet de santé a été enregistré et le document « %(name)s » déposé.")
                    % {"name": uploaded.original_name},
                )
                return redirect(f"{url}#document")
            status = 422
            # The text is saved: show it as saved (a new fiche-action has its id now, so
            # sending the page again does not add it twice).
            instance = HealthProject.objects.get(pk=instance.pk)
            form = HealthProjectForm(instance=instance)
            formset = ActionSheetFormSet(instance=instance, prefix=ACTION_SHEETS_PREFIX)
    context = {
        "project": project,
        "health_project": instance,
        "action_sheets": list(instance.action_sheets.all()),
        "form": form,
        "formset": formset,
        "missing": selectors.health_project_missing_items(project),
        "document": selectors.latest_documents(project).get(DocumentKind.HEALTH_PROJECT),
        "document_form": document_form,
        "saved_with_refused_file": status == 422,
        "can_deposit": Stage.HEALTH_PROJECT_DEPOSITED
        in workflow.allowed_targets(project, request.user),
        "deposit_target": Stage.HEALTH_PROJECT_DEPOSITED,
    }
    return render(request, "projects/health_project.html", context, status=status)


def action_sheet_rows(formset) -> list[services.ActionSheetRow]:
    """The rows of a valid fiches-actions formset that changed, as plain data (a new row
    ticked for deletion is dropped, as ``BaseModelFormSet.save`` does)."""
    deleted = formset.deleted_forms
    rows = []
    for row in formset.forms:
        if row in deleted:
            if row.instance.pk is not None:
                rows.append(services.ActionSheetRow(values={}, pk=row.instance.pk, delete=True))
        elif row.has_changed():
            rows.append(services.ActionSheetRow(values=model_values(row), pk=row.instance.pk))
    return rows


@with_project
def document_download(request: HttpRequest, project: CptsProject, document_pk: int) -> FileResponse:
    """Serve an uploaded file, only to who may see the project, as an attachment."""
    document = get_object_or_404(Document, pk=document_pk, project=project)
    document.project = project
    # Name and type are the portal's (kind, project, detected type), never the uploader's.
    return stored_file_response(document.file, document.download_name, document.content_type)


@with_project
def project_pdf(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """The « fiche projet » in PDF, for those who see the project (coordinators, staff)."""
    project = pdf.fiche_project(project.pk)
    response = HttpResponse(pdf.project_pdf(project), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.pdf_filename(project)}"'
    response["Cache-Control"] = "private, no-store"
    return response
