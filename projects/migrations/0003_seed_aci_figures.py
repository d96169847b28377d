"""Seed the ACI figures: mission deadlines and the 2019 funding scale (fonctionnement part).

None of these figures is in the source documents of the repository (/work/shared/seeds):
they are the figures given in the product brief (issue #5). Each row says so in its
source, so that the ARS checks them against the ACI text in the administration, where
they can be corrected. Rates entered before the scale was versioned move into the 2019
version and win over the seeded amounts. Existing contracts get their CPTS party's name.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

ACI_2019 = (
    "Accord conventionnel interprofessionnel en faveur du développement de l’exercice "
    "coordonné et du déploiement des communautés professionnelles territoriales de santé, "
    "2019 (approuvé par l’arrêté du 21 août 2019)"
)
TO_CHECK = (
    "Chiffres tels que donnés dans le cahier des charges du produit (issue n° 5), à vérifier "
    "sur le texte de l’ACI."
)

# mission -> (start within, fully deployed within), in months after the signature.
MISSION_DEADLINES = {
    "acces_medecin_traitant": (6, 18),
    "soins_non_programmes": (6, 18),
    "crises_sanitaires": (6, 18),
    "parcours_pluriprofessionnels": (12, 24),
    "prevention": (12, 24),
    # Optional missions: no deadline.
    "qualite_pertinence": (None, None),
    "accompagnement_professionnels": (None, None),
}
MISSION_SOURCE = {
    True: f"{ACI_2019} : délais de démarrage et de déploiement complet des missions à compter "
    f"de la signature du contrat. {TO_CHECK}",
    False: f"{ACI_2019} : mission complémentaire (optionnelle), sans délai imposé. {TO_CHECK}",
}

SCALE_NAME = "ACI 2019 — rémunération du fonctionnement de la CPTS"
SCALE_SOURCE = (
    f"{ACI_2019} : part « fonctionnement de la communauté professionnelle », montant annuel "
    f"par taille de CPTS. Les montants des missions ne sont pas saisis : à compléter par "
    f"l’ARS avec leur source. {TO_CHECK}"
)
SCALE_FROM = date(2019, 8, 21)  # the arrêté approving the ACI (seed 004)
FUNCTIONING = {1: Decimal(50_000), 2: Decimal(60_000), 3: Decimal(75_000), 4: Decimal(90_000)}


def seed(apps, schema_editor):
    MissionDeadline = apps.get_model("projects", "MissionDeadline")
    FundingScale = apps.get_model("projects", "FundingScale")
    FundingRate = apps.get_model("projects", "FundingRate")
    AciContract = apps.get_model("projects", "AciContract")
    LegalHolder = apps.get_model("projects", "LegalHolder")

    for mission, (start, deployed) in MISSION_DEADLINES.items():
        MissionDeadline.objects.get_or_create(
            mission=mission,
            defaults={
                "start_within_months": start,
                "deployed_within_months": deployed,
                "source": MISSION_SOURCE[start is not None],
            },
        )

    scale = FundingScale.objects.create(
        name=SCALE_NAME, source=SCALE_SOURCE, valid_from=SCALE_FROM, valid_until=None
    )
    FundingRate.objects.filter(scale__isnull=True).update(scale=scale)
    entered = set(scale.rates.filter(item="fonctionnement").values_list("tier", flat=True))
    FundingRate.objects.bulk_create(
        FundingRate(
            scale=scale, tier=tier, item="fonctionnement", fixed_amount=amount, source=""
        )
        for tier, amount in FUNCTIONING.items()
        if tier not in entered
    )

    holders = dict(LegalHolder.objects.values_list("project_id", "name"))
    for contract in AciContract.objects.filter(cpts_name="").select_related("project"):
        contract.cpts_name = holders.get(contract.project_id) or contract.project.name
        contract.save(update_fields=["cpts_name"])


def unseed(apps, schema_editor):
    apps.get_model("projects", "FundingScale").objects.filter(
        name=SCALE_NAME, valid_from=SCALE_FROM
    ).delete()
    apps.get_model("projects", "MissionDeadline").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_aci_data")]

    operations = [migrations.RunPython(seed, unseed)]
