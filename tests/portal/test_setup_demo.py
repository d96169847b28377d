"""The demo the README's first command loads."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from ami.models import Campaign, Submission
from projects.models import CptsProject

pytestmark = pytest.mark.django_db


def test_demo_loads_both_ami_editions_answers_and_accounts_once(settings):
    settings.DEBUG = True
    call_command("load_geography", "--departements", "29,22,35,56", verbosity=0)
    call_command("setup_demo", verbosity=0)
    call_command("setup_demo", verbosity=0)
    assert sorted(Campaign.objects.values_list("edition", flat=True)) == [
        "Avril 2022",
        "Septembre 2021",
    ]
    assert Campaign.objects.get(edition="Avril 2022").is_open()
    assert not Campaign.objects.get(edition="Septembre 2021").is_open()
    assert Submission.objects.count() == 19
    assert Submission.objects.filter(territory__isnull=False).count() == 13
    # A project at every stage (tests/projects/test_projects_demo.py checks the story).
    assert CptsProject.objects.count() == len(CptsProject.Stage)
    for username in ("agent.ars", "agent.urps", "agent.cpam", "coordinateur.demo"):
        assert authenticate(username=username, password="demo-cpts-bretagne") is not None


def test_demo_is_refused_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("setup_demo", verbosity=0)
