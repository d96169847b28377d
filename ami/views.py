"""Public pages of the AMI: campaigns, the answer form, and the référent's private link."""

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cpts_portal.cache_control import personal_data
from cpts_portal.formsets import with_added_row
from territories.builder import TerritoryBuilderForm

from .forms import ActorFormSet, AnswerForms, ReferentFormSet, SubmissionForm
from .models import Campaign, Submission, open_campaigns
from .private_links import private_link_view
from .services import submit_answer, update_answer

ACTORS_PREFIX = "actors"
REFERENTS_PREFIX = "referents"
TERRITORY_PREFIX = "territory"
# Session key holding the ids of the answers sent from this browser (confirmation page).
SESSION_SUBMITTED = "ami_submitted"


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ami/home.html", {"campaigns": open_campaigns()})


def build_forms(
    data: QueryDict | None = None,
    instance: Submission | None = None,
    with_consent: bool = True,
) -> AnswerForms:
    instance = instance or Submission()
    initial = None if instance.pk else {"form_token": uuid.uuid4()}
    return AnswerForms(
        submission=SubmissionForm(
            data, instance=instance, initial=initial, with_consent=with_consent
        ),
        actors=ActorFormSet(data, instance=instance, prefix=ACTORS_PREFIX),
        referents=ReferentFormSet(data, instance=instance, prefix=REFERENTS_PREFIX),
        territory=TerritoryBuilderForm(
            data, prefix=TERRITORY_PREFIX, initial_codes=territory_codes(instance)
        ),
    )


def blank_forms(instance: Submission | None, with_consent: bool) -> AnswerForms:
    """The forms of a GET: the submission form now (its tokens are on every page), the
    formsets and the territory builder only when rendered. The blank answer form's body is
    cached (``ami/answer.html``): most visits never build them."""
    instance = instance or Submission()
    initial = None if instance.pk else {"form_token": uuid.uuid4()}
    return AnswerForms(
        submission=SubmissionForm(instance=instance, initial=initial, with_consent=with_consent),
        actors=SimpleLazyObject(lambda: ActorFormSet(instance=instance, prefix=ACTORS_PREFIX)),
        referents=SimpleLazyObject(
            lambda: ReferentFormSet(instance=instance, prefix=REFERENTS_PREFIX)
        ),
        territory=SimpleLazyObject(
            lambda: TerritoryBuilderForm(
                prefix=TERRITORY_PREFIX, initial_codes=territory_codes(instance)
            )
        ),
    )


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
        forms = blank_forms(instance, with_consent)
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
        return render_form(request, template, context, forms, show_errors=False)
    forms = build_forms(request.POST, instance=instance, with_consent=with_consent)
    if forms.submission.is_bot():
        return render_form(request, template, context, forms, status=400)
    if not forms.is_valid():
        context["error_summary"] = forms.error_summary()
        return render_form(request, template, context, forms)
    return on_valid(forms)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, slug=slug)
    if not campaign.is_open():
        return render(request, "ami/campaign_unavailable.html", {"campaign": campaign})

    def store(forms: AnswerForms) -> HttpResponse:
        submission, created = submit_answer(campaign, forms)
        submitted = request.session.get(SESSION_SUBMITTED, [])
        if not created and submission.pk not in submitted:
            # Same form sent again from another browser: reassure without revealing it.
            return render(request, "ami/already_received.html", {"campaign": campaign})
        if submission.pk not in submitted:
            request.session[SESSION_SUBMITTED] = [*submitted, submission.pk][-20:]
        return redirect("ami:confirmation", slug=campaign.slug, pk=submission.pk)

    return form_page(request, "ami/answer.html", {"campaign": campaign}, store)


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
    return render(request, "ami/confirmation.html", {"submission": submission})


@private_link_view()
def follow(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The référent's private page: the answer, its status and its public history."""
    events = submission.events.visible_to_referent().select_related("author")
    return render(request, "ami/follow.html", {"submission": submission, "events": events})


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
        if update_answer(submission, forms):
            messages.success(request, _("Vos modifications ont été enregistrées."))
        else:
            messages.info(request, _("Aucune modification n’a été apportée."))
        return redirect(submission.get_private_url())

    context = {"submission": submission, "campaign": submission.campaign}
    return form_page(
        request, "ami/edit.html", context, save, instance=submission, with_consent=False
    )
