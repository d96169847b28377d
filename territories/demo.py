"""Demo data: the two regions the demo serves, with their ARS and partner institutions.

ARS Bretagne runs the AMI of the source documents (``ami.demo``); ARS Occitanie uses the
Guichet CPTS of the URPS Occitanie guide, where each URPS gives its avis. Institution
names are those of the real bodies; the Occitanie ARS contact address is fictitious.
"""

from dataclasses import dataclass

from django.db import transaction

from .models import Institution, InstitutionKind, Region, RegionIdentity, UrpsProfession

K, U = InstitutionKind, UrpsProfession


@dataclass(frozen=True)
class DemoRegion:
    code: str
    name: str
    identity: dict
    # (kind, name, URPS profession or "", contact address)
    institutions: tuple[tuple[str, str, str, str], ...]


BRETAGNE = DemoRegion(
    code="53",
    name="Bretagne",
    identity={
        "ars_name": "Agence régionale de santé Bretagne",
        "ars_short_name": "ARS Bretagne",
        "ami_contact_email": "ars-bretagne-secretariat-daspf@ars.sante.fr",
        "privacy_controller": "Agence régionale de santé Bretagne",
        "privacy_contact": "ars-bretagne-dpd@ars.sante.fr",
        "uses_guichet": False,
    },
    institutions=(
        (K.ARS, "ARS Bretagne", "", "ars-bretagne-secretariat-daspf@ars.sante.fr"),
        (K.ASSURANCE_MALADIE, "DCGDR Bretagne", "", ""),
        (K.URPS, "URPS Médecins libéraux de Bretagne", U.MEDECINS, ""),
    ),
)

OCCITANIE = DemoRegion(
    code="76",
    name="Occitanie",
    identity={
        "ars_name": "Agence régionale de santé Occitanie",
        "ars_short_name": "ARS Occitanie",
        "ami_contact_email": "cpts@ars-occitanie.example.org",
        "ami_contact_details": "Guichet CPTS Occitanie : guichetcptsoccitanie@gmail.com",
        "privacy_controller": "Agence régionale de santé Occitanie",
        "privacy_contact": "dpd@ars-occitanie.example.org",
        "uses_guichet": True,
    },
    institutions=(
        (K.ARS, "ARS Occitanie", "", "cpts@ars-occitanie.example.org"),
        (K.ASSURANCE_MALADIE, "DCGDR Occitanie", "", ""),
        (K.URPS, "URPS Médecins libéraux d’Occitanie", U.MEDECINS, ""),
        (K.URPS, "URPS Infirmiers d’Occitanie", U.INFIRMIERS, ""),
        (K.URPS, "URPS Pharmaciens d’Occitanie", U.PHARMACIENS, ""),
        (K.URPS, "URPS Masseurs-kinésithérapeutes d’Occitanie", U.KINES, ""),
    ),
)

DEMO_REGIONS = (BRETAGNE, OCCITANIE)


@transaction.atomic
def load_demo_regions() -> dict[str, Region]:
    """Both regions with their identity and institutions (idempotent), by INSEE code."""
    regions = {}
    for spec in DEMO_REGIONS:
        region, _created = Region.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name}
        )
        RegionIdentity.objects.update_or_create(region=region, defaults=spec.identity)
        for kind, name, profession, email in spec.institutions:
            Institution.objects.update_or_create(
                region=region,
                name=name,
                defaults={"kind": kind, "profession": profession, "email": email},
            )
        regions[spec.code] = region
    return regions


def demo_institution(region_code: str, name: str) -> Institution:
    return Institution.objects.get(region__code=region_code, name=name)
