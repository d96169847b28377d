"""The project's history takes the columns of every history (``cpts_portal.history.Event``).

Renames only, so every existing event is kept: ``from_stage`` → ``from_state``,
``to_stage`` → ``to_state``.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_one_owner_per_territory"),
    ]

    operations = [
        migrations.RenameField("projectevent", "from_stage", "from_state"),
        migrations.RenameField("projectevent", "to_stage", "to_state"),
    ]
