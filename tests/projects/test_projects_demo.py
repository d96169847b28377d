"""The demo projects (``projects.demo.load_demo_projects``), to add to ``setup_demo``."""

import pytest
from django.contrib.auth import authenticate

from ami.demo import load_demo_campaigns, load_demo_submissions
from cpts_portal.roles import Role
from projects.demo import (
    DEMO_COORDINATOR_PASSWORD,
    DEMO_COORDINATOR_USERNAME,
    load_demo_projects,
)
from projects.models import CptsProject, DocumentKind, Stage

pytestmark = pytest.mark.django_db


def test_demo_projects_are_created_once_and_linked_to_the_ami_answers(ars):
    load_demo_campaigns()
    load_demo_submissions()
    result = load_demo_projects()
    assert [project.name for project in result.created] == [
        "CPTS du pays de Vitré",
        "CPTS du pays de Douarnenez",
    ]
    vitre = CptsProject.objects.get(name="CPTS du pays de Vitré")
    assert vitre.stage == Stage.LETTER_DEPOSITED
    assert "Vitré" in vitre.submissions.get().territory_text
    assert list(vitre.coordinators.all()) == [result.coordinator]
    assert sorted(vitre.documents.values_list("kind", flat=True)) == sorted(
        [DocumentKind.CERFA, DocumentKind.LETTER]
    )
    assert vitre.documents.first().file.read(5) == b"%PDF-"
    assert vitre.created_by == ars
    douarnenez = CptsProject.objects.get(name="CPTS du pays de Douarnenez")
    assert douarnenez.stage == Stage.DRAFT
    assert douarnenez.milestones.get(code="diagnostic").overdue

    again = load_demo_projects()
    assert again.created == []
    assert CptsProject.objects.count() == 2


def test_demo_coordinator_account_can_log_in(db):
    result = load_demo_projects()
    user = authenticate(username=DEMO_COORDINATOR_USERNAME, password=DEMO_COORDINATOR_PASSWORD)
    assert user == result.coordinator
    assert user.groups.filter(name=Role.COORDINATOR).exists()
    assert not user.is_staff
    # Without the AMI demo data, the projects exist all the same.
    assert CptsProject.objects.get(name="CPTS du pays de Vitré").stage == Stage.LETTER_DEPOSITED
