"""API tokens belong to an institution (or the national level), no longer to an account.

Each existing token is mapped to its account's institution (every partner agent has one
since territories 0005), to the national level for a superuser's or a national agent's
token; the tokens of accounts that could not read the API (coordinators, accounts without
a role) are deleted: they were refused anyway. Going back deletes every token (revocable
keys; the old model needs an account the new one no longer keeps).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def map_tokens_to_institutions(apps, schema_editor):
    ApiToken = apps.get_model("publication", "ApiToken")
    StaffMembership = apps.get_model("territories", "StaffMembership")
    institution_of = dict(StaffMembership.objects.values_list("user_id", "institution_id"))
    for token in ApiToken.objects.select_related("user"):
        user = token.user
        token.created_by_id = user.pk
        if user.is_superuser or user.groups.filter(name="National").exists():
            token.national = True
        elif user.pk in institution_of:
            token.institution_id = institution_of[user.pk]
        else:
            token.delete()
            continue
        token.save(update_fields=["created_by", "national", "institution"])


def delete_tokens(apps, schema_editor):
    apps.get_model("publication", "ApiToken").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0001_initial"),
        ("territories", "0006_territory_region_required"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="créé par",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="institution",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="api_tokens",
                to="territories.institution",
                verbose_name="institution",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="national",
            field=models.BooleanField(
                default=False,
                help_text="Lecture de toutes les régions (ministère, Caisse nationale).",
                verbose_name="niveau national",
            ),
        ),
        migrations.RunPython(map_tokens_to_institutions, delete_tokens),
        migrations.RemoveField(model_name="apitoken", name="user"),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("institution__isnull", False), ("national", False)),
                    models.Q(("institution__isnull", True), ("national", True)),
                    _connector="OR",
                ),
                name="api_token_one_holder",
                violation_error_message=(
                    "Un jeton appartient à une institution ou au niveau national."
                ),
            ),
        ),
    ]
