from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = _("Territoires")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from cpts_portal.fragments import bump_on_change

        from .models import StaffMembership
        from .permissions import forget_region

        post_save.connect(forget_region, sender=StaffMembership)
        post_delete.connect(forget_region, sender=StaffMembership)

        from cpts_portal.identity import register_operator_of, register_served_identities

        from .permissions import operator_of
        from .selectors import served_identities

        register_served_identities(served_identities)
        register_operator_of(operator_of)

        from .models import GEOGRAPHY_VERSION, TERRITORIES_VERSION, Territory

        # Single rows changed in the admin; load_geography bumps the version itself.
        bump_on_change(
            GEOGRAPHY_VERSION,
            [
                "territories.Region",
                "territories.Departement",
                "territories.Epci",
                "territories.Commune",
            ],
        )
        # What the territory list keeps between requests (figures, overlaps, départements).
        bump_on_change(
            TERRITORIES_VERSION, ["territories.Territory"], m2m=[Territory.communes.through]
        )
