"""A territory row has one owner: give each project sharing its row a copy of its own.

Before, the project form offered every territory: a project could point at an AMI answer's
« Territoire envisagé » row (which the référent's private link then changed in place) or
at another project's row. Each such project gets a new row with the same communes, named
after it; the answer keeps its row, and of two projects the first keeps it.
"""

from django.db import migrations


def give_projects_their_own_territory(apps, schema_editor) -> None:
    CptsProject = apps.get_model("projects", "CptsProject")
    Submission = apps.get_model("ami", "Submission")
    Territory = apps.get_model("territories", "Territory")
    name_length = Territory._meta.get_field("name").max_length
    kept: set[int] = set()
    for project in CptsProject.objects.filter(territory__isnull=False).order_by("pk"):
        shared = Submission.objects.filter(territory_id=project.territory_id).exists()
        if not shared and project.territory_id not in kept:
            kept.add(project.territory_id)
            continue
        copy = Territory(name=project.name[:name_length])
        # Run by its test with today's models too, where a territory has a region.
        if hasattr(copy, "region_id"):
            copy.region_id = project.territory.region_id
        copy.save()
        copy.communes.set(
            Territory.communes.through.objects.filter(
                territory_id=project.territory_id
            ).values_list("commune_id", flat=True)
        )
        CptsProject.objects.filter(pk=project.pk).update(territory=copy)


class Migration(migrations.Migration):
    dependencies = [
        ("ami", "0002_territory_and_practice_commune"),
        ("projects", "0004_funding_rate_scale_required"),
        ("territories", "0002_territory"),
    ]

    operations = [
        migrations.RunPython(give_projects_their_own_territory, migrations.RunPython.noop),
    ]
