from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def privacy(request: HttpRequest) -> HttpResponse:
    """Who processes the professionals' personal data, why, and for how long."""
    return render(
        request,
        "privacy.html",
        {
            "controller": settings.PRIVACY_CONTROLLER,
            "dpo_contact": settings.PRIVACY_DPO_CONTACT,
            "retention_months": settings.PERSONAL_DATA_RETENTION_MONTHS,
        },
    )
