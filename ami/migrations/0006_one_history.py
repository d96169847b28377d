"""The answer's history takes the columns of every history (``cpts_portal.history.Event``).

Renames only, so every existing event is kept: ``details`` → ``data``, ``from_status`` →
``from_state``, ``to_status`` → ``to_state`` (whose length becomes the shared one).
``changes`` stays, a column of the answer's history only.
"""

from django.db import migrations, models

STATUS_CHOICES = [
    ("received", "Reçue"),
    ("in_review", "En cours d'analyse"),
    ("exchange_planned", "Échange planifié"),
    ("oriented", "Orientée"),
    ("closed", "Close"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("ami", "0005_exchange_cancelled_at"),
    ]

    operations = [
        migrations.RenameField("submissionevent", "details", "data"),
        migrations.RenameField("submissionevent", "from_status", "from_state"),
        migrations.RenameField("submissionevent", "to_status", "to_state"),
        migrations.AlterField(
            model_name="submissionevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="données"),
        ),
        migrations.AlterField(
            model_name="submissionevent",
            name="from_state",
            field=models.CharField(
                blank=True, choices=STATUS_CHOICES, max_length=30, verbose_name="statut précédent"
            ),
        ),
        migrations.AlterField(
            model_name="submissionevent",
            name="to_state",
            field=models.CharField(
                blank=True, choices=STATUS_CHOICES, max_length=30, verbose_name="nouveau statut"
            ),
        ),
    ]
