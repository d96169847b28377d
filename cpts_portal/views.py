from datetime import date

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cpts_portal.forms import LoginForm
from cpts_portal.identity import served_identities
from cpts_portal.links import absolute_url
from cpts_portal.roles import STAFF_ROLES, Role, has_role


def served_identities_if_several() -> list:
    """The served regions' identities when there are several; a single-region portal
    keeps the settings' wording."""
    identities = served_identities()
    return identities if len(identities) > 1 else []


def privacy(request: HttpRequest) -> HttpResponse:
    """Who processes the professionals' personal data, why, and for how long."""
    return render(
        request,
        "privacy.html",
        {
            "controller": settings.PRIVACY_CONTROLLER,
            "dpo_contact": settings.PRIVACY_DPO_CONTACT,
            # Each region served processes its own answers: its ARS is their controller.
            "regions": served_identities_if_several(),
            "retention_months": settings.PERSONAL_DATA_RETENTION_MONTHS,
            "draft_retention_days": settings.DRAFT_RETENTION_DAYS,
        },
    )


# Attribution required by the Licence Ouverte for the reference geography
# (fixtures/geography/README.md).
GEOGRAPHY_ATTRIBUTION = (
    "INSEE (COG 2026, populations légales 2023), DGCL (EPCI 2026), La Poste (codes postaux), "
    "via @etalab/decoupage-administratif 6.0.0"
)


def legal(request: HttpRequest) -> HttpResponse:
    """Mentions légales: publisher, director of publication, host, data sources, accessibility."""
    return render(
        request,
        "legal.html",
        {
            "publisher": settings.LEGAL_PUBLISHER,
            "publisher_address": settings.LEGAL_PUBLISHER_ADDRESS,
            "publisher_contact": settings.LEGAL_PUBLISHER_CONTACT,
            "director": settings.LEGAL_PUBLICATION_DIRECTOR,
            "host_name": settings.LEGAL_HOST_NAME,
            "host_address": settings.LEGAL_HOST_ADDRESS,
            "host_phone": settings.LEGAL_HOST_PHONE,
            "geography_attribution": GEOGRAPHY_ATTRIBUTION,
            "regions": served_identities_if_several(),
        },
    )


# Date the accessibility statement was written or last reviewed (change it with the page).
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 23)


def accessibility(request: HttpRequest) -> HttpResponse:
    """Déclaration d’accessibilité (RGAA 4.1): compliance status, tests, contact, recourse."""
    return render(
        request,
        "accessibility.html",
        {
            "contact": settings.ACCESSIBILITY_CONTACT,
            "statement_date": ACCESSIBILITY_STATEMENT_DATE,
            "site_url": absolute_url("/"),
        },
    )


ROBOTS_TXT = """User-agent: *
Disallow: /suivi/
Disallow: /tableau-de-bord/
Disallow: /projets/
Disallow: /territoires/
Disallow: /admin/
"""


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Keeps crawlers off private and staff pages; also the load benchmark's bare view."""
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A French page for a refused form (expired page, blocked cookies)."""
    return render(request, "403_csrf.html", status=403)


# One sign-in page for every agent and coordinator (the admin's only accepts is_staff users).
login = auth_views.LoginView.as_view(
    authentication_form=LoginForm, redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view(next_page="ami:home")


@login_required
def agent_home(request: HttpRequest) -> HttpResponse:
    """Where an agent lands after signing in: their workspace, by role."""
    if has_role(request.user, *STAFF_ROLES):
        return redirect("staff:dashboard")
    if has_role(request.user, Role.COORDINATOR):
        return redirect("projects:list")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "403.html", status=403)
