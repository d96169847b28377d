"""Give every territory a region, and the region the portal served until now its identity,
institutions and staff, made from the settings it used (``PORTAL_OPERATOR``...)."""

from collections import Counter

from django.conf import settings
from django.db import migrations

from territories.upgrade import default_region


def assign_regions(apps, schema_editor):
    Territory = apps.get_model("territories", "Territory")
    RegionIdentity = apps.get_model("territories", "RegionIdentity")
    Institution = apps.get_model("territories", "Institution")
    StaffMembership = apps.get_model("territories", "StaffMembership")
    Group = apps.get_model("auth", "Group")

    staff_groups = Group.objects.filter(name__in=["ARS", "URPS", "Assurance Maladie"])
    if not Territory.objects.exists() and not staff_groups.filter(user__isnull=False).exists():
        return  # a new database: its regions come with the geography and the admin
    region = default_region(apps)
    RegionIdentity.objects.get_or_create(
        region=region,
        defaults={
            "ars_name": settings.PORTAL_OPERATOR,
            "ars_short_name": settings.PORTAL_OPERATOR.replace("Agence régionale de santé", "ARS")[
                :60
            ],
            "privacy_controller": settings.PRIVACY_CONTROLLER,
            "privacy_contact": settings.PRIVACY_DPO_CONTACT,
        },
    )
    # A territory belongs to the region most of its communes lie in.
    links = Territory.communes.through.objects
    regions_of: dict[int, Counter] = {}
    for territory_id, region_id in links.values_list(
        "territory_id", "commune__departement__region_id"
    ):
        regions_of.setdefault(territory_id, Counter())[region_id] += 1
    for territory in Territory.objects.filter(region__isnull=True).only("pk"):
        counts = regions_of.get(territory.pk)
        region_id = counts.most_common(1)[0][0] if counts else region.pk
        Territory.objects.filter(pk=territory.pk).update(region_id=region_id)

    # Today's staff worked for the one region served: attach them to its institutions.
    names = {
        "ARS": settings.PORTAL_OPERATOR,
        "URPS": f"URPS {region.name}",
        "Assurance Maladie": f"Assurance Maladie {region.name}",
    }
    for kind, name in names.items():
        group = Group.objects.filter(name=kind).first()
        if group is None:
            continue
        institution, _created = Institution.objects.get_or_create(
            region=region, name=name, defaults={"kind": kind}
        )
        for user in group.user_set.filter(staff_membership__isnull=True):
            StaffMembership.objects.create(user=user, institution=institution)


class Migration(migrations.Migration):
    dependencies = [
        ("territories", "0004_regions_served"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(assign_regions, migrations.RunPython.noop)]
