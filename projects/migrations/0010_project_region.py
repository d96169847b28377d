"""Every project belongs to a region: its territory's, else its AMI answers' campaign's,
else the region the portal served before regions existed."""

import django.db.models.deletion
from django.db import migrations, models

from territories.upgrade import default_region


def assign_regions(apps, schema_editor):
    CptsProject = apps.get_model("projects", "CptsProject")
    for project in CptsProject.objects.select_related("territory"):
        if project.territory_id:
            region_id = project.territory.region_id
        else:
            region_id = (
                project.submissions.values_list("campaign__region_id", flat=True).first()
                or default_region(apps).pk
            )
        CptsProject.objects.filter(pk=project.pk).update(region_id=region_id)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0009_contract_life"),
        ("ami", "0010_campaign_region"),
        ("territories", "0006_territory_region_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="cptsproject",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cpts_projects",
                to="territories.region",
                verbose_name="région",
            ),
        ),
        migrations.RunPython(assign_regions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="cptsproject",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cpts_projects",
                to="territories.region",
                verbose_name="région",
            ),
        ),
    ]
