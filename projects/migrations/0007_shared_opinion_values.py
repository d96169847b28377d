"""The pipeline's avis take the AMI's stored values (``cpts_portal.choices.Opinion``):
``reserve`` → ``reserved``, ``defavorable`` → ``unfavorable`` (``favorable`` is the same).
Reversible.
"""

from django.db import migrations, models

# Old value → new value, in every column that held a ``projects.Verdict``.
RENAMED = {"reserve": "reserved", "defavorable": "unfavorable"}
COLUMNS = {
    "urpsopinion": ("objectives_verdict", "mobilisation_verdict", "territory_verdict"),
    "assurancemaladieopinion": ("verdict",),
}
CHOICES = [("favorable", "Favorable"), ("reserved", "Réservé"), ("unfavorable", "Défavorable")]


def rename(apps, mapping: dict[str, str]) -> None:
    for model_name, fields in COLUMNS.items():
        model = apps.get_model("projects", model_name)
        for field in fields:
            for old, new in mapping.items():
                model.objects.filter(**{field: old}).update(**{field: new})


def forwards(apps, schema_editor) -> None:
    rename(apps, RENAMED)


def backwards(apps, schema_editor) -> None:
    rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_one_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assurancemaladieopinion",
            name="verdict",
            field=models.CharField(choices=CHOICES, max_length=12, verbose_name="avis"),
        ),
        migrations.AlterField(
            model_name="urpsopinion",
            name="mobilisation_verdict",
            field=models.CharField(
                choices=CHOICES, max_length=12, verbose_name="Mobilisation des acteurs de santé"
            ),
        ),
        migrations.AlterField(
            model_name="urpsopinion",
            name="objectives_verdict",
            field=models.CharField(
                choices=CHOICES,
                max_length=12,
                verbose_name="Conformité des objectifs de la CPTS avec les missions définies par "
                "l'ACI",
            ),
        ),
        migrations.AlterField(
            model_name="urpsopinion",
            name="territory_verdict",
            field=models.CharField(
                choices=CHOICES, max_length=12, verbose_name="Identification du territoire"
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
