"""Demo data: the two ARS Bretagne AMI editions of the source documents, and a few answers.

The campaign texts are the published AMI texts (fixtures/demo/*.txt). The answers are
fictitious: names are invented, places are real Breton communes.
"""

from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cpts_portal.history import record_event
from territories.models import Commune
from territories.search import resolve_commune

from .models import (
    Actor,
    Campaign,
    PracticeSetting,
    Profession,
    Referent,
    Submission,
    SubmissionEvent,
)
from .services import save_territory

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"

ARS_BRETAGNE_CONTACT = (
    "Direction adjointe des soins de proximité et formations en santé\n"
    "Ronan Derieux : 02 22 06 73 54, ronan.derieux@ars.sante.fr\n"
    "Christelle Février : 02 22 06 73 40"
)
SUMMARY = (
    "L’ARS Bretagne, en partenariat avec l’Assurance Maladie et les URPS, identifie les acteurs "
    "du système de santé souhaitant disposer d’informations et/ou être accompagnés dans la mise "
    "en œuvre d’un projet de CPTS sur leur territoire. La réponse se veut non engageante."
)

CAMPAIGNS = [
    {
        "slug": "bretagne-2021-09",
        "edition": "Septembre 2021",
        "opens_on": date(2021, 9, 1),
        # Superseded by the April 2022 edition.
        "closes_on": date(2022, 3, 31),
        "text": "ami-bretagne-2021-09.txt",
    },
    {
        "slug": "bretagne-2022-04",
        "edition": "Avril 2022",
        "opens_on": date(2022, 4, 1),
        # The published call states no closing date.
        "closes_on": None,
        "text": "ami-bretagne-2022-04.txt",
    },
]

P, S = Profession, PracticeSetting
SUBMISSIONS = [
    {
        "campaign": "bretagne-2022-04",
        "objectives": ("has_reflection",),
        "context": "Nous sommes un groupe de professionnels du pays de Douarnenez (MSP et cabinets "
        "libéraux) qui se réunit depuis un an autour des soins non programmés. Nous souhaitons "
        "savoir comment structurer une CPTS et être mis en relation avec l’hôpital local.",
        "territory_text": "Communauté de communes Douarnenez Communauté et presqu’île de Crozon",
        "epci": "CC Douarnenez Communauté",
        "meeting_wish": "Plutôt en soirée, un mardi ou un jeudi",
        "days_ago": 12,
        "actors": [
            ("Dr Anne Le Goff", P.GENERAL_PRACTITIONER, "Douarnenez", S.MSP, "MSP du Port-Rhu"),
            ("Yann Kerbrat", P.PHYSIOTHERAPIST, "Douarnenez", S.GROUP_PRACTICE, ""),
            ("Maëlle Riou", P.NURSE, "Pouldergat", S.SOLO_PRACTICE, ""),
        ],
        "referents": [
            (
                "Dr Anne Le Goff",
                "Médecin généraliste, coordinatrice de la MSP",
                "anne.legoff@example.org",
                "+33298921234",
            )
        ],
    },
    {
        "campaign": "bretagne-2022-04",
        "objectives": ("wants_information",),
        "context": "Pharmacien installé depuis peu, je souhaite comprendre ce qu’est une CPTS et "
        "savoir s’il existe déjà une dynamique sur le secteur de Lannion.",
        "territory_text": "",
        "meeting_wish": "Dès que possible",
        "days_ago": 6,
        "actors": [("Erwan Morvan", P.PHARMACIST, "Lannion", S.SOLO_PRACTICE, "")],
        "referents": [("Erwan Morvan", "Pharmacien titulaire", "erwan.morvan@example.org", "")],
    },
    {
        "campaign": "bretagne-2022-04",
        "objectives": ("has_reflection", "has_initiative"),
        "context": "Les professionnels du pays de Vitré ont constitué une association de "
        "préfiguration. Un premier diagnostic territorial a été réalisé avec le centre hospitalier "
        "et l’EHPAD ; nous voulons préparer la lettre d’intention.",
        "territory_text": "Vitré Communauté (46 communes)",
        "epci": "CA Vitré Communauté",
        "meeting_wish": "Avant l’été",
        "days_ago": 3,
        "actors": [
            ("Dr Hélène Gauthier", P.GENERAL_PRACTITIONER, "Vitré", S.MSP, "MSP de Vitré"),
            ("Sophie Brard", P.MIDWIFE, "Vitré", S.GROUP_PRACTICE, ""),
            ("Centre hospitalier de Vitré", P.HEALTH_FACILITY, "Vitré", S.FACILITY, ""),
            ("Julien Pelé", P.SPEECH_THERAPIST, "Châteaubourg", S.GROUP_PRACTICE, ""),
        ],
        "referents": [
            (
                "Dr Hélène Gauthier",
                "Présidente de l’association de préfiguration",
                "helene.gauthier@example.org",
                "+33299751020",
            ),
            ("Sophie Brard", "Trésorière", "sophie.brard@example.org", ""),
        ],
    },
    {
        "campaign": "bretagne-2022-04",
        "objectives": ("wants_information", "has_reflection"),
        "context": "Infirmiers libéraux du secteur de Pontivy, nous constatons des difficultés "
        "d’accès à un médecin traitant pour nos patients âgés et souhaitons en discuter avec "
        "les autres professionnels.",
        "territory_text": "Pontivy Communauté",
        "epci": "CC Pontivy Communauté",
        "meeting_wish": "",
        "meeting_in_days": 45,
        "days_ago": 1,
        "actors": [
            ("Cabinet infirmier du Blavet", P.NURSE, "Pontivy", S.GROUP_PRACTICE, ""),
            ("Gaëlle Le Strat", P.DIETITIAN, "Noyal-Pontivy", S.SOLO_PRACTICE, ""),
        ],
        "referents": [
            ("Thomas Le Bihan", "Infirmier libéral", "thomas.lebihan@example.org", "+33612345678")
        ],
    },
    {
        "campaign": "bretagne-2022-04",
        "objectives": ("wants_information",),
        "context": "Pharmacienne à Douarnenez, j’ai entendu parler d’un projet de CPTS et je "
        "souhaite savoir comment y participer.",
        "territory_text": "",
        "meeting_wish": "Le matin de préférence",
        "days_ago": 2,
        "actors": [("Pharmacie du Rosmeur", P.PHARMACIST, "Douarnenez", S.SOLO_PRACTICE, "")],
        "referents": [("Claire Quéré", "Pharmacienne titulaire", "claire.quere@example.org", "")],
    },
    {
        "campaign": "bretagne-2021-09",
        "objectives": ("has_initiative",),
        "context": "Projet porté par la MSP de Dinan et le pôle de santé de Plancoët ; projet de "
        "santé en cours d’écriture.",
        "territory_text": "Dinan Agglomération",
        "meeting_wish": "Janvier 2022",
        "days_ago": 700,
        "actors": [("Dr Paul Hamon", P.GENERAL_PRACTITIONER, "Dinan", S.MSP, "MSP de Dinan")],
        "referents": [("Dr Paul Hamon", "Médecin généraliste", "paul.hamon@example.org", "")],
    },
]


def load_demo_campaigns() -> list[Campaign]:
    campaigns = []
    for spec in CAMPAIGNS:
        campaign, _created = Campaign.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "title": "AMI Communauté professionnelle territoriale de santé (CPTS)",
                "edition": spec["edition"],
                "region": "Bretagne",
                "opens_on": spec["opens_on"],
                "closes_on": spec["closes_on"],
                "summary": SUMMARY,
                "intro": (DEMO_DIR / spec["text"]).read_text(encoding="utf-8").strip(),
                "contact_email": "ars-bretagne-secretariat-daspf@ars.sante.fr",
                "contact_details": ARS_BRETAGNE_CONTACT,
            },
        )
        campaigns.append(campaign)
    return campaigns


@transaction.atomic
def load_demo_submissions() -> int:
    """Create the demo answers once; returns how many were created."""
    if Submission.objects.exists():
        return 0
    campaigns = {campaign.slug: campaign for campaign in Campaign.objects.all()}
    now = timezone.now()
    for spec in SUBMISSIONS:
        submitted_at = now - timedelta(days=spec["days_ago"])
        submission = Submission.objects.create(
            campaign=campaigns[spec["campaign"]],
            context=spec["context"],
            territory_text=spec["territory_text"],
            meeting_wish=spec["meeting_wish"],
            meeting_wished_by=(
                timezone.localdate() + timedelta(days=spec["meeting_in_days"])
                if "meeting_in_days" in spec
                else None
            ),
            consent_at=submitted_at,
            status_changed_at=submitted_at,
            **{field: True for field in spec["objectives"]},
        )
        # auto_now_add ignores a given value: set the demo date afterwards.
        Submission.objects.filter(pk=submission.pk).update(submitted_at=submitted_at)
        Actor.objects.bulk_create(
            Actor(
                submission=submission,
                name=name,
                profession=profession,
                practice_place=place,
                practice_commune=resolve_commune(place).commune,
                practice_setting=setting,
                structure_name=structure,
            )
            for name, profession, place, setting, structure in spec["actors"]
        )
        if spec.get("epci"):
            codes = Commune.objects.filter(epci__name=spec["epci"]).values_list(
                "insee_code", flat=True
            )
            save_territory(submission, list(codes))
        Referent.objects.bulk_create(
            Referent(submission=submission, name=name, function=function, email=email, phone=phone)
            for name, function, email, phone in spec["referents"]
        )
        record_event(submission, SubmissionEvent.Kind.SUBMITTED, created_at=submitted_at)
    return len(SUBMISSIONS)
