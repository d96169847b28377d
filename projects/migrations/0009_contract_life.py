"""The ACI contract's life: frozen terms, payments, annual reports, renewal.

Schema: terms versions (``ContractTerms``), payments, annual reports, mission indicators,
the reliability of each source, the dialogue's participants and decisions.

Data (issue 17), each figure with its source in plain words and its reliability; a source
the ARS already corrected (no longer the seed's « à vérifier » text) is left alone:
- the 2019 scale: ACI approved by the arrêté of 21 August 2019 (JORF of 24 August), in
  force on 25 August 2019 until the day before avenant 2; functioning 50,000 / 60,000 /
  75,000 / 90,000 € (the Sénat report r25-0325 gives the range); annual maxima with the
  soins non programmés part about 220 / 287 / 370 / 450 k€ (press, 2019);
- the avenant 2 scale (signed 20 December 2021): functioning raised by 75 % (87,500 /
  105,000 / 131,250 / 157,500 €, press and a union's draft) and the lettre d'intention
  envelope, 15,000 € (tier 1) to 30,000 € (tier 4) (ameli.fr news of the signature);
- the mission deadlines: ARS Hauts-de-France PAPS page « le financement de la CPTS »;
- every existing contract gets version 1 of its terms, copied from the tables as they
  stand and the scale in force on its signature.
"""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Q

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import projects.models.contract
import projects.models.pipeline
from django.conf import settings
from django.db import migrations, models


SEEDED_MARK = "à vérifier"
ACI_2019 = (
    "Accord conventionnel interprofessionnel des CPTS, approuvé par l’arrêté du 21 août 2019 "
    "(Journal officiel du 24 août 2019), en vigueur le 25 août 2019"
)
DEADLINES_SOURCE = (
    "Accord conventionnel interprofessionnel de 2019, tel que le présente l’ARS "
    "Hauts-de-France (portail d’accompagnement des professionnels de santé, « Le "
    "financement de la CPTS », page mise à jour le 30 novembre 2023)"
)
FREE_SOURCE = f"{DEADLINES_SOURCE} : mission complémentaire, sans délai imposé"
AVENANT_2 = (
    "Avenant 2 à l’accord conventionnel interprofessionnel, signé le 20 décembre 2021 "
    "(annonce de la signature sur ameli.fr)"
)
SENAT = "Rapport du Sénat r25-0325 : fonctionnement de 50 000 à 90 000 € par an selon la taille"
MAXIMA_SOURCE = "Presse spécialisée (2019) : plafond annuel, part soins non programmés comprise"
RAISE_SOURCE = (
    "Presse spécialisée et projet d’avenant d’un syndicat : fonctionnement augmenté de 75 % "
    "pour les CPTS ayant signé avant le 31 décembre 2021"
)
ENVELOPE_SOURCE = f"{AVENANT_2} : enveloppe dès la validation de la lettre d’intention"
FUNCTIONING_2019 = {1: 50_000, 2: 60_000, 3: 75_000, 4: 90_000}
MAXIMA_2019 = {1: 220_000, 2: 287_000, 3: 370_000, 4: 450_000}
FUNCTIONING_AVENANT_2 = {1: 87_500, 2: 105_000, 3: 131_250, 4: 157_500}
ENVELOPE_AVENANT_2 = {1: 15_000, 4: 30_000}  # tiers 2 and 3: not found
SCALE_2019_NAME = "ACI 2019 — rémunération du fonctionnement de la CPTS"
AVENANT_2_FROM = date(2021, 12, 20)


def seed_sources(apps, schema_editor):
    MissionDeadline = apps.get_model("projects", "MissionDeadline")
    FundingScale = apps.get_model("projects", "FundingScale")
    FundingRate = apps.get_model("projects", "FundingRate")
    # The seed's texts, or ours (migrated back then forth: the reliability is set again).
    seeded = Q(source__contains=SEEDED_MARK) | Q(source__in=[DEADLINES_SOURCE, FREE_SOURCE])
    for deadline in MissionDeadline.objects.filter(seeded):
        deadline.source = DEADLINES_SOURCE if deadline.start_within_months else FREE_SOURCE
        deadline.source_status = "secondaire"
        deadline.save(update_fields=["source", "source_status"])
    scale = FundingScale.objects.filter(
        Q(name=SCALE_2019_NAME, source__contains=SEEDED_MARK) | Q(name="ACI 2019", source=ACI_2019)
    ).first()
    if scale is None:
        return
    later = FundingScale.objects.filter(valid_from__gt=date(2019, 8, 25)).exists()
    scale.name = "ACI 2019"
    scale.source = ACI_2019
    scale.source_status = "officiel"
    scale.valid_from = date(2019, 8, 25)
    if not later and scale.valid_until is None:
        scale.valid_until = AVENANT_2_FROM - timedelta(days=1)
    scale.save()
    for tier, amount in FUNCTIONING_2019.items():
        FundingRate.objects.update_or_create(
            scale=scale,
            tier=tier,
            item="fonctionnement",
            defaults={"source": SENAT, "source_status": "secondaire"},
            create_defaults={
                "fixed_amount": Decimal(amount),
                "source": SENAT,
                "source_status": "secondaire",
            },
        )
    for tier, amount in MAXIMA_2019.items():
        FundingRate.objects.get_or_create(
            scale=scale,
            tier=tier,
            item="plafond_annuel",
            defaults={
                "fixed_amount": Decimal(amount),
                "source": MAXIMA_SOURCE,
                "source_status": "presse",
            },
        )
    if later:
        return
    avenant = FundingScale.objects.create(
        name="Avenant 2 à l’ACI",
        source=AVENANT_2,
        source_status="secondaire",
        valid_from=AVENANT_2_FROM,
    )
    FundingRate.objects.bulk_create(
        [
            FundingRate(
                scale=avenant,
                tier=tier,
                item="fonctionnement",
                fixed_amount=Decimal(amount),
                source=RAISE_SOURCE,
                source_status="presse",
            )
            for tier, amount in FUNCTIONING_AVENANT_2.items()
        ]
        + [
            FundingRate(
                scale=avenant,
                tier=tier,
                item="enveloppe_lettre",
                fixed_amount=Decimal(amount),
                source=ENVELOPE_SOURCE,
                source_status="secondaire",
            )
            for tier, amount in ENVELOPE_AVENANT_2.items()
        ]
    )


def freeze_existing_contracts(apps, schema_editor):
    """Version 1 of the terms of each contract signed before this migration."""
    from django.db.models import Sum

    from projects import rules

    AciContract = apps.get_model("projects", "AciContract")
    ContractTerms = apps.get_model("projects", "ContractTerms")
    FundingScale = apps.get_model("projects", "FundingScale")
    MissionDeadline = apps.get_model("projects", "MissionDeadline")
    deadlines = {d.mission: d for d in MissionDeadline.objects.all()}
    for contract in AciContract.objects.filter(terms__isnull=True).select_related("project"):
        signed_on = contract.signed_on
        scale = (
            FundingScale.objects.filter(valid_from__lte=signed_on)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=signed_on))
            .order_by("-valid_from", "-pk")
            .first()
        )
        rates = []
        if scale is not None:
            rates = [
                SimpleNamespace(
                    tier=rate.tier,
                    item=rate.item,
                    fixed_amount=rate.fixed_amount,
                    variable_amount=rate.variable_amount,
                    source_text=rate.source or scale.source,
                    source_reliability=rate.source_status or scale.source_status,
                )
                for rate in scale.rates.all()
            ]
        territory = contract.project.territory
        population = (
            territory.communes.aggregate(total=Sum("population"))["total"] or 0
            if territory is not None
            else 0
        )
        terms = rules.build_terms(
            population=population,
            missions=contract.missions,
            scale=scale,
            rates=rates,
            deadlines=deadlines,
            indicators=[],
        )
        ContractTerms.objects.create(
            contract=contract,
            version=1,
            effective_on=signed_on,
            reason="Signature du contrat (conditions relevées à la mise en place du suivi)",
            scale=scale,
            terms=terms,
            recorded_by=contract.recorded_by,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0008_coordinator_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MissionIndicator",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "mission",
                    models.CharField(
                        choices=[
                            (
                                "acces_medecin_traitant",
                                "Accès aux soins : faciliter l’accès à un médecin traitant",
                            ),
                            (
                                "soins_non_programmes",
                                "Accès aux soins : améliorer la prise en charge des soins non programmés",
                            ),
                            (
                                "parcours_pluriprofessionnels",
                                "Organisation de parcours pluriprofessionnels autour du patient",
                            ),
                            ("prevention", "Développement des actions territoriales de prévention"),
                            ("crises_sanitaires", "Réponse aux crises sanitaires graves"),
                            (
                                "qualite_pertinence",
                                "Développement de la qualité et de la pertinence des soins",
                            ),
                            (
                                "accompagnement_professionnels",
                                "Accompagnement des professionnels de santé sur le territoire",
                            ),
                        ],
                        max_length=40,
                        verbose_name="mission",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="indicateur")),
                ("unit", models.CharField(blank=True, max_length=60, verbose_name="unité")),
                (
                    "target",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Vide : fixé contrat par contrat.",
                        max_digits=12,
                        null=True,
                        verbose_name="objectif par défaut",
                    ),
                ),
                ("source", models.TextField(verbose_name="source")),
                (
                    "source_status",
                    models.CharField(
                        choices=[
                            ("officiel", "texte officiel"),
                            (
                                "secondaire",
                                "source institutionnelle (rapport, site d’ARS), à confirmer",
                            ),
                            ("presse", "presse spécialisée, à confirmer"),
                        ],
                        default="officiel",
                        max_length=20,
                        verbose_name="fiabilité de la source",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
            ],
            options={
                "verbose_name": "indicateur de mission ACI",
                "verbose_name_plural": "indicateurs des missions ACI",
                "ordering": ["mission", "position", "pk"],
            },
        ),
        migrations.AddField(
            model_name="acicontract",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("renouvele", "Renouvelé pour 5 ans"),
                    ("termine", "Terminé à son échéance"),
                ],
                max_length=20,
                verbose_name="issue du contrat",
            ),
        ),
        migrations.AddField(
            model_name="acicontract",
            name="outcome_on",
            field=models.DateField(blank=True, null=True, verbose_name="issue décidée le"),
        ),
        migrations.AddField(
            model_name="acicontract",
            name="term_years",
            field=models.PositiveSmallIntegerField(
                default=projects.models.contract.default_term_years,
                editable=False,
                verbose_name="durée (années)",
            ),
        ),
        migrations.AddField(
            model_name="fundingrate",
            name="source_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("officiel", "texte officiel"),
                    ("secondaire", "source institutionnelle (rapport, site d’ARS), à confirmer"),
                    ("presse", "presse spécialisée, à confirmer"),
                ],
                help_text="Vide : celle de la version du barème.",
                max_length=20,
                verbose_name="fiabilité de la source",
            ),
        ),
        migrations.AddField(
            model_name="fundingscale",
            name="source_status",
            field=models.CharField(
                choices=[
                    ("officiel", "texte officiel"),
                    ("secondaire", "source institutionnelle (rapport, site d’ARS), à confirmer"),
                    ("presse", "presse spécialisée, à confirmer"),
                ],
                default="officiel",
                help_text="Hors texte officiel, les agents lisent « à confirmer » près des montants.",
                max_length=20,
                verbose_name="fiabilité de la source",
            ),
        ),
        migrations.AddField(
            model_name="managementdialogue",
            name="decisions",
            field=models.TextField(
                blank=True,
                help_text="Ajustements des objectifs, missions à revoir, versement décidé.",
                verbose_name="décisions",
            ),
        ),
        migrations.AddField(
            model_name="managementdialogue",
            name="participants",
            field=models.TextField(
                blank=True,
                help_text="Une personne par ligne, avec sa structure.",
                verbose_name="participants",
            ),
        ),
        migrations.AddField(
            model_name="missiondeadline",
            name="source_status",
            field=models.CharField(
                choices=[
                    ("officiel", "texte officiel"),
                    ("secondaire", "source institutionnelle (rapport, site d’ARS), à confirmer"),
                    ("presse", "presse spécialisée, à confirmer"),
                ],
                default="officiel",
                max_length=20,
                verbose_name="fiabilité de la source",
            ),
        ),
        migrations.AlterField(
            model_name="acicontract",
            name="missions",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Celles des conditions en vigueur : un avenant les change.",
                validators=[projects.models.pipeline.validate_missions],
                verbose_name="missions contractualisées",
            ),
        ),
        migrations.AlterField(
            model_name="fundingrate",
            name="item",
            field=models.CharField(
                choices=[
                    ("fonctionnement", "Fonctionnement de la CPTS"),
                    (
                        "acces_medecin_traitant",
                        "Accès aux soins : faciliter l’accès à un médecin traitant",
                    ),
                    (
                        "soins_non_programmes",
                        "Accès aux soins : améliorer la prise en charge des soins non programmés",
                    ),
                    (
                        "parcours_pluriprofessionnels",
                        "Organisation de parcours pluriprofessionnels autour du patient",
                    ),
                    ("prevention", "Développement des actions territoriales de prévention"),
                    ("crises_sanitaires", "Réponse aux crises sanitaires graves"),
                    (
                        "qualite_pertinence",
                        "Développement de la qualité et de la pertinence des soins",
                    ),
                    (
                        "accompagnement_professionnels",
                        "Accompagnement des professionnels de santé sur le territoire",
                    ),
                    ("enveloppe_lettre", "Enveloppe dès la validation de la lettre d’intention"),
                    ("plafond_annuel", "Plafond annuel du contrat (soins non programmés compris)"),
                ],
                max_length=40,
                verbose_name="poste",
            ),
        ),
        migrations.AlterField(
            model_name="fundingscale",
            name="source",
            field=models.TextField(
                help_text="Texte de référence des montants, en clair : l’ACI et l’avenant en vigueur. Lu par les coordinateurs.",
                verbose_name="source",
            ),
        ),
        migrations.AlterField(
            model_name="managementdialogue",
            name="summary",
            field=models.TextField(
                help_text="Indicateurs examinés, valeurs validées, échanges.",
                verbose_name="compte rendu",
            ),
        ),
        migrations.AlterField(
            model_name="managementdialogue",
            name="year",
            field=models.PositiveSmallIntegerField(
                help_text="1 à 5 ; un dialogue pluriannuel est enregistré sur sa dernière année.",
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="année du contrat",
            ),
        ),
        migrations.AlterField(
            model_name="sentreminder",
            name="kind",
            field=models.CharField(
                choices=[
                    ("jalon_en_retard", "Jalon en retard"),
                    ("demarrage_mission", "Démarrage d’une mission dans un mois"),
                    ("deploiement_mission", "Déploiement d’une mission dans un mois"),
                    ("dialogue_gestion", "Dialogue de gestion annuel dans un mois"),
                    ("fin_contrat", "Fin du contrat ACI : renouvellement à préparer"),
                    ("rapport_annuel", "Rapport annuel ACI à transmettre"),
                    ("versement_aci", "Versement ACI attendu"),
                ],
                max_length=30,
                verbose_name="rappel",
            ),
        ),
        migrations.CreateModel(
            name="ContractPayment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="année du contrat",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("signature", "Versement à la signature"),
                            ("avance", "Avance à la date anniversaire"),
                            ("solde", "Solde après le rapport annuel"),
                        ],
                        max_length=20,
                        verbose_name="versement",
                    ),
                ),
                ("paid_on", models.DateField(verbose_name="versé le")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="montant (€)",
                    ),
                ),
                (
                    "reference",
                    models.CharField(blank=True, max_length=100, verbose_name="référence"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="enregistré le"
                    ),
                ),
                (
                    "contract",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="payments",
                        to="projects.acicontract",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="enregistré par",
                    ),
                ),
            ],
            options={
                "verbose_name": "versement ACI",
                "verbose_name_plural": "versements ACI",
                "ordering": ["year", "paid_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="AnnualReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="année du contrat",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("brouillon", "En cours de saisie"),
                            ("transmis", "Transmis à l’ARS et à l’Assurance Maladie"),
                            ("a_completer", "À compléter"),
                            ("valide", "Validé"),
                        ],
                        default="brouillon",
                        max_length=20,
                        verbose_name="état",
                    ),
                ),
                ("results", models.JSONField(blank=True, default=list, verbose_name="indicateurs")),
                ("comment", models.TextField(blank=True, verbose_name="commentaire de la CPTS")),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="transmis le"),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="examiné le"),
                ),
                (
                    "review_comment",
                    models.TextField(
                        blank=True, verbose_name="avis de l’ARS ou de l’Assurance Maladie"
                    ),
                ),
                (
                    "contract",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reports",
                        to="projects.acicontract",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="examiné par",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="transmis par",
                    ),
                ),
            ],
            options={
                "verbose_name": "rapport annuel ACI",
                "verbose_name_plural": "rapports annuels ACI",
                "ordering": ["contract", "year"],
                "constraints": [
                    models.UniqueConstraint(fields=("contract", "year"), name="one_report_per_year")
                ],
            },
        ),
        migrations.CreateModel(
            name="ContractTerms",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveSmallIntegerField(verbose_name="version")),
                ("effective_on", models.DateField(verbose_name="en vigueur à partir du")),
                ("reason", models.CharField(max_length=300, verbose_name="motif")),
                ("terms", models.JSONField(default=dict, verbose_name="conditions")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="enregistré le"
                    ),
                ),
                (
                    "amendment",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="terms",
                        to="projects.amendment",
                        verbose_name="avenant",
                    ),
                ),
                (
                    "contract",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="terms",
                        to="projects.acicontract",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="enregistré par",
                    ),
                ),
                (
                    "scale",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="projects.fundingscale",
                        verbose_name="version du barème",
                    ),
                ),
            ],
            options={
                "verbose_name": "conditions du contrat ACI",
                "verbose_name_plural": "conditions des contrats ACI",
                "ordering": ["contract", "version"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("contract", "version"), name="one_terms_version"
                    )
                ],
            },
        ),
        migrations.RunPython(seed_sources, migrations.RunPython.noop),
        migrations.RunPython(freeze_existing_contracts, migrations.RunPython.noop),
    ]
