import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("territories", "0005_assign_regions")]

    operations = [
        migrations.AlterField(
            model_name="territory",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="territories",
                to="territories.region",
                verbose_name="région de rattachement",
            ),
        ),
    ]
