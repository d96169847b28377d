"""Public pages (« la CPTS de ma commune », coverage, open data) and the publication page
of a project (the coordinator's consent, the ARS's validation)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from projects.models import CptsProject

from . import opendata, permissions, selectors, services
from .forms import CommuneLookupForm, ConsentForm
from .maps import departement_map
from .models import Publication
from .rules import COVERAGE_BUCKETS, plain_stage

OPEN_DATA_MAX_AGE = 300  # seconds a client or a proxy may keep a file without asking


@require_GET
def find_commune(request: HttpRequest) -> HttpResponse:
    """``?commune=...``: the published CPTS whose territory includes the commune."""
    form = CommuneLookupForm(request.GET if "commune" in request.GET else None)
    commune = projects = campaigns = identity = None
    if form.is_bound and form.is_valid():
        commune = form.cleaned_data["commune"]
        projects = [
            {"project": project, "stage": plain_stage(project.stage)}
            for project in selectors.projects_for_commune(commune)
        ]
        if not projects:
            # The AMI of the commune's own region: its ARS gathers the actors there.
            campaigns = selectors.open_campaigns_for(commune)
            identity = selectors.region_identity_for(commune)
    return render(
        request,
        "publication/find_commune.html",
        {
            "form": form,
            "commune": commune,
            "projects": projects,
            "campaigns": campaigns,
            "identity": identity,
        },
    )


@require_GET
@cache_control(public=True, max_age=OPEN_DATA_MAX_AGE)
def coverage(request: HttpRequest) -> HttpResponse:
    regions = selectors.coverage()
    by_code = {dep.code: dep for region in regions for dep in region.departements}
    outlines = [
        {"outline": outline, "row": by_code.get(outline.code)}
        for outline in departement_map().outlines
    ]
    france = departement_map()
    return render(
        request,
        "publication/coverage.html",
        {
            "regions": regions,
            "view_box": france.frame(by_code),
            "outlines": outlines,
            "buckets": sorted(COVERAGE_BUCKETS.items()),
        },
    )


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publication/open_data.html",
        {
            "files": list(opendata.FILES),
            "schemas": opendata.SCHEMAS,
            "cpts_schema": opendata.CPTS_SCHEMA,
            "communes_schema": opendata.COMMUNES_SCHEMA,
            "licence": opendata.LICENCE,
        },
    )


@require_safe
def open_data_file(request: HttpRequest, name: str) -> HttpResponse:
    """A file of ``opendata.FILES`` or a schema, with ETag, Last-Modified and max-age."""
    if name in opendata.SCHEMAS:
        response = JsonResponse(
            opendata.SCHEMAS[name], json_dumps_params={"ensure_ascii": False, "indent": 1}
        )
        response["Cache-Control"] = f"public, max-age={OPEN_DATA_MAX_AGE}"
        return response
    if name not in opendata.FILES:
        raise Http404
    file = opendata.data_file(name)
    if file.etag in {quote_etag(tag.strip()) for tag in _if_none_match(request)}:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(file.content, content_type=file.content_type)
        response["Content-Disposition"] = f'inline; filename="{name}"'
    response["ETag"] = file.etag
    response["Last-Modified"] = http_date(file.generated_at.timestamp())
    response["Cache-Control"] = f"public, max-age={OPEN_DATA_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _if_none_match(request: HttpRequest) -> list[str]:
    header = request.headers.get("If-None-Match", "")
    return [tag.removeprefix("W/") for tag in header.split(",") if tag.strip()]


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The publication of a project: the coordinator consents, the ARS validates."""
    project = get_object_or_404(CptsProject, pk=pk)
    if not permissions.can_see_publication(request.user, project):
        raise Http404  # as the project's own pages: another project's existence stays private
    publication = (
        Publication.objects.select_related("project", "consented_by", "validated_by")
        .filter(project=project)
        .first()
    )
    can_consent = permissions.can_consent(request.user, project)
    can_validate = permissions.can_validate(request.user, project)
    initial = {}
    if publication is not None:
        initial = {
            "contact_name": publication.contact_name,
            "contact_email": publication.contact_email,
            "contact_phone": publication.contact_phone,
            "contact_website": publication.contact_website,
        }
    form = ConsentForm(initial=initial) if can_consent else None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "consent" and can_consent:
            form = ConsentForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                phone = data["contact_phone"]
                services.give_consent(
                    project,
                    request.user,
                    services.PublicContact(
                        name=data["contact_name"],
                        email=data["contact_email"],
                        phone=phone.as_national if phone else "",
                        website=data["contact_website"],
                    ),
                )
                messages.success(request, _("Votre accord est enregistré ; l’ARS doit le valider."))
                return redirect("publication:manage", pk=project.pk)
        elif action == "withdraw_consent" and can_consent:
            services.withdraw_consent(project, request.user)
            messages.success(request, _("Votre accord est retiré : le projet n’est plus publié."))
            return redirect("publication:manage", pk=project.pk)
        elif action == "validate" and can_validate:
            try:
                services.validate(project, request.user)
            except ValueError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("La publication est validée."))
            return redirect("publication:manage", pk=project.pk)
        elif action == "withdraw_validation" and can_validate:
            services.withdraw_validation(project, request.user)
            messages.success(request, _("Le projet n’est plus publié."))
            return redirect("publication:manage", pk=project.pk)
        else:
            raise PermissionDenied
    events = (
        publication.events.select_related("author").order_by("-created_at", "-pk")
        if publication
        else []
    )
    return render(
        request,
        "publication/manage.html",
        {
            "project": project,
            "publication": publication,
            "form": form,
            "can_consent": can_consent,
            "can_validate": can_validate,
            "events": events,
        },
    )
