from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmiConfig(AppConfig):
    name = "ami"
    verbose_name = _("Appel à manifestation d'intérêt")

    def ready(self) -> None:
        from territories import uses

        from .territory_uses import answers_of, used_by_answers

        # Territories sit below the AMI: the territory pages list its answers through this.
        uses.register("answers", answers_of, used_by_answers)
        from notifications import regions

        from .outbox_regions import region_code_of, region_codes_of_user

        # The outbox knows no region: emails carry their answer's (or project's) region
        # code, and its admin shows an agent their region's.
        regions.register(region_code_of, region_codes_of_user)
        from django.conf import settings
        from django.contrib.auth import get_user_model

        from cpts_portal.fragments import bump_on_change

        # The staff filter form shows the campaigns, the départements and the agents
        # (names, groups, active or not, and their region): its cached markup follows them.
        bump_on_change(
            STAFF_FILTERS_VERSION,
            [
                "ami.Campaign",
                settings.AUTH_USER_MODEL,
                "auth.Group",
                "territories.StaffMembership",
                "territories.Institution",
            ],
            m2m=[get_user_model().groups.through],
        )
        from territories.models import Territory

        from .models import STATISTICS_VERSION

        # The home page and the blank answer form kept whole for anonymous visitors show
        # the campaigns and the ARS that signs them (its identity, else its region's name).
        bump_on_change(
            PUBLIC_PAGES_VERSION,
            ["ami.Campaign", "territories.RegionIdentity", "territories.Region"],
        )

        # The statistics kept between requests follow what they count; so do the
        # dashboard's counts and rows and the answer page's territory blocks
        # (ami/staff/selectors.py). The référents: the filters' search reads them.
        bump_on_change(
            STATISTICS_VERSION,
            [
                "ami.Submission",
                "ami.Actor",
                "ami.Referent",
                "ami.SubmissionEvent",
                "ami.Campaign",
                "territories.Territory",
            ],
            m2m=[Territory.communes.through],
        )


# The version of the staff filter form's markup (ami/templates/ami/staff/_filters.html).
STAFF_FILTERS_VERSION = "staff-filters"
# The version of the public pages kept whole for anonymous visitors (the home page, the
# blank answer form: cpts_portal/public_pages.py).
PUBLIC_PAGES_VERSION = "public-pages"
