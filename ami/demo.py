"""Demo data: the two ARS Bretagne AMI editions of the source documents, an ARS Occitanie
call open now (a region using the Guichet CPTS), and a few answers to each.

The Breton campaign texts are the published AMI texts (fixtures/demo/*.txt); the Occitanie
one follows the URPS Occitanie guide. The answers are fictitious: names are invented,
places are real communes (Brittany, the Lot).
"""

from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cpts_portal.demo_clock import demo_clock
from cpts_portal.history import record_event
from territories.demo import BRETAGNE, load_demo_regions
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

OCCITANIE_SUMMARY = (
    "L’ARS Occitanie, l’Assurance Maladie, la MSA et les URPS accompagnent les professionnels "
    "de santé qui souhaitent créer une CPTS. Faites-vous connaître : le Guichet CPTS, qui "
    "réunit les URPS, vous oriente et examine votre lettre d’intention."
)
OCCITANIE_INTRO = (
    "Une communauté professionnelle territoriale de santé (CPTS) réunit les professionnels "
    "de santé d’un territoire autour d’un projet de santé commun : accès à un médecin "
    "traitant, soins non programmés, parcours des patients, prévention.\n\n"
    "En Occitanie, la convention signée entre l’ARS, l’Assurance Maladie, la MSA et les "
    "URPS a créé le Guichet CPTS : la lettre d’intention y est déposée, chaque URPS rend son "
    "avis sur trois critères, puis le Guichet transmet un avis consolidé à l’ARS pour "
    "instruction.\n\n"
    "Cette fiche, non engageante, permet à l’ARS et à ses partenaires de vous recontacter."
)
OCCITANIE_CONTACT = (
    "ARS Occitanie — Direction du premier recours\n"
    "Guichet CPTS Occitanie : guichetcptsoccitanie@gmail.com"
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
    {
        "slug": "occitanie-2026",
        "edition": "2026",
        "region": "76",
        "opens_on": date(2026, 1, 5),
        "closes_on": None,
        "summary": OCCITANIE_SUMMARY,
        "intro": OCCITANIE_INTRO,
        "contact_email": "cpts@ars-occitanie.example.org",
        "contact_details": OCCITANIE_CONTACT,
    },
]

P, S = Profession, PracticeSetting


def answer(
    key: str,
    days_ago: int,
    context: str,
    actors: list,
    referents: list,
    *,
    campaign: str = "bretagne-2022-04",
    objectives: tuple = ("has_reflection", "has_initiative"),
    territory_text: str = "",
    epci: str = "",
    meeting_wish: str = "",
    **extra,
) -> dict:
    """One demo answer; ``key`` names it for the demo's story (``projects.demo``)."""
    return {
        "key": key,
        "campaign": campaign,
        "days_ago": days_ago,
        "objectives": objectives,
        "context": context,
        "territory_text": territory_text,
        "epci": epci,
        "meeting_wish": meeting_wish,
        "actors": actors,
        "referents": referents,
        **extra,
    }


# Each answer's status and project are told by ``projects.demo.STORY``; all are « reçues »
# when created here, on the day given (days before the demo is loaded; the September 2021
# edition's answers within its opening period).
SUBMISSIONS = [
    answer(
        "douarnenez",
        45,
        "Nous sommes un groupe de professionnels du pays de Douarnenez (MSP et cabinets "
        "libéraux) qui se réunit depuis un an autour des soins non programmés. Nous souhaitons "
        "savoir comment structurer une CPTS et être mis en relation avec l’hôpital local.",
        [
            ("Dr Anne Le Goff", P.GENERAL_PRACTITIONER, "Douarnenez", S.MSP, "MSP du Port-Rhu"),
            ("Yann Kerbrat", P.PHYSIOTHERAPIST, "Douarnenez", S.GROUP_PRACTICE, ""),
            ("Maëlle Riou", P.NURSE, "Pouldergat", S.SOLO_PRACTICE, ""),
        ],
        [
            (
                "Dr Anne Le Goff",
                "Médecin généraliste, coordinatrice de la MSP",
                "anne.legoff@example.org",
                "+33298921234",
            )
        ],
        objectives=("has_reflection",),
        territory_text="Communauté de communes Douarnenez Communauté et presqu’île de Crozon",
        epci="CC Douarnenez Communauté",
        meeting_wish="Plutôt en soirée, un mardi ou un jeudi",
    ),
    answer(
        "lannion",
        6,
        "Pharmacien installé depuis peu, je souhaite comprendre ce qu’est une CPTS et "
        "savoir s’il existe déjà une dynamique sur le secteur de Lannion.",
        [("Erwan Morvan", P.PHARMACIST, "Lannion", S.SOLO_PRACTICE, "")],
        [("Erwan Morvan", "Pharmacien titulaire", "erwan.morvan@example.org", "")],
        objectives=("wants_information",),
        meeting_wish="Dès que possible",
    ),
    answer(
        "vitre",
        150,
        "Les professionnels du pays de Vitré ont constitué une association de "
        "préfiguration. Un premier diagnostic territorial a été réalisé avec le centre "
        "hospitalier et l’EHPAD ; nous voulons préparer la lettre d’intention.",
        [
            ("Dr Hélène Gauthier", P.GENERAL_PRACTITIONER, "Vitré", S.MSP, "MSP de Vitré"),
            ("Sophie Brard", P.MIDWIFE, "Vitré", S.GROUP_PRACTICE, ""),
            ("Centre hospitalier de Vitré", P.HEALTH_FACILITY, "Vitré", S.FACILITY, ""),
            ("Julien Pelé", P.SPEECH_THERAPIST, "Châteaubourg", S.GROUP_PRACTICE, ""),
        ],
        [
            (
                "Dr Hélène Gauthier",
                "Présidente de l’association de préfiguration",
                "helene.gauthier@example.org",
                "+33299751020",
            ),
            ("Sophie Brard", "Trésorière", "sophie.brard@example.org", ""),
        ],
        territory_text="Vitré Communauté (46 communes)",
        epci="CA Vitré Communauté",
        meeting_wish="Avant l’été",
    ),
    answer(
        "pontivy",
        8,
        "Infirmiers libéraux du secteur de Pontivy, nous constatons des difficultés "
        "d’accès à un médecin traitant pour nos patients âgés et souhaitons en discuter avec "
        "les autres professionnels.",
        [
            ("Cabinet infirmier du Blavet", P.NURSE, "Pontivy", S.GROUP_PRACTICE, ""),
            ("Gaëlle Le Strat", P.DIETITIAN, "Noyal-Pontivy", S.SOLO_PRACTICE, ""),
        ],
        [("Thomas Le Bihan", "Infirmier libéral", "thomas.lebihan@example.org", "+33612345678")],
        objectives=("wants_information", "has_reflection"),
        territory_text="Pontivy Communauté",
        epci="CC Pontivy Communauté",
        meeting_in_days=45,
    ),
    answer(
        "douarnenez-pharmacie",
        20,
        "Pharmacienne à Douarnenez, j’ai entendu parler d’un projet de CPTS et je "
        "souhaite savoir comment y participer.",
        [("Pharmacie du Rosmeur", P.PHARMACIST, "Douarnenez", S.SOLO_PRACTICE, "")],
        [("Claire Quéré", "Pharmacienne titulaire", "claire.quere@example.org", "")],
        objectives=("wants_information",),
        meeting_wish="Le matin de préférence",
    ),
    answer(
        "dinan",
        0,
        "Projet porté par la MSP de Dinan et le pôle de santé de Plancoët ; projet de "
        "santé en cours d’écriture.",
        [("Dr Paul Hamon", P.GENERAL_PRACTITIONER, "Dinan", S.MSP, "MSP de Dinan")],
        [("Dr Paul Hamon", "Médecin généraliste", "paul.hamon@example.org", "")],
        campaign="bretagne-2021-09",
        objectives=("has_initiative",),
        territory_text="Dinan Agglomération",
        epci="CA Dinan Agglomération",
        meeting_wish="Janvier 2022",
        submitted_on=date(2021, 11, 15),
    ),
    answer(
        "fougeres",
        210,
        "Les maisons de santé de Fougères et de Louvigné-du-Désert veulent bâtir une CPTS "
        "avec les pharmaciens et les infirmiers du secteur ; l’hôpital de Fougères est prêt "
        "à s’associer.",
        [
            ("Dr Marc Lemoine", P.GENERAL_PRACTITIONER, "Fougères", S.MSP, "MSP de Fougères"),
            ("Nadia Rault", P.NURSE, "Louvigné-du-Désert", S.MSP, ""),
        ],
        [("Dr Marc Lemoine", "Médecin généraliste", "marc.lemoine@example.org", "")],
        territory_text="CPTS Pays de Fougères : Fougères Agglomération, éventuellement "
        "Couesnon Marches de Bretagne.",
        epci="CA Fougères Agglomération",
    ),
    answer(
        "morlaix",
        260,
        "Une dizaine de professionnels du pays de Morlaix travaillent ensemble sur les "
        "sorties d’hospitalisation ; ils souhaitent formaliser une CPTS.",
        [("Dr Gaëlle Prigent", P.GENERAL_PRACTITIONER, "Morlaix", S.GROUP_PRACTICE, "")],
        [("Dr Gaëlle Prigent", "Médecin généraliste", "gaelle.prigent@example.org", "")],
        territory_text="Morlaix Communauté",
        epci="CA Morlaix Communauté",
    ),
    answer(
        "lamballe",
        360,
        "Association de professionnels de santé de Lamballe créée en 2021 ; nous voulons "
        "déposer une lettre d’intention.",
        [("Jean-Yves Rolland", P.PHARMACIST, "Lamballe-Armor", S.SOLO_PRACTICE, "")],
        [("Jean-Yves Rolland", "Pharmacien", "jy.rolland@example.org", "")],
        territory_text="Lamballe Terre et Mer",
        epci="CA Lamballe Terre et Mer",
    ),
    answer(
        "quimperle",
        460,
        "Les professionnels du pays de Quimperlé souhaitent être accompagnés pour écrire "
        "leur projet de santé.",
        [("Dr Soizic Le Du", P.GENERAL_PRACTITIONER, "Quimperlé", S.MSP, "MSP de Quimperlé")],
        [("Dr Soizic Le Du", "Médecin généraliste", "soizic.ledu@example.org", "")],
        territory_text="Quimperlé Communauté",
        epci="CA Quimperlé Communauté",
    ),
    answer(
        "concarneau",
        560,
        "CPTS en préfiguration autour de Concarneau : médecins, infirmiers, "
        "kinésithérapeutes et le centre hospitalier.",
        [("Loïc Guillou", P.PHYSIOTHERAPIST, "Concarneau", S.GROUP_PRACTICE, "")],
        [("Loïc Guillou", "Masseur-kinésithérapeute", "loic.guillou@example.org", "")],
        territory_text="Concarneau Cornouaille Agglomération",
        epci="CA Concarneau Cornouaille Agglomération",
    ),
    answer(
        "landerneau",
        660,
        "Les MSP de Landerneau et de Daoulas portent un projet commun de CPTS.",
        [("Dr Yves Abgrall", P.GENERAL_PRACTITIONER, "Landerneau", S.MSP, "MSP de Landerneau")],
        [("Dr Yves Abgrall", "Médecin généraliste", "yves.abgrall@example.org", "")],
        territory_text="Pays de Landerneau-Daoulas",
        epci="CA du Pays de Landerneau-Daoulas",
    ),
    answer(
        "iroise",
        780,
        "Les professionnels du pays d’Iroise veulent une CPTS tournée vers la prévention "
        "et les parcours des personnes âgées.",
        [("Anne Kervella", P.NURSE, "Saint-Renan", S.GROUP_PRACTICE, "")],
        [("Anne Kervella", "Infirmière libérale", "anne.kervella@example.org", "")],
        territory_text="Pays d’Iroise",
        epci="CC du Pays d'Iroise",
    ),
    answer(
        "redon",
        1000,
        "Projet de CPTS du pays de Redon, sur trois départements, porté par les MSP de "
        "Redon et d’Allaire.",
        [("Dr Pierre Josse", P.GENERAL_PRACTITIONER, "Redon", S.MSP, "MSP de Redon")],
        [("Dr Pierre Josse", "Médecin généraliste", "pierre.josse@example.org", "")],
        territory_text="Redon Agglomération",
        epci="CA Redon Agglomération",
    ),
    answer(
        "haute-cornouaille",
        400,
        "Quelques professionnels de Châteauneuf-du-Faou envisagent une CPTS.",
        [("Dr Hervé Le Bris", P.GENERAL_PRACTITIONER, "Châteauneuf-du-Faou", S.MSP, "")],
        [("Dr Hervé Le Bris", "Médecin généraliste", "herve.lebris@example.org", "")],
        territory_text="Haute Cornouaille",
        epci="CC de Haute Cornouaille",
    ),
    answer(
        "questembert",
        4,
        "Médecin à Questembert, je voudrais savoir si une CPTS existe ou se prépare sur le "
        "secteur et comment y contribuer.",
        [("Dr Léa Guého", P.GENERAL_PRACTITIONER, "Questembert", S.GROUP_PRACTICE, "")],
        [("Dr Léa Guého", "Médecin généraliste", "lea.gueho@example.org", "")],
        objectives=("wants_information", "has_reflection"),
        meeting_wish="Un vendredi après-midi",
    ),
    answer(
        "belle-ile",
        60,
        "Infirmière à Belle-Île, je souhaite de l’information sur les CPTS pour une "
        "réunion des professionnels de l’île.",
        [("Morgane Le Gall", P.NURSE, "Le Palais", S.SOLO_PRACTICE, "")],
        [("Morgane Le Gall", "Infirmière libérale", "morgane.legall@example.org", "")],
        objectives=("wants_information",),
    ),
    answer(
        "saint-malo",
        90,
        "Réponse envoyée une deuxième fois par erreur : voir notre première réponse.",
        [("Dr Erwan Costard", P.GENERAL_PRACTITIONER, "Saint-Malo", S.MSP, "")],
        [("Dr Erwan Costard", "Médecin généraliste", "erwan.costard@example.org", "")],
        objectives=("wants_information",),
    ),
    answer(
        "carhaix",
        5,
        "Kinésithérapeute à Carhaix, je veux rencontrer les autres professionnels du Poher.",
        [("Ronan Le Roux", P.PHYSIOTHERAPIST, "Carhaix-Plouguer", S.GROUP_PRACTICE, "")],
        [("Ronan Le Roux", "Masseur-kinésithérapeute", "ronan.leroux@example.org", "")],
        objectives=("has_reflection",),
    ),
]


OCCITANIE = "occitanie-2026"

# The ARS Occitanie call: answers from the Lot, received in the last weeks.
SUBMISSIONS += [
    answer(
        "figeac",
        40,
        "Les professionnels du Grand-Figeac se réunissent depuis deux ans autour de la MSP de "
        "Figeac. Nous voulons déposer une lettre d’intention auprès du Guichet CPTS.",
        [
            ("Dr Mathilde Delpech", P.GENERAL_PRACTITIONER, "Figeac", S.MSP, "MSP de Figeac"),
            ("Julien Lacombe", P.NURSE, "Figeac", S.GROUP_PRACTICE, ""),
            ("Sophie Calmels", P.PHARMACIST, "Capdenac", S.SOLO_PRACTICE, ""),
            ("Thomas Bouzou", P.PHYSIOTHERAPIST, "Lacapelle-Marival", S.SOLO_PRACTICE, ""),
        ],
        [
            (
                "Dr Mathilde Delpech",
                "Médecin généraliste, présidente de l’association de préfiguration",
                "mathilde.delpech@example.org",
                "+33565341234",
            )
        ],
        campaign=OCCITANIE,
        territory_text="Communauté de communes du Grand-Figeac",
        epci="CC Grand-Figeac",
        meeting_wish="En fin de journée",
    ),
    answer(
        "gourdon",
        25,
        "Infirmière libérale, je souhaite savoir si une CPTS se prépare autour de Gourdon et "
        "comment y participer.",
        [("Claire Vidal", P.NURSE, "Gourdon", S.SOLO_PRACTICE, "")],
        [("Claire Vidal", "Infirmière libérale", "claire.vidal@example.org", "")],
        campaign=OCCITANIE,
        objectives=("wants_information",),
        territory_text="Quercy - Bouriane",
        epci="CC Quercy - Bouriane",
    ),
    answer(
        "saint-cere",
        12,
        "Nous sommes trois médecins et deux pharmaciens de la vallée de la Dordogne lotoise : "
        "nous cherchons un accompagnement pour organiser les soins non programmés l’été.",
        [
            ("Dr Pierre Lavergne", P.GENERAL_PRACTITIONER, "Saint-Céré", S.GROUP_PRACTICE, ""),
            ("Dr Inès Bach", P.GENERAL_PRACTITIONER, "Bretenoux", S.SOLO_PRACTICE, ""),
            ("Marc Fabre", P.PHARMACIST, "Souillac", S.SOLO_PRACTICE, ""),
        ],
        [("Dr Pierre Lavergne", "Médecin généraliste", "pierre.lavergne@example.org", "")],
        campaign=OCCITANIE,
        territory_text="Causses et Vallée de la Dordogne",
    ),
]


def answer_key(submission: Submission) -> str | None:
    """The demo key of an answer (its first référent's address), None if not a demo one."""
    email = submission.referents.order_by("pk").values_list("email", flat=True).first()
    return DEMO_KEYS.get(email)


DEMO_KEYS = {spec["referents"][0][2]: spec["key"] for spec in SUBMISSIONS}


def demo_answers() -> dict[str, Submission]:
    """The demo answers by key."""
    answers = {}
    for submission in Submission.objects.filter(referents__email__in=DEMO_KEYS).distinct():
        key = answer_key(submission)
        if key is not None:
            answers[key] = submission
    return answers


def load_demo_campaigns() -> list[Campaign]:
    """The campaigns of both demo regions (their identity and institutions first)."""
    regions = load_demo_regions()
    campaigns = []
    for spec in CAMPAIGNS:
        intro = spec.get("intro") or (DEMO_DIR / spec["text"]).read_text(encoding="utf-8")
        campaign, _created = Campaign.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "title": "AMI Communauté professionnelle territoriale de santé (CPTS)",
                "edition": spec["edition"],
                "region": regions[spec.get("region", BRETAGNE.code)],
                "opens_on": spec["opens_on"],
                "closes_on": spec["closes_on"],
                "summary": spec.get("summary", SUMMARY),
                "intro": intro.strip(),
                "contact_email": spec.get(
                    "contact_email", "ars-bretagne-secretariat-daspf@ars.sante.fr"
                ),
                "contact_details": spec.get("contact_details", ARS_BRETAGNE_CONTACT),
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

    def submitted(spec: dict) -> datetime:
        if "submitted_on" in spec:
            return timezone.make_aware(datetime.combine(spec["submitted_on"], time(10)))
        return now - timedelta(days=spec["days_ago"])

    # In the order they arrived, each on its day (references and history in order).
    for spec in sorted(SUBMISSIONS, key=submitted):
        submitted_at = submitted(spec)
        with demo_clock(submitted_at):
            create_demo_answer(spec, campaigns, submitted_at)
    return len(SUBMISSIONS)


def create_demo_answer(spec: dict, campaigns: dict, submitted_at: datetime) -> Submission:
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
        codes = Commune.objects.filter(epci__name=spec["epci"]).values_list("insee_code", flat=True)
        save_territory(submission, list(codes))
    Referent.objects.bulk_create(
        Referent(submission=submission, name=name, function=function, email=email, phone=phone)
        for name, function, email, phone in spec["referents"]
    )
    record_event(submission, SubmissionEvent.Kind.SUBMITTED, created_at=submitted_at)
    return submission
