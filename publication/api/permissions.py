"""Who may read the API: the staff of the partner institutions (not coordinators)."""

from rest_framework.permissions import BasePermission

from ..permissions import can_use_api


class IsPartnerStaff(BasePermission):
    message = "Réservé aux agents de l’ARS, de l’URPS et de l’Assurance Maladie."

    def has_permission(self, request, view) -> bool:
        return can_use_api(request.user)
