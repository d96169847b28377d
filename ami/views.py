"""Public pages of the AMI: campaigns, the answer form and its drafts, and the référent's
private link."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpts_portal import public_pages
from cpts_portal.cache_control import personal_data
from cpts_portal.error_summary import error_summary
from cpts_portal.formsets import with_added_row
from cpts_portal.ratelimit import Rule, client_key, count_hit
from territories.builder import TerritoryBuilderForm
from territories.selectors import region_identity

from .apps import PUBLIC_PAGES_VERSION
from .forms import (
    ACTORS_PREFIX,
    REFERENTS_PREFIX,
    TERRITORY_PREFIX,
    ActorFormSet,
    AnswerForms,
    ReferentFormSet,
    ResumeLinkForm,
    SubmissionForm,
    draft_fields,
    draft_querydict,
)
from .models import AnswerDraft, Campaign, Submission, open_campaigns
from .private_links import private_link_view
from .selectors import public_territory_summary, referent_page_context
from .services import DraftRefused, save_draft, send_draft_link, submit_answer, update_answer

# Session key holding the ids of the answers sent from this browser (confirmation page).
SESSION_SUBMITTED = "ami_submitted"
# Session key holding the form tokens of the drafts this browser may save.
SESSION_DRAFTS = "ami_drafts"
# Header of a request for one part of the form page only (static/js/answer-form.js).
FRAGMENT_HEADER = "X-Portal-Fragment"


def home(request: HttpRequest) -> HttpResponse:
    # The same page for every anonymous visitor: kept until a campaign changes or the day
    # does (cpts_portal/public_pages.py).
    key = public_pages.page_key(request, "home", PUBLIC_PAGES_VERSION)
    page = public_pages.kept_page(request, key)
    if page is not None:
        return page
    context = {"campaigns": open_campaigns()}
    if key is None:
        return render(request, "ami/home.html", context)
    response = render(request, "ami/home.html", {**context, **public_pages.PLACEHOLDER_CONTEXT})
    return public_pages.keep_page(request, key, response)


def build_forms(
    data: QueryDict | None = None,
    instance: Submission | None = None,
    with_consent: bool = True,
    form_token: uuid.UUID | None = None,
) -> AnswerForms:
    instance = instance or Submission()
    initial = None if instance.pk else {"form_token": form_token or uuid.uuid4()}
    # Blank (a GET): the formsets and the builder are built only when rendered; the blank
    # answer form's body is cached (``ami/answer.html``), so most visits never build them.
    built = SimpleLazyObject if data is None else (lambda make: make())
    return AnswerForms(
        submission=SubmissionForm(
            data, instance=instance, initial=initial, with_consent=with_consent
        ),
        actors=built(lambda: ActorFormSet(data, instance=instance, prefix=ACTORS_PREFIX)),
        referents=built(lambda: ReferentFormSet(data, instance=instance, prefix=REFERENTS_PREFIX)),
        territory=built(
            lambda: TerritoryBuilderForm(
                data,
                prefix=TERRITORY_PREFIX,
                initial_codes=territory_codes(instance),
                initial_other_places=territory_other_places(instance),
            )
        ),
    )


def territory_other_places(submission: Submission) -> list[str]:
    return submission.territory.other_place_list if submission.territory_id else []


def territory_codes(submission: Submission) -> list[str]:
    if not submission.territory_id:
        return []
    return list(submission.territory.communes.values_list("insee_code", flat=True))


def render_form(
    request: HttpRequest,
    template: str,
    context: dict,
    forms: AnswerForms,
    status: int = 200,
    show_errors: bool = True,
) -> HttpResponse:
    if not show_errors:
        # Only then: iterating the formsets builds their forms, which a cached blank form skips.
        for form in [forms.submission, *forms.actors, *forms.referents]:
            form.helper.form_show_errors = False
    context.update(
        show_errors=show_errors,
        territory_form=forms.territory,
        form=forms.submission,
        actor_formset=forms.actors,
        referent_formset=forms.referents,
        actors_prefix=ACTORS_PREFIX,
        referents_prefix=REFERENTS_PREFIX,
    )
    return render(request, template, context, status=status)


def form_page(
    request: HttpRequest,
    template: str,
    context: dict,
    on_valid: Callable[[AnswerForms], HttpResponse],
    instance: Submission | None = None,
    with_consent: bool = True,
) -> HttpResponse:
    """GET and POST handling shared by the answer form and its correction by the référent."""
    if request.method == "GET":
        forms = build_forms(instance=instance, with_consent=with_consent)
        return render_form(request, template, context, forms)
    added = with_added_row(
        request.POST, {ACTORS_PREFIX: ActorFormSet, REFERENTS_PREFIX: ReferentFormSet}
    )
    if added is not None:
        forms = build_forms(added, instance=instance, with_consent=with_consent)
        return render_form(request, template, context, forms, show_errors=False)
    if "territory_step" in request.POST:
        # The builder's own "Ajouter / Retirer" button: apply it, show the new territory.
        forms = build_forms(request.POST, instance=instance, with_consent=with_consent)
        if forms.territory.is_valid():
            forms.territory = forms.territory.next_step()
        if request.headers.get(FRAGMENT_HEADER) == "territory":
            # With JavaScript: only the builder, put in place of the old one (no reload).
            return render(
                request,
                "territories/_builder.html",
                {"builder": forms.territory, "optional": True},
            )
        return render_form(request, template, context, forms, show_errors=False)
    forms = build_forms(request.POST, instance=instance, with_consent=with_consent)
    if forms.submission.is_bot():
        return render_form(request, template, context, forms, status=400)
    if not forms.is_valid():
        context["error_summary"] = forms.error_summary()
        return render_form(request, template, context, forms)
    return on_valid(forms)


# Per process and never sent: the ``form_token`` of a kept blank answer form, replaced by a
# new one for each visitor (cpts_portal/public_pages.py).
FORM_TOKEN_PLACEHOLDER = uuid.uuid4()
FRESH_FORM_TOKEN = {str(FORM_TOKEN_PLACEHOLDER): lambda: str(uuid.uuid4())}


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    # The blank form of an open campaign is the same page for every anonymous visitor but
    # for its tokens: kept until the campaign, its ARS or the day changes.
    key = public_pages.page_key(request, "answer", PUBLIC_PAGES_VERSION)
    page = public_pages.kept_page(request, key, FRESH_FORM_TOKEN)
    if page is not None:
        return page
    campaign = get_object_or_404(Campaign.objects.select_related("region__identity"), slug=slug)
    if not campaign.is_open():
        return render(request, "ami/campaign_unavailable.html", answer_context(campaign))
    if key is not None:
        forms = build_forms(form_token=FORM_TOKEN_PLACEHOLDER)
        context = answer_context(campaign, **public_pages.PLACEHOLDER_CONTEXT)
        response = render_form(request, "ami/answer.html", context, forms)
        return public_pages.keep_page(request, key, response, FRESH_FORM_TOKEN)
    if request.method == "POST" and ({"save_draft", "resume_later"} & request.POST.keys()):
        return draft_step(request, campaign)

    def store(forms: AnswerForms) -> HttpResponse:
        submission, created = submit_answer(campaign, forms.answer_data())
        submitted = request.session.get(SESSION_SUBMITTED, [])
        if not created and submission.pk not in submitted:
            # Same form sent again from another browser: reassure without revealing it.
            return render(request, "ami/already_received.html", {"campaign": campaign})
        if submission.pk not in submitted:
            request.session[SESSION_SUBMITTED] = [*submitted, submission.pk][-20:]
        return redirect("ami:confirmation", slug=campaign.slug, pk=submission.pk)

    return form_page(request, "ami/answer.html", answer_context(campaign), store)


def answer_context(campaign: Campaign, **extra) -> dict:
    return {
        "campaign": campaign,
        # The call's ARS, named in the header and footer.
        "region_identity": region_identity(campaign.region),
        "resume_form": ResumeLinkForm(),
        "draft_retention_days": settings.DRAFT_RETENTION_DAYS,
        **extra,
    }


# --- Drafts ------------------------------------------------------------------------------


def saved_at(draft: AnswerDraft) -> str:
    """« 14 h 32 », in the portal's time zone."""
    return format_date(timezone.localtime(draft.updated_at), "G \\h i")


def draft_creation_allowed(request: HttpRequest) -> bool:
    """``DRAFTS_PER_CLIENT_PER_HOUR`` new drafts per client (address) at most."""
    rule = Rule(frozenset({"POST"}), settings.DRAFTS_PER_CLIENT_PER_HOUR, 3600)
    try:
        hit = count_hit(client_key(request, "ami:draft_create"), rule)
    except Exception:  # the cache is down: serve, as the rate limits do
        return True
    return hit.count <= rule.limit


def store_draft(request: HttpRequest, campaign: Campaign) -> AnswerDraft:
    """Save the posted form as the draft of its page (``form_token``), for this browser.

    A draft is saved only from the browser that started it or opened its resume link (the
    session lists its token): a page's token alone saves nothing over someone's draft.
    Raises ``DraftRefused``.
    """
    try:
        token = uuid.UUID(str(request.POST.get("form_token", "")))
    except ValueError:
        raise DraftRefused(_("Rechargez la page pour enregistrer un brouillon.")) from None
    known = request.session.get(SESSION_DRAFTS, [])
    exists = AnswerDraft.objects.filter(form_token=token).exists()
    if exists and str(token) not in known:
        raise DraftRefused(_("Ce brouillon ne peut pas être enregistré depuis ce navigateur."))
    draft = save_draft(
        campaign,
        token,
        draft_fields(request.POST),
        may_create=exists or draft_creation_allowed(request),
    )
    remember_draft(request, draft)
    return draft


def remember_draft(request: HttpRequest, draft: AnswerDraft) -> None:
    known = request.session.get(SESSION_DRAFTS, [])
    if str(draft.form_token) not in known:
        request.session[SESSION_DRAFTS] = [*known, str(draft.form_token)][-20:]


def draft_step(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """« Enregistrer le brouillon » and « Reprendre plus tard », without JavaScript: save
    the draft, send the link if asked, and show the form again as it was typed."""
    forms = build_forms(request.POST)
    resume = ResumeLinkForm(request.POST if "resume_later" in request.POST else None)
    context = answer_context(campaign, resume_form=resume)
    if forms.submission.is_bot():
        return render_form(request, "ami/answer.html", context, forms, status=400)
    try:
        draft = store_draft(request, campaign)
    except DraftRefused as refused:
        messages.error(request, str(refused))
        return render_form(request, "ami/answer.html", context, forms, show_errors=False)
    context["draft_saved_at"] = saved_at(draft)
    if "resume_later" not in request.POST:
        messages.success(request, _("Brouillon enregistré à %(time)s.") % {"time": saved_at(draft)})
    elif not resume.is_valid():
        context["error_summary"] = error_summary(resume)
    elif send_draft_link(draft, resume.cleaned_data["resume_email"]):
        messages.success(
            request,
            _(
                "Brouillon enregistré. Un lien pour reprendre votre réponse a été envoyé à "
                "%(address)s ; il est valable %(days)s jours."
            )
            % {
                "address": resume.cleaned_data["resume_email"],
                "days": settings.DRAFT_RETENTION_DAYS,
            },
        )
    else:
        messages.warning(
            request,
            _(
                "Brouillon enregistré, mais cette adresse a déjà reçu plusieurs liens "
                "aujourd’hui : aucun autre ne lui est envoyé avant demain."
            ),
        )
    return render_form(request, "ami/answer.html", context, forms, show_errors=False)


@require_POST
def draft_save(request: HttpRequest, slug: str) -> JsonResponse:
    """The autosave of static/js/answer-form.js: the draft saved, « 14 h 32 » in JSON."""
    campaign = get_object_or_404(Campaign, slug=slug)
    if not campaign.is_open():
        return JsonResponse({"message": _("Cet appel n’accepte plus de réponse.")}, status=409)
    if request.POST.get("website"):
        return JsonResponse({"message": ""}, status=400)
    try:
        draft = store_draft(request, campaign)
    except DraftRefused as refused:
        return JsonResponse({"message": str(refused)}, status=409)
    time = saved_at(draft)
    return JsonResponse(
        {"saved_at": time, "message": _("Brouillon enregistré à %(time)s") % {"time": time}}
    )


def draft_links() -> QuerySet[AnswerDraft]:
    return AnswerDraft.objects.select_related("campaign")


def draft_link_expired(request: HttpRequest, draft: AnswerDraft) -> HttpResponse:
    """410: the resume link was real but has expired."""
    return render(
        request,
        "ami/draft_expired.html",
        {"campaign": draft.campaign, "expired_at": draft.access_expires_at},
        status=410,
    )


@require_GET
@private_link_view(queryset=draft_links, expired=draft_link_expired)
def draft_resume(request: HttpRequest, draft: AnswerDraft) -> HttpResponse:
    """The emailed link: the form as the draft left it, sent to the campaign's page."""
    campaign = draft.campaign
    if not campaign.is_open():
        return render(request, "ami/campaign_unavailable.html", answer_context(campaign))
    remember_draft(request, draft)
    forms = build_forms(draft_querydict(draft.data, draft.form_token))
    context = answer_context(
        campaign,
        form_action=campaign.get_absolute_url(),
        draft_saved_at=saved_at(draft),
        draft_resumed=True,
    )
    return render_form(request, "ami/answer.html", context, forms, show_errors=False)


@personal_data
def confirmation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Shown once after sending, to the browser that sent the answer."""
    if pk not in request.session.get(SESSION_SUBMITTED, []):
        return redirect("ami:answer", slug=slug)
    submission = get_object_or_404(
        Submission.objects.select_related("campaign").prefetch_related("actors", "referents"),
        pk=pk,
        campaign__slug=slug,
    )
    return render(
        request,
        "ami/confirmation.html",
        {"submission": submission, "territory_summary": public_territory_summary(submission)},
    )


@private_link_view()
def follow(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The référent's private page: the answer, its status and its public history."""
    return render(request, "ami/follow.html", referent_page_context(submission))


@require_http_methods(["GET", "POST"])
@private_link_view()
def edit(request: HttpRequest, submission: Submission) -> HttpResponse:
    if not submission.is_editable_by_professional():
        messages.info(
            request,
            _(
                "Votre réponse est en cours de traitement : elle ne peut plus être modifiée "
                "en ligne. Contactez l’ARS pour toute précision."
            ),
        )
        return redirect(submission.get_private_url())

    def save(forms: AnswerForms) -> HttpResponse:
        if update_answer(submission, forms.answer_data()):
            messages.success(request, _("Vos modifications ont été enregistrées."))
        else:
            messages.info(request, _("Aucune modification n’a été apportée."))
        return redirect(submission.get_private_url())

    context = {"submission": submission, "campaign": submission.campaign}
    return form_page(
        request, "ami/edit.html", context, save, instance=submission, with_consent=False
    )
