"""Fixtures of the projects tests: the roles, a project with its owner / colleague / outsider.

- ``owner`` (user alice) coordinates ``project``; ``colleague`` (bob) co-coordinates it;
  ``outsider`` (charlie) is a coordinator too, of ``other_project`` only. The staff tests
  (tests/ami/staff/conftest.py) name their trio of ARS agents the same way.
- ``ars``, ``urps``, ``am``: staff of the three partner institutions.
Uploads go to a temporary MEDIA_ROOT.
"""

import pytest

from cpts_portal.roles import Role
from tests.factories import (
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    TerritoryFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ars(db):
    return UserFactory(username="ars", first_name="Anne", last_name="Agent", roles=[Role.ARS])


@pytest.fixture
def urps(db):
    return UserFactory(username="urps", roles=[Role.URPS])


@pytest.fixture
def am(db):
    return UserFactory(username="cpam", roles=[Role.ASSURANCE_MALADIE])


@pytest.fixture
def owner(db):
    return CoordinatorFactory(username="alice", first_name="Alice", last_name="Le Goff")


@pytest.fixture
def colleague(db):
    return CoordinatorFactory(username="bob")


@pytest.fixture
def outsider(db):
    return CoordinatorFactory(username="charlie")


@pytest.fixture
def communes(db):
    return [
        CommuneFactory(insee_code="29046", name="Douarnenez", population=14_000),
        CommuneFactory(insee_code="29224", name="Pouldergat", population=1_200),
        CommuneFactory(insee_code="29019", name="Brest", population=140_000),
    ]


@pytest.fixture
def project(owner, colleague, ars, communes):
    territory = TerritoryFactory(name="Pays de Douarnenez", communes=communes[:2])
    return CptsProjectFactory(
        name="CPTS du Pays de Douarnenez",
        coordinators=[owner, colleague],
        territory=territory,
        by=ars,
    )


@pytest.fixture
def other_project(outsider, ars, communes):
    territory = TerritoryFactory(name="Brest", communes=communes[2:])
    return CptsProjectFactory(
        name="CPTS de Brest", coordinators=[outsider], territory=territory, by=ars
    )


# The ACI contract's fixtures (clock, aci_data, contract), shared by its test modules.
from .contract_fixtures import aci_data, clock, contract  # noqa: E402, F401
