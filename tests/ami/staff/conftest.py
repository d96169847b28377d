"""People of the staff workspace tests.

The trio: ``owner`` (the ARS agent the answer is assigned to), ``colleague`` (another ARS
agent) and ``outsider`` (signed in, in no group); plus one member of each partner role.
"""

import pytest
from django.test import Client

from cpts_portal.roles import Role
from tests.factories import SubmissionFactory, UserFactory


@pytest.fixture
def owner(db):
    return UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")


@pytest.fixture
def colleague(db):
    return UserFactory(roles=[Role.ARS], first_name="Yves", last_name="Le Bihan")


@pytest.fixture
def outsider(db):
    return UserFactory(is_staff=False)


@pytest.fixture
def urps_member(db):
    return UserFactory(roles=[Role.URPS], first_name="Marie", last_name="Guivarc’h")


@pytest.fixture
def am_agent(db):
    return UserFactory(roles=[Role.ASSURANCE_MALADIE], first_name="Paul", last_name="Tanguy")


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR], is_staff=False)


@pytest.fixture
def submission(owner):
    return SubmissionFactory(assignee=owner)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user():
    """``as_user(user)``: a client signed in as ``user`` (anonymous with ``None``)."""
    return client_for
