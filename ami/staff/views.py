"""Staff pages: the dashboard and a submission's page with its triage actions.

Views stay thin: forms validate, ``ami.staff.services`` act, ``ami.workflow`` decides who
may do what. Every action is a POST answered by a redirect (or the page with the form's
errors); a refused action comes back as a message.
"""

import functools
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpts_portal.error_summary import error_summary
from cpts_portal.fragments import versions
from territories.models import GEOGRAPHY_VERSION
from territories.selectors import territory_overview

from .. import exports, workflow
from ..apps import STAFF_FILTERS_VERSION
from ..attachment_forms import StaffMessageForm
from ..audit import Action as AccessAction
from ..audit import access_log, record_access
from ..filters import SubmissionFilter
from ..models import Exchange, Submission
from ..workflow import Action, ActionNotAllowed
from . import services
from .access import staff_required
from .columns import COLUMNS, clean_columns, header_cells
from .forms import (
    AssignForm,
    BulkActionForm,
    CloseForm,
    ColumnsForm,
    ExchangeForm,
    NoteForm,
    OpinionForm,
    OrientForm,
    ResendLinkForm,
    StatusForm,
    exchange_choices,
)
from .selectors import (
    access_log_markup,
    dashboard_columns,
    dashboard_listing,
    digest,
    kept_exchange,
    query_items,
    region_departements,
    related_submissions,
    related_token,
    role_allows,
    scope_key,
    staff_submission,
    staff_submissions,
    timeline,
)

PAGE_SIZE = 25
COLUMNS_SESSION_KEY = "staff_dashboard_columns"
ALL_COLUMNS = [column.key for column in COLUMNS]
MESSAGE_PREFIX = "message"  # « Écrire aux référents », with or without a file
MAX_SELECTION = 200  # as many as a zip of the filtered list (``report_views.MAX_BATCH``)
READ_BULK_ACTIONS = ("csv", "xlsx", "ods", "pdf")  # the bulk actions that change nothing


def filtered(request: HttpRequest, data: QueryDict | None = None) -> SubmissionFilter:
    """The dashboard's filters (and sort) applied to the staff list, from the query string.

    Shared by the list, its exports, its statistics and its PDF batches. The départements
    offered are those of the campaign's region (the chosen campaign, else every campaign).
    """
    data = request.GET if data is None else data
    filterset = SubmissionFilter(data, queryset=staff_submissions(request.user), request=request)
    campaign = data.get("campaign", "")
    filterset.filters["departement"].queryset = region_departements(
        request.user,
        int(campaign) if campaign.isascii() and campaign.isdigit() and len(campaign) < 10 else None,
    )
    return filterset


def shown_columns(request: HttpRequest) -> list[str]:
    """The agent's columns: kept in the session once read (no query per page after)."""
    columns = request.session.get(COLUMNS_SESSION_KEY)
    if not isinstance(columns, list):
        columns = dashboard_columns(request.user)
        request.session[COLUMNS_SESSION_KEY] = columns
    return clean_columns(columns)


def dashboard_context(request: HttpRequest) -> dict:
    user = request.user
    columns = shown_columns(request)
    shown = set(columns)
    # The filter set, the bulk form and their querysets are built only when something is
    # computed or rendered afresh: the counts, rows and forms kept need none of them.
    filters = functools.cache(lambda: filtered(request))
    listing = dashboard_listing(user, request.GET, filters, PAGE_SIZE, ALL_COLUMNS, shown)
    page = listing.page
    scope = scope_key(user)
    return {
        "filterset": SimpleLazyObject(filters),
        # The filter form's markup follows the query string and the regions read (its
        # choices): no queryset compiled to name them (``fragment_key`` does).
        "filters_key": versions(STAFF_FILTERS_VERSION, GEOGRAPHY_VERSION)
        + ":"
        + digest(scope, query_items(request.GET, "page")),
        "filters_invalid": listing.invalid,
        "page": page,
        "rows": listing.rows,
        "rows_markup": listing.rows_markup,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "status_counts": listing.counts,
        "current_status": request.GET.get("status", ""),
        "mine_count": listing.mine_count,
        "mine": listing.mine,
        "shown": shown,
        # Every column, the hidden ones too: the script shows a column as soon as it is chosen.
        "headers": header_cells(ALL_COLUMNS, request.GET.get("tri", "")),
        "columns_form": ColumnsForm(prefix="colonnes", initial={"columns": columns}),
        "bulk_form": SimpleLazyObject(
            lambda: BulkActionForm(prefix="lot", queryset=Submission.objects.none(), user=user)
        ),
        # Its agents are those of the regions read.
        "bulk_key": versions(STAFF_FILTERS_VERSION) + ":" + digest(scope),
        "can_assign": workflow.can(user, Action.ASSIGN),
        "can_move": any(workflow.can(user, action) for action in services.PLAIN_MOVES),
    }


@staff_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "ami/staff/dashboard.html", dashboard_context(request))


def back_to_dashboard(request: HttpRequest) -> HttpResponse:
    """To the dashboard, with the filters the form came from (its ``retour`` field)."""
    query = request.POST.get("retour", "")
    url = reverse("staff:dashboard")
    if query.startswith("?") and url_has_allowed_host_and_scheme(
        url + query, allowed_hosts={request.get_host()}
    ):
        url += query
    return redirect(url)


@require_POST
@staff_required()
def save_columns(request: HttpRequest) -> HttpResponse:
    """Remember the columns chosen; the dashboard comes back with them."""
    form = ColumnsForm(request.POST, prefix="colonnes")
    in_background = request.headers.get("X-Requested-With") == "fetch"  # the script's save
    if form.is_valid():
        columns = services.save_dashboard_columns(request.user, form.cleaned_data["columns"])
        request.session[COLUMNS_SESSION_KEY] = columns
        if in_background:
            return HttpResponse(status=204)
        messages.success(request, _("Les colonnes choisies sont enregistrées."))
    else:
        if in_background:
            return HttpResponse(status=400)
        messages.error(request, _("Ces colonnes n’existent pas."))
    return back_to_dashboard(request)


@require_POST
@staff_required()
def bulk_action(request: HttpRequest) -> HttpResponse:
    """An action on the answers ticked in the table: attribution, status, export or PDF zip.

    Each answer is acted on by itself: the ones the role or the workflow refuses are
    reported one by one, with the reason; the others are done.
    """
    if len(request.POST.getlist("lot-selection")) > MAX_SELECTION:
        messages.error(
            request, _("Plus de %(max)d réponses sélectionnées.") % {"max": MAX_SELECTION}
        )
        return back_to_dashboard(request)
    if request.POST.get("lot-action") not in READ_BULK_ACTIONS and not workflow.can_write(
        request.user
    ):
        raise PermissionDenied  # the national level reads, exports, never changes an answer
    form = BulkActionForm(
        request.POST, prefix="lot", queryset=staff_submissions(request.user), user=request.user
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back_to_dashboard(request)
    selection = list(form.cleaned_data["selection"].order_by("pk"))
    action = form.cleaned_data["action"]
    if action in ("csv", "xlsx", "ods"):
        return export_selection(request, selection, action)
    if action == "pdf":
        batch = services.create_pdf_batch(
            request.user,
            [s.pk for s in selection],
            filters={"selection": [s.reference for s in selection]},
        )
        return redirect("staff:batch", pk=batch.pk)
    try:
        if action == "assign":
            workflow.require(request.user, Action.ASSIGN)
            outcomes = services.bulk_assign(
                selection, form.cleaned_data["assignee"], by=request.user
            )
            done = _("Attribution enregistrée pour %(count)d réponse(s).")
        else:
            outcomes = services.bulk_change_status(
                selection, form.cleaned_data["to"], by=request.user
            )
            done = _("Statut modifié pour %(count)d réponse(s).")
    except ActionNotAllowed as refusal:
        messages.error(request, str(refusal))
        return back_to_dashboard(request)
    report_outcomes(request, outcomes, done)
    return back_to_dashboard(request)


def report_outcomes(request: HttpRequest, outcomes: list, done: str) -> None:
    succeeded = [outcome for outcome in outcomes if outcome.done]
    if succeeded:
        messages.success(request, done % {"count": len(succeeded)})
    for outcome in outcomes:
        if not outcome.done:
            messages.error(
                request,
                _("%(reference)s non modifiée : %(reason)s")
                % {"reference": outcome.submission.reference, "reason": outcome.error},
            )


def export_selection(request: HttpRequest, selection: list[Submission], extension: str):
    """The ticked answers as a file; logged with their references."""
    queryset = (
        staff_submissions(request.user).filter(pk__in=[s.pk for s in selection]).order_by("pk")
    )
    record_access(
        request.user,
        AccessAction.EXPORT,
        reference=_("Sélection de réponses (%(format)s)") % {"format": extension.upper()},
        details={
            "format": extension,
            "filters": {"selection": [s.reference for s in selection]},
            "rows": len(selection),
        },
    )
    return exports.export_response(queryset, extension)


def get_submission(request: HttpRequest, pk: int) -> Submission:
    """The answer, if it is of a region the user reads (else a 404, as if it did not exist)."""
    try:
        return staff_submission(pk, request.user)
    except Submission.DoesNotExist as missing:
        raise Http404 from missing


def detail_context(
    request: HttpRequest, submission: Submission, bound: dict[str, forms.Form]
) -> dict:
    """Everything the submission page shows; ``bound`` replaces a blank form with errors."""
    user = request.user
    actions = workflow.allowed_actions(submission, user)
    token = related_token()
    related = related_submissions(submission, user, token)
    exchange = kept_exchange(submission)
    blank: dict[str, Callable[[], forms.Form]] = {
        Action.ASSIGN: lambda: AssignForm(
            prefix="attribution",
            initial={"assignee": submission.assignee_id},
            region_id=submission.campaign.region_id,
        ),
        Action.PLAN_EXCHANGE: lambda: ExchangeForm(
            prefix="echange", initial=exchange_initial(exchange)
        ),
        Action.ORIENT: lambda: OrientForm(
            prefix="orientation", submission=submission, related=related, exchange=exchange
        ),
        Action.CLOSE: lambda: CloseForm(prefix="cloture"),
        Action.COMMENT: lambda: NoteForm(prefix="note"),
        Action.GIVE_OPINION: lambda: OpinionForm(prefix="avis"),
        Action.MESSAGE: lambda: StaffMessageForm(prefix=MESSAGE_PREFIX),
        Action.RESEND_LINK: lambda: ResendLinkForm(prefix="lien"),
    }
    offered = [action for action in blank if action in actions]
    # Built only if rendered: their markup is kept (``kept_form_keys``).
    action_forms: dict[str, forms.Form] = {
        f"{action.value}_form": BlankForm(blank[action]) for action in offered
    }
    action_forms.update(bound)
    # The same territory blocks and forms for the same answer, regions read and versions
    # (its territory, the related answers' rows, the agents, the geography): kept per
    # process, like the dashboard's rows.
    same_territory = digest(submission.pk, scope_key(user), token)
    log = list(access_log(submission)) if Action.PERSONAL_DATA in actions else None
    plain_moves = [
        t
        for t in workflow.TRANSITIONS
        if t.source == submission.status
        and t.action in services.PLAIN_MOVES
        and t.action in actions
    ]
    return {
        "submission": submission,
        # Read only when the territory block is rendered afresh (kept like the next one).
        "territory_summary": SimpleLazyObject(
            lambda: territory_overview(submission.territory, region=submission.campaign.region.name)
        ),
        "timeline": timeline(submission),
        # Read only when the block is rendered afresh.
        "related": SimpleLazyObject(lambda: list(related)),
        "same_territory_key": same_territory,
        "kept_forms": kept_form_keys(action_forms, same_territory, submission, exchange),
        "exchange": exchange,
        "plain_moves": plain_moves,
        "status_form": StatusForm(prefix="statut"),
        "can": {action.value: action in actions for action in Action},
        # URPS and Assurance Maladie see fewer forms: the page says what their role allows.
        "role_allows": [] if Action.ASSIGN in actions else role_allows(user),
        # Who opened this answer's personal data: for the ARS only.
        "access_log": log,
        "access_log_rows": access_log_markup(log or ()),
        "link_expired": submission.private_link_has_expired(),
        # A form sent back with errors: the page title says « Erreur » (RGAA 8.6), and the
        # summary at the top takes the focus (RGAA 11.10). Errors of hidden fields are
        # messages already (``report_hidden_errors``).
        "has_errors": any(form.errors for form in bound.values()),
        "error_summary": error_summary(*bound.values(), hidden=False),
        **action_forms,
    }


class BlankForm(SimpleLazyObject):
    """A blank action form, built on first use: its markup is usually kept
    (``kept_form_keys``), and the page then only asks whether it is offered (yes) and
    whether it has errors (a blank form has none)."""

    is_bound = False
    errors: dict = {}  # never written: a blank form's errors are none

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, name: str) -> object:
        # The template language reads ``form.errors`` as ``form["errors"]`` first (and its
        # attribute lookup asks the lazy object its class: it would build the form).
        if name == "errors":
            return self.errors
        return super().__getitem__(name)


def kept_form_keys(
    action_forms: dict[str, forms.Form],
    same_territory: str,
    submission: Submission,
    exchange: Exchange | None,
) -> dict[str, str]:
    """The keys under which the blank action forms' markup is kept (crispy's templates, a
    template per radio or checkbox: some 40 ms of the page), by form: what its markup
    depends on besides the language, read from what the form is made of (``detail_context``
    builds it from the same), so that a page whose forms are kept builds none. A form sent
    back with its errors has none: it is rendered."""
    keys = {}
    for name, form in action_forms.items():
        if form.is_bound:
            continue
        if name == "assign_form":  # the region's agents (their names: the versions)
            what: object = (same_territory, submission.campaign.region_id, submission.assignee_id)
        elif name == "orient_form":  # the related answers, the exchange to keep or cancel
            upcoming = exchange is not None and exchange.is_upcoming
            what = (same_territory, exchange_choices(exchange) if upcoming else None)
        elif name == "plan_exchange_form":  # the planned exchange, to move it
            what = exchange_initial(exchange)
        else:  # no initial value, the choices of the code
            what = None
        keys[name] = digest(name, what)
    return keys


def exchange_initial(exchange: Exchange | None) -> dict:
    """A planned exchange prefills the form, to move it."""
    if exchange is None:
        return {}
    start, end = timezone.localtime(exchange.starts_at), timezone.localtime(exchange.ends_at)
    return {
        "date": start.date(),
        "start": start.time(),
        "end": end.time(),
        "place": exchange.place,
        "video_url": exchange.video_url,
        "participants": exchange.participants,
    }


def render_detail(
    request: HttpRequest, submission: Submission, **bound: forms.Form
) -> HttpResponse:
    """The submission's page: its personal data is shown, so the access is logged."""
    record_access(request.user, AccessAction.SUBMISSION_VIEWED, submission)
    return render(request, "ami/staff/submission.html", detail_context(request, submission, bound))


@staff_required()
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, get_submission(request, pk))


def act(
    request: HttpRequest,
    pk: int,
    form_name: str,
    make_form: Callable[[Submission], forms.Form],
    perform: Callable[[Submission, forms.Form], object],
    done: str,
    error_field: str | None = None,
) -> HttpResponse:
    """The shape of every action: validate, perform, redirect with a message.

    A ``ValidationError`` of ``perform`` is a message at the top of the page, or, given
    ``error_field``, an error next to that field (the page with the form sent back)."""
    submission = get_submission(request, pk)
    form = make_form(submission)
    if not form.is_valid():
        report_hidden_errors(request, form)
        return render_detail(request, submission, **{form_name: form})
    try:
        perform(submission, form)
    except ActionNotAllowed as refusal:
        messages.error(request, str(refusal))
    except ValidationError as invalid:  # a model rule the form could not see
        if error_field is None:
            messages.error(request, " ".join(invalid.messages))
        else:
            form.add_error(error_field, invalid)
            return render_detail(request, submission, **{form_name: form})
    else:
        messages.success(request, done)
    return redirect("staff:submission", pk=pk)


def report_hidden_errors(request: HttpRequest, form: forms.Form) -> None:
    """Errors of fields the page does not show (a button's value, a hidden input) cannot
    sit next to their field: they become a message at the top of the page."""
    for field in form.hidden_fields():
        for error in field.errors:
            messages.error(
                request, _("Votre demande n’a pas pu être traitée : %(error)s") % {"error": error}
            )


@require_POST
@staff_required(Action.ASSIGN)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    return act(
        request,
        pk,
        "assign_form",
        lambda s: AssignForm(request.POST, prefix="attribution", region_id=s.campaign.region_id),
        lambda s, form: services.assign(s, form.cleaned_data["assignee"], by=request.user),
        _("L’attribution est enregistrée."),
    )


@require_POST
@staff_required(*services.PLAIN_MOVES)
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(submission: Submission, form: forms.Form) -> None:
        services.change_status(
            submission,
            form.cleaned_data["to"],
            by=request.user,
        )

    return act(
        request,
        pk,
        "status_form",
        lambda s: StatusForm(request.POST, prefix="statut"),
        perform,
        _("Le statut est modifié."),
    )


@require_POST
@staff_required(Action.PLAN_EXCHANGE)
def plan_exchange(request: HttpRequest, pk: int) -> HttpResponse:
    return act(
        request,
        pk,
        "plan_exchange_form",
        lambda s: ExchangeForm(request.POST, prefix="echange"),
        lambda s, form: services.plan_exchange(s, request.user, **form.exchange_fields()),
        _("L’échange est planifié ; l’invitation part aux référents."),
    )


@require_POST
@staff_required(Action.ORIENT)
def orient(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(submission: Submission, form: OrientForm) -> None:
        services.orient(
            submission,
            request.user,
            orientation=form.cleaned_data["orientation"],
            linked=form.linked_submissions(),
            message=form.cleaned_data["message"],
            keep_exchange=form.keep_exchange(),
        )

    return act(
        request,
        pk,
        "orient_form",
        lambda s: OrientForm(
            request.POST,
            prefix="orientation",
            submission=s,
            related=related_submissions(s, request.user),
            exchange=s.current_exchange,
        ),
        perform,
        _("L’orientation est enregistrée ; les référents en sont informés."),
    )


@require_POST
@staff_required(Action.CLOSE)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return act(
        request,
        pk,
        "close_form",
        lambda s: CloseForm(request.POST, prefix="cloture"),
        lambda s, form: services.close(s, request.user, **form.cleaned_data),
        _("La réponse est close ; les référents en sont informés."),
    )


@require_POST
@staff_required(Action.COMMENT)
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    return act(
        request,
        pk,
        "comment_form",
        lambda s: NoteForm(request.POST, prefix="note"),
        lambda s, form: services.add_note(s, request.user, form.cleaned_data["text"]),
        _("La note est ajoutée."),
    )


@require_POST
@staff_required(Action.GIVE_OPINION)
def give_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    return act(
        request,
        pk,
        "give_opinion_form",
        lambda s: OpinionForm(request.POST, prefix="avis"),
        lambda s, form: services.give_opinion(s, request.user, **form.cleaned_data),
        _("L’avis est enregistré."),
    )


@require_POST
@staff_required(Action.MESSAGE)
def send_message(request: HttpRequest, pk: int) -> HttpResponse:
    """« Écrire aux référents »: the message alone, or with one file (a refused file, or one
    too many for the answer, is an error next to the file field)."""

    def perform(submission: Submission, form: forms.Form) -> None:
        upload = form.cleaned_data["file"]
        services.send_message(
            submission, request.user, form.cleaned_data["text"], [upload] if upload else []
        )

    with_file = bool(request.FILES.get(f"{MESSAGE_PREFIX}-file"))
    return act(
        request,
        pk,
        "message_form",
        lambda s: StaffMessageForm(request.POST, request.FILES, prefix=MESSAGE_PREFIX),
        perform,
        _("Le message et sa pièce jointe sont envoyés aux référents.")
        if with_file
        else _("Le message est envoyé aux référents."),
        error_field="file",
    )


@require_POST
@staff_required(Action.RESEND_LINK)
def resend_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke the private link and email a new one to the référents."""
    return act(
        request,
        pk,
        "resend_link_form",
        lambda s: ResendLinkForm(request.POST, prefix="lien"),
        lambda s, form: services.resend_private_link(s, request.user),
        _("Un nouveau lien de suivi est envoyé aux référents ; l’ancien ne fonctionne plus."),
    )
