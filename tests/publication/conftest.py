"""Geography, people and published projects for the publication tests.

The hand-built case (population sums checked by hand in test_coverage.py):

- Finistère (29): Douarnenez 14 000, Pouldergat 1 200, Quimper 63 000 (78 200 in all);
- Côtes-d'Armor (22): Lannion 20 000, Perros-Guirec 7 000 (27 000 in all);
- Bretagne: 105 200.
"""

from dataclasses import dataclass

import pytest

from cpts_portal.roles import Role
from projects.models import CptsProject, Stage
from publication import services
from tests.factories import (
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    DepartementFactory,
    RegionFactory,
    TerritoryFactory,
    UserFactory,
)


@dataclass
class Geography:
    douarnenez: object
    pouldergat: object
    quimper: object
    lannion: object
    perros: object


@pytest.fixture
def geography(db) -> Geography:
    bretagne = RegionFactory(code="53", name="Bretagne")
    finistere = DepartementFactory(code="29", name="Finistère", region=bretagne)
    armor = DepartementFactory(code="22", name="Côtes-d'Armor", region=bretagne)
    return Geography(
        douarnenez=CommuneFactory(
            name="Douarnenez",
            insee_code="29046",
            postal_codes="29100",
            population=14_000,
            departement=finistere,
        ),
        pouldergat=CommuneFactory(
            name="Pouldergat",
            insee_code="29224",
            postal_codes="29100",
            population=1_200,
            departement=finistere,
        ),
        quimper=CommuneFactory(
            name="Quimper",
            insee_code="29232",
            postal_codes="29000",
            population=63_000,
            departement=finistere,
        ),
        lannion=CommuneFactory(
            name="Lannion",
            insee_code="22113",
            postal_codes="22300",
            population=20_000,
            departement=armor,
        ),
        perros=CommuneFactory(
            name="Perros-Guirec",
            insee_code="22168",
            postal_codes="22700",
            population=7_000,
            departement=armor,
        ),
    )


@dataclass
class People:
    owner: object  # coordinator of the project
    colleague: object  # another coordinator, of another project
    outsider: object  # signed in, no role
    ars: object
    urps: object
    am: object


@pytest.fixture
def people(db) -> People:
    return People(
        owner=CoordinatorFactory(first_name="Anne", last_name="Le Goff"),
        colleague=CoordinatorFactory(),
        outsider=UserFactory(is_staff=False),
        ars=UserFactory(roles=[Role.ARS], first_name="Yann", last_name="Kervella"),
        urps=UserFactory(roles=[Role.URPS]),
        am=UserFactory(roles=[Role.ASSURANCE_MALADIE]),
    )


CONTACT = services.PublicContact(
    name="Coordinatrice de la CPTS", email="contact@cpts-douarnenez.fr", phone="02 98 92 12 34"
)


def make_project(name: str, communes, coordinators=(), stage: Stage | None = None) -> CptsProject:
    project = CptsProjectFactory(
        name=name, territory=TerritoryFactory(communes=communes), coordinators=coordinators
    )
    if stage is not None:
        # Test data: the stage as it would be after the workflow's transitions.
        CptsProject.objects.filter(pk=project.pk).update(stage=stage)
        project.refresh_from_db()
    return project


def publish(project: CptsProject, coordinator, ars, contact=CONTACT) -> None:
    services.give_consent(project, coordinator, contact)
    services.validate(project, ars)


@pytest.fixture
def published(geography, people) -> CptsProject:
    """The CPTS du pays de Douarnenez, published: Douarnenez and Pouldergat."""
    project = make_project(
        "CPTS du pays de Douarnenez",
        [geography.douarnenez, geography.pouldergat],
        coordinators=[people.owner],
    )
    publish(project, people.owner, people.ars)
    return project
