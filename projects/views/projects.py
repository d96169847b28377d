"""The project list and page, and the project-wide actions (edit, stage change, override)."""

import hashlib

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cpts_portal.fragments import versions
from projects import permissions, selectors, services, workflow
from projects.apps import BOARD_VERSION, PROJECT_FILTERS_VERSION
from projects.filters import ProjectFilter
from projects.forms import (
    DocumentForm,
    InvitationForm,
    LegalHolderForm,
    MilestoneForm,
    OverrideForm,
    ProjectForm,
    ProjectNameForm,
    TerritoryOverrideForm,
    TransitionForm,
)
from projects.models import CptsProject, LegalHolder, Milestone, Phase, Stage
from projects.models.choices import PIPELINE
from territories.builder import TerritoryBuilderForm
from territories.models import GEOGRAPHY_VERSION
from territories.permissions import EVERY_REGION, region_scope

from .common import add_uploaded_document, model_values, require, with_project

logout = auth_views.LogoutView.as_view(next_page=reverse_lazy("login"))


# Rows per page of the list: building and writing all 300 rows of a region was most of the
# page's time (issue 15).
PAGE_SIZE = 50


# The board's markup and counts, per process (``fragments`` cache), until a project changes.
BOARD_CACHE_SECONDS = 3600


def board_fragment(user: selectors.User) -> tuple[list[selectors.BoardCount], SafeString]:
    """The board's counts per stage and its markup (projects/_board.html): the same for every
    agent of a region (``region_scope``), in a language, until a project is saved or deleted
    (``BOARD_VERSION``, bumped by projects/apps.py). Reading the region's 300 projects and
    writing their links was a third of the page's time (issue 15)."""
    scope = region_scope(user)
    regions = "all" if scope is EVERY_REGION else ",".join(map(str, sorted(scope)))
    key = f"projects-board:{get_language()}:{regions}:{versions(BOARD_VERSION)}"
    cache = caches["fragments"]
    cached = cache.get(key)
    if cached is None:
        columns = selectors.pipeline_board(user)
        html = render_to_string("projects/_board.html", {"board": columns})
        # render_to_string's SafeString: the cache keeps its class.
        cached = ([(column.stage.value, column.count) for column in columns], html)
        cache.set(key, cached, BOARD_CACHE_SECONDS)
    counts, html = cached
    return [selectors.BoardCount(Stage(stage), count) for stage, count in counts], html


def filter_form_key(filterset: ProjectFilter, user: selectors.User) -> str:
    """The vary-on of the filter form's cached markup (projects/list.html adds the language):
    the versions of what its choices show, its data, and the agent's region scope, the one
    thing its querysets depend on (``coordinators_visible_to``; the départements' is fixed).
    ``fragments.form_key`` compiled the SQL of both querysets instead: a tenth of the page's
    time. Read from the filters' data: the form itself is built on a cache miss only (an
    unbound filter set never needs it)."""
    prefix = filterset.form_prefix
    data = [
        (name, filterset.data.getlist(f"{prefix}-{name}" if prefix else name))
        for name in filterset.filters  # the form's fields
        if filterset.is_bound
    ]
    scope = region_scope(user)
    regions = "all" if scope is EVERY_REGION else sorted(scope)
    digest = hashlib.blake2b(
        repr((type(filterset).__qualname__, filterset.is_bound, data, regions)).encode(),
        digest_size=16,
    ).hexdigest()
    return f"{versions(PROJECT_FILTERS_VERSION, GEOGRAPHY_VERSION)}:{digest}"


def paginate(rows: QuerySet, number: str | None) -> Page:
    """``Paginator(rows.values(*LIST_COLUMNS), PAGE_SIZE).get_page(number)`` in one query
    instead of two: the page's rows carry the number of all the rows (a window over them,
    counted before the LIMIT; PostgreSQL still computes the populations of the page's rows
    only). Past the last page, Django's answer: the last page (a COUNT, then its rows)."""
    paginator = Paginator(rows.values(*selectors.LIST_COLUMNS), PAGE_SIZE)
    try:
        wanted = int(number) if number is not None else 1
    except ValueError:
        wanted = 1  # Django's answer to a page that is not a number
    if wanted >= 1:
        start = (wanted - 1) * PAGE_SIZE
        counted = rows.annotate(total_rows=Window(Count("pk"))).values(
            *selectors.LIST_COLUMNS, "total_rows"
        )
        found = list(counted[start : start + PAGE_SIZE])
        if found or wanted == 1:
            # A cached property: set, the paginator counts no more.
            paginator.count = found[0]["total_rows"] if found else 0
            page = paginator.page(wanted)
            page.object_list = found
            return page
    return paginator.get_page(number)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """Staff: the pipeline board (counts per stage) and the filtered list, by pages of
    ``PAGE_SIZE``. Coordinators: their own projects. A constant number of queries whatever
    the number of rows."""
    is_staff_view = permissions.is_reader(request.user)
    rows = selectors.project_list(request.user)
    filterset = board = board_html = filters_key = None
    if is_staff_view:
        filterset = ProjectFilter(request.GET or None, queryset=rows, request=request)
        rows = filterset.qs
        board, board_html = board_fragment(request.user)
        filters_key = filter_form_key(filterset, request.user)
    page = paginate(rows, request.GET.get("page"))
    projects = selectors.list_cells(list(page.object_list))
    return render(
        request,
        "projects/list.html",
        {
            "projects": projects,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number),
            "filterset": filterset,
            "filters_key": filters_key,
            "filtered": bool(filterset and filterset.is_bound),
            "board": board,
            "board_html": board_html,
            "is_staff_view": is_staff_view,
            "can_create": permissions.can_manage(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    require(permissions.can_manage(request.user))
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        project = services.create_project(
            form.cleaned_data["name"],
            request.user,
            territory=form.cleaned_data["territory"],
            coordinators=form.cleaned_data["coordinators"],
            override_reason=form.cleaned_data["override_reason"] if form.blocking else "",
        )
        if project.territory_id is None:
            messages.success(
                request,
                _(
                    "Le projet a été créé. Construisez maintenant son territoire, commune par "
                    "commune ou par intercommunalité."
                ),
            )
            return redirect("projects:territory", pk=project.pk)
        messages.success(request, _("Le projet a été créé."))
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@with_project
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, project: CptsProject) -> HttpResponse:
    require(permissions.can_manage(request.user, project))
    # The form validates a copy: ``project`` keeps the saved values, so the service can
    # tell what changed and the page title shows the saved name.
    form = ProjectForm(
        request.POST or None, instance=CptsProject.objects.get(pk=project.pk), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(
                project,
                request.user,
                {name: form.cleaned_data[name] for name in ("name", "territory", "coordinators")},
                override_reason=form.cleaned_data["override_reason"] if form.blocking else "",
            )
        except ValidationError as error:
            # Checked again when saving (another request may have taken the territory).
            project.refresh_from_db()
            form.add_error("territory", error)
        else:
            messages.success(request, _("Le projet a été modifié."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@with_project
@require_http_methods(["GET", "POST"])
def project_name(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """The ARS names a project (the one created from an answer comes with a proposed name:
    ``services.create_project_from_submission``); also shown inline on the project page."""
    require(permissions.can_manage(request.user, project))
    form = ProjectNameForm(request.POST or None, initial={"name": project.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.name_project(project, request.user, form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error)
        else:
            messages.success(request, _("Le nom du projet a été enregistré."))
            return redirect(project)
    return render(
        request,
        "projects/name_form.html",
        {"project": project, "form": form, "page_title": _("Nom du projet")},
        status=422 if form.errors else 200,
    )


@with_project
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """The ARS invites a coordinator of the project, or a partner agent, by email
    (``services.invite_to_project``)."""
    require(permissions.can_manage(request.user, project))
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_to_project(project, request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("email", error)
        else:
            if invitation.needs_password:
                text = _(
                    "Invitation envoyée à %(email)s : le lien pour choisir un mot de passe est "
                    "valable 72 heures."
                )
            else:
                text = _("Le compte existant de %(email)s a été rattaché et prévenu par courriel.")
            messages.success(request, text % {"email": invitation.user.email})
            return redirect(f"{project.get_absolute_url()}#projet")
    return render(
        request,
        "projects/invitation_form.html",
        {
            "project": project,
            "form": form,
            "page_title": _("Inviter une personne"),
        },
        status=422 if form.errors else 200,
    )


@with_project
@require_http_methods(["GET", "POST"])
def territory_edit(request: HttpRequest, project: CptsProject) -> HttpResponse:
    """The ARS builds the project's territory with the territories app's builder.

    Without JavaScript: each « Mettre à jour le territoire » button (``territory_step``)
    re-renders the page with the new set, its population, size tier and warnings; the
    other projects it would overlap are listed before saving, and saving over an overlap
    asks for the reason of an override. See ``services.set_territory_communes``.
    """
    require(permissions.can_edit_territory(request.user, project))
    codes = (
        list(project.territory.communes.values_list("insee_code", flat=True))
        if project.territory_id
        else []
    )
    data = request.POST if request.method == "POST" else None
    builder = TerritoryBuilderForm(
        data,
        prefix="territory",
        allow_departement=True,
        initial_codes=codes,
        region=project.region,
    )
    reason_form = TerritoryOverrideForm(data)
    if data is not None:
        if "territory_step" in data:
            if builder.is_valid():
                builder = builder.next_step()
        elif builder.is_valid() and reason_form.is_valid():
            communes = builder.communes()
            blocking = selectors.blocking_projects(project, [c.pk for c in communes])
            reason = reason_form.cleaned_data["override_reason"].strip()
            if not communes:
                builder.add_error(None, _("Choisissez au moins une commune."))
            elif blocking and not reason:
                reason_form.add_error(
                    "override_reason",
                    _("Ces communes appartiennent déjà à un autre projet : indiquez le motif."),
                )
            else:
                try:
                    services.set_territory_communes(
                        project, request.user, communes, override_reason=reason if blocking else ""
                    )
                except ValidationError as error:
                    # The overlap rule checked again when saving (another project may have
                    # taken these communes since the page was shown).
                    project.refresh_from_db()
                    reason_form.add_error("override_reason", error)
                else:
                    messages.success(request, _("Le territoire du projet a été enregistré."))
                    return redirect(f"{project.get_absolute_url()}#projet")
    communes = builder.communes()
    return render(
        request,
        "projects/territory_form.html",
        {
            "project": project,
            "builder": builder,
            "reason_form": reason_form,
            "blocking": selectors.shown_projects(
                selectors.blocking_projects(project, [c.pk for c in communes]),
                request.user,
                project.region_id,
            ),
            "page_title": _("Territoire du projet"),
        },
    )


def stepper(project: CptsProject) -> dict:
    phases = list(Phase)
    index = phases.index(project.phase)
    return {
        "current": index + 1,
        "count": len(phases),
        "title": Stage(project.stage).label,
        "phase": project.phase.label,
        "next": phases[index + 1].label if index + 1 < len(phases) else None,
    }


def pipeline(project: CptsProject) -> list[dict]:
    """The main line of stages, each done, current or to come (for the page's list)."""
    position = project.pipeline_index
    steps = []
    for i, stage in enumerate(PIPELINE):
        state = "done" if i < position else ("current" if i == position else "todo")
        actual = Stage(project.stage)
        steps.append(
            {
                "label": stage.label,
                "state": state,
                # « à compléter »: the current step shows what really happened.
                "actual": actual.label if state == "current" and actual != stage else "",
            }
        )
    return steps


@with_project
def project_detail(request: HttpRequest, project: CptsProject) -> HttpResponse:
    return render_detail(request, project)


def render_detail(
    request: HttpRequest, project: CptsProject, document_form: DocumentForm | None = None
) -> HttpResponse:
    """The project page; with a refused upload form (``document_upload``), the page again
    (422) with the error next to the file field."""
    user = request.user
    kinds = permissions.generic_upload_kinds(user, project)
    refused_upload = document_form is not None
    if document_form is None and kinds:
        document_form = DocumentForm(kinds=kinds)
    contract = getattr(project, "contract", None)
    # Read once, for their sections and for what the letter and the projet de santé lack.
    holder = getattr(project, "legal_holder", None)  # with the project (project_queryset)
    documents = list(project.documents.select_related("uploaded_by"))
    kinds_present = {document.kind for document in documents}
    action_sheets = list(project.health_project.action_sheets.all())
    context = {
        "project": project,
        "stage": Stage(project.stage),
        "stepper": stepper(project),
        "pipeline": pipeline(project),
        "summary": project.territory.summary() if project.territory_id else None,
        "overlaps": selectors.overlaps_of(project, user),
        "holder": holder,
        "letter": project.letter,
        "letter_missing": selectors.letter_missing_items(
            project, kinds=kinds_present, has_legal_holder=holder is not None
        ),
        # The single avis of a region without the Guichet CPTS; the Guichet's in ``guichet``.
        "urps_opinions": list(
            project.urps_opinions.filter(review__isnull=True).select_related("author")
        ),
        "guichet": selectors.guichet_state(project),
        "health_project": project.health_project,
        "action_sheets": action_sheets,
        "health_project_missing": selectors.health_project_missing_items(
            project, kinds=kinds_present, has_action_sheet=bool(action_sheets)
        ),
        "am_opinions": list(project.am_opinions.select_related("author")),
        "contract": contract,
        "milestones": list(project.milestones.all()),
        "documents": documents,
        "events": list(project.events.select_related("author").order_by("-created_at", "-pk")),
        "transitions": [
            (target, workflow.find_rule(project, target))
            for target in workflow.allowed_targets(project, user)
        ],
        "document_form": document_form,
        "name_form": (
            ProjectNameForm(initial={"name": project.name})
            if project.name_suggested and permissions.can_manage(user, project)
            else None
        ),
        "can": {
            "manage": permissions.can_manage(user, project),
            "holder": permissions.can_edit_holder(user, project),
            "letter": permissions.can_edit_letter(user, project),
            "health_project": permissions.can_edit_health_project(user, project),
            "urps_opinion": permissions.can_give_urps_opinion_here(user, project),
            "guichet_transmit": permissions.can_transmit_guichet_opinion(user, project),
            "am_opinion": permissions.can_give_am_opinion(user, project),
            "milestones": permissions.can_edit_milestones(user, project),
            "territory": permissions.can_edit_territory(user, project),
        },
        "is_coordinator": permissions.is_coordinator_of(user, project),
    }
    return render(request, "projects/detail.html", context, status=422 if refused_upload else 200)


@with_project
@require_http_methods(["GET", "POST"])
def holder_edit(request: HttpRequest, project: CptsProject) -> HttpResponse:
    require(permissions.can_edit_holder(request.user, project))
    holder = getattr(project, "legal_holder", None) or LegalHolder(project=project)
    form = LegalHolderForm(request.POST or None, instance=holder)
    if request.method == "POST" and form.is_valid():
        services.save_legal_holder(project, request.user, model_values(form))
        messages.success(request, _("L’association porteuse a été enregistrée."))
        return redirect(project)
    return render(
        request,
        "projects/holder_form.html",
        {"project": project, "form": form, "page_title": _("Association porteuse")},
    )


def stage_change_title(rule: workflow.Transition) -> str:
    if rule.target == Stage.ABANDONED:
        return _("Abandonner le projet")
    if rule.needs_comment:
        return _("Renvoyer : %(stage)s") % {"stage": rule.target.label}
    return _("Passer à l’étape « %(stage)s »") % {"stage": rule.target.label}


@with_project
@require_http_methods(["GET", "POST"])
def stage_change(request: HttpRequest, project: CptsProject, target: str) -> HttpResponse:
    """Confirm a stage change (with reasons or data when needed) and apply it."""
    try:
        target = Stage(target)
    except ValueError as error:
        raise Http404 from error
    rule = workflow.find_rule(project, target)
    require(rule is not None and target in workflow.allowed_targets(project, request.user))
    form = TransitionForm(request.POST or None, rule=rule)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            workflow.transition(
                project,
                target,
                by=request.user,
                comment=form.cleaned_data["comment"],
                **form.transition_data(),
            )
        except workflow.TransitionNotAllowed as error:
            refusal = error
        else:
            messages.success(
                request, _("Le projet est passé à l’étape « %(stage)s ».") % {"stage": target.label}
            )
            return redirect(project)
    return render(
        request,
        "projects/stage_change.html",
        {
            "project": project,
            "target": target,
            "rule": rule,
            "form": form,
            "refusal": refusal,
            "page_title": stage_change_title(rule),
        },
        status=422 if refusal else 200,
    )


@with_project
@require_http_methods(["GET", "POST"])
def overlap_override(request: HttpRequest, project: CptsProject, other_pk: int) -> HttpResponse:
    require(permissions.can_manage(request.user, project))
    overlaps = selectors.overlaps_of(project, request.user)
    overlap = next((o for o in overlaps if o.other.pk == other_pk), None)
    # Another region's project the ARS may not read: overridden with the territory's
    # reason (``territory_edit``), never named on a page of its own.
    if overlap is None or overlap.hidden:
        raise Http404
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.record_overlap_override(
            project, overlap.other, form.cleaned_data["reason"], request.user
        )
        messages.success(request, _("La dérogation a été enregistrée."))
        return redirect(project)
    return render(
        request,
        "projects/override_form.html",
        {
            "project": project,
            "overlap": overlap,
            "form": form,
            "page_title": _("Dérogation au chevauchement de territoire"),
        },
    )


@with_project
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, project: CptsProject, milestone_pk: int) -> HttpResponse:
    require(permissions.can_edit_milestones(request.user, project))
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    form = MilestoneForm(request.POST or None, instance=Milestone.objects.get(pk=milestone.pk))
    if request.method == "POST" and form.is_valid():
        services.update_milestone(
            milestone, request.user, form.cleaned_data["due_on"], form.cleaned_data["done_on"]
        )
        messages.success(request, _("Le jalon a été mis à jour."))
        return redirect(f"{project.get_absolute_url()}#jalons")
    return render(
        request,
        "projects/milestone_form.html",
        {
            "project": project,
            "milestone": milestone,
            "form": form,
            "page_title": _("Dates du jalon"),
        },
    )


# The pages other than the project's own that hold the upload form, by their « retour ».
UPLOAD_PAGES = {
    "lettre": "projects:letter",
    "projet-de-sante": "projects:health_project",
    "contrat": "projects:contract",
}


def return_url(project: CptsProject, section: str) -> str:
    """Back to the page the upload form was on (only pages of this project)."""
    if section in UPLOAD_PAGES:
        return reverse(UPLOAD_PAGES[section], kwargs={"pk": project.pk})
    return f"{project.get_absolute_url()}#documents"


@with_project
@require_POST
def document_upload(request: HttpRequest, project: CptsProject) -> HttpResponse:
    kinds = permissions.generic_upload_kinds(request.user, project)
    require(bool(kinds))
    form = DocumentForm(request.POST, request.FILES, kinds=kinds)
    if add_uploaded_document(request, project, form) is not None:
        messages.success(request, _("Le document a été déposé."))
        return redirect(return_url(project, request.POST.get("retour", "")))
    if request.POST.get("retour", "") not in UPLOAD_PAGES:
        # From the project page's documents section: that page, the error by the file field.
        return render_detail(request, project, form)
    return render(
        request,
        "projects/document_form.html",
        {"project": project, "form": form, "page_title": _("Déposer un document")},
        status=422,
    )
