"""A person's RGPD requests, handled by the ARS: what is held about an email address, the
JSON file of it (right of access), and its erasure after a confirmation step.

Every view is a POST but the empty search form, so that the address never travels in a URL
(proxies' and servers' access logs). Exports and erasures are written to the access log;
the log keeps a keyed hash of the address, not the address.
"""

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..audit import Action as AccessAction
from ..audit import email_fingerprint, record_access
from ..privacy import PersonalData, erase_personal_data, find_personal_data, personal_data_export
from ..workflow import Action
from .access import staff_required
from .forms import ErasureForm, PersonalDataRequestForm

TEMPLATE = "ami/staff/rgpd.html"
CONFIRM_TEMPLATE = "ami/staff/rgpd_confirm.html"
CONFIRM_STEP = "confirmation"


def log_request(request: HttpRequest, action: AccessAction, data: PersonalData, **extra) -> None:
    """One line per answer concerned (its page shows it), or one line if there is none."""
    details = {
        "email_hash": email_fingerprint(data.email),
        "references": data.references,
        "emails": len(data.emails),
        "accounts": len(data.accounts),
        **extra,
    }
    label = _("Demande RGPD")
    for submission in data.submissions or [None]:
        record_access(request.user, action, submission, details=details, reference=label)


def private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
@staff_required(Action.PERSONAL_DATA)
def personal_data(request: HttpRequest) -> HttpResponse:
    """Search an address; the page lists what is held and offers the export and erasure."""
    form = PersonalDataRequestForm(request.POST or None)
    data = (
        find_personal_data(form.cleaned_data["email"], user=request.user)
        if form.is_valid()
        else None
    )
    return private(render(request, TEMPLATE, {"form": form, "data": data}))


@require_POST
@staff_required(Action.PERSONAL_DATA)
def personal_data_file(request: HttpRequest) -> HttpResponse:
    """The JSON file of everything held about the address (RGPD right of access)."""
    form = PersonalDataRequestForm(request.POST)
    if not form.is_valid():
        return private(render(request, TEMPLATE, {"form": form, "data": None}, status=400))
    data = find_personal_data(form.cleaned_data["email"], user=request.user)
    log_request(request, AccessAction.PERSONAL_DATA_EXPORT, data)
    content = json.dumps(
        personal_data_export(data), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    name = f"donnees-personnelles-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return private(response)


@require_POST
@staff_required(Action.PERSONAL_DATA)
def personal_data_erasure(request: HttpRequest) -> HttpResponse:
    """Erase the address's data: first the confirmation page, then the erasure itself."""
    form = ErasureForm(request.POST)
    email_form = PersonalDataRequestForm(request.POST)
    if not email_form.is_valid():
        return private(render(request, TEMPLATE, {"form": email_form, "data": None}, status=400))
    data = find_personal_data(email_form.cleaned_data["email"], user=request.user)
    if not form.is_valid():
        # The first POST (from the search page) asks to confirm; the confirmation page
        # posts CONFIRM_STEP too, so an unticked box is shown as an error.
        if request.POST.get("etape") != CONFIRM_STEP:
            form = ErasureForm(initial={"email": data.email})
        context = {"form": form, "data": data, "confirm_step": CONFIRM_STEP}
        return private(render(request, CONFIRM_TEMPLATE, context))
    with transaction.atomic():  # erased and logged, or neither
        erasure = erase_personal_data(data.email, by=request.user)
        log_request(
            request,
            AccessAction.PERSONAL_DATA_ERASURE,
            data,
            anonymised=erasure.anonymised,
            already_anonymised=erasure.already_anonymised,
        )
    messages.success(
        request,
        _("Données effacées : %(count)d réponse(s) anonymisée(s), %(emails)d email(s) vidé(s).")
        % {"count": len(erasure.anonymised), "emails": erasure.emails},
    )
    return redirect("staff:personal_data")
