"""A campaign's region becomes a region of the reference geography (it was free text)."""

import django.db.models.deletion
from django.db import migrations, models

from territories.upgrade import default_region, region_by_name


def link_regions(apps, schema_editor):
    Campaign = apps.get_model("ami", "Campaign")
    fallback = None
    for campaign in Campaign.objects.all():
        fallback = fallback or default_region(apps)
        campaign.region_ref = region_by_name(apps, campaign.region, fallback)
        campaign.save(update_fields=["region_ref"])


class Migration(migrations.Migration):
    dependencies = [
        ("ami", "0009_answer_draft"),
        ("territories", "0006_territory_region_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="region_ref",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.region",
            ),
        ),
        migrations.RunPython(link_regions, migrations.RunPython.noop),
        migrations.RemoveField(model_name="campaign", name="region"),
        migrations.RenameField(model_name="campaign", old_name="region_ref", new_name="region"),
        migrations.AlterField(
            model_name="campaign",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="campaigns",
                to="territories.region",
                verbose_name="région",
            ),
        ),
    ]
