"""The demo the README's first command loads: ARS Bretagne and ARS Occitanie side by side."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from ami.models import Campaign, Submission
from projects.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from projects.models import CptsProject
from publication.selectors import projects_for_commune, published_projects
from territories.models import Institution, RegionIdentity, StaffMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, capsys):
    settings.DEBUG = True
    call_command("load_geography", "--departements", "29,22,35,56,46", verbosity=0)
    call_command("setup_demo", verbosity=0)
    capsys.readouterr()
    call_command("setup_demo", verbosity=0)  # idempotent
    return capsys.readouterr().out


def test_demo_loads_both_ami_editions_answers_and_accounts_once(demo):
    bretagne = Campaign.objects.filter(region__code="53")
    assert sorted(bretagne.values_list("edition", flat=True)) == ["Avril 2022", "Septembre 2021"]
    assert bretagne.get(edition="Avril 2022").is_open()
    assert not bretagne.get(edition="Septembre 2021").is_open()
    answers = Submission.objects.filter(campaign__region__code="53")
    assert answers.count() == 19
    assert answers.filter(territory__isnull=False).count() == 13
    # A project at every stage (tests/projects/test_projects_demo.py checks the story).
    assert CptsProject.objects.filter(region__code="53").count() == len(CptsProject.Stage)
    for username in ("agent.ars", "agent.urps", "agent.cpam", "coordinateur.demo"):
        assert authenticate(username=username, password="demo-cpts-bretagne") is not None


def test_demo_serves_occitanie_beside_bretagne(demo):
    identities = {i.region.code: i for i in RegionIdentity.objects.select_related("region")}
    assert set(identities) == {"53", "76"}
    assert identities["53"].ars_name == "Agence régionale de santé Bretagne"
    assert not identities["53"].uses_guichet
    assert identities["76"].ars_name == "Agence régionale de santé Occitanie"
    assert identities["76"].uses_guichet
    urps = Institution.objects.filter(region__code="76", kind="URPS")
    assert {"medecins", "infirmiers", "pharmaciens", "masseurs-kinesitherapeutes"} <= set(
        urps.values_list("profession", flat=True)
    )
    for code in ("53", "76"):
        kinds = set(Institution.objects.filter(region__code=code).values_list("kind", flat=True))
        assert kinds == {"ARS", "URPS", "Assurance Maladie"}
    # An open call, answers on real communes of the Lot, two projects.
    campaign = Campaign.objects.get(region__code="76")
    assert campaign.is_open()
    answers = Submission.objects.filter(campaign=campaign)
    assert answers.count() == 3
    communes = answers.values_list("actors__practice_commune__departement__region__code", flat=True)
    assert set(communes) == {"76"}
    assert answers.filter(territory__communes__departement__code="46").exists()
    projects = CptsProject.objects.filter(region__code="76")
    assert projects.count() == 2
    assert set(projects.values_list("submissions__campaign", flat=True)) == {campaign.pk}


# (username, region, institution kind, URPS profession)
STAFF_ACCOUNTS = [
    ("agent.ars", "53", "ARS", ""),
    ("agent.urps", "53", "URPS", "medecins"),
    ("agent.cpam", "53", "Assurance Maladie", ""),
    ("agent.ars.occitanie", "76", "ARS", ""),
    ("agent.urps-medecins.occitanie", "76", "URPS", "medecins"),
    ("agent.urps-infirmiers.occitanie", "76", "URPS", "infirmiers"),
    ("agent.cpam.occitanie", "76", "Assurance Maladie", ""),
]


def test_each_account_works_for_its_regions_institution_and_all_are_printed(demo):
    # One test: loading the demo takes seconds, each account's check none.
    for username, region, kind, profession in STAFF_ACCOUNTS:
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        membership = StaffMembership.objects.select_related("institution__region").get(user=user)
        institution = membership.institution
        assert (institution.region.code, institution.kind, institution.profession) == (
            region,
            kind,
            profession,
        ), username
        assert user.groups.filter(name=kind).exists()
    national = authenticate(username="agent.national", password=DEMO_PASSWORD)
    assert national is not None
    assert list(national.groups.values_list("name", flat=True)) == ["National"]
    assert not StaffMembership.objects.filter(user=national).exists()
    coordinator = get_user_model().objects.get(username="coordinateur.demo")
    assert not StaffMembership.objects.filter(user=coordinator).exists()
    # What make run prints: every account, under its region.
    assert DEMO_PASSWORD in demo
    for username, *_ in DEMO_ACCOUNTS:
        assert f"« {username} »" in demo
    bretagne, occitanie = demo.index("Bretagne :"), demo.index("Occitanie :")
    assert bretagne < demo.index("« agent.ars »") < demo.index("\n", bretagne)
    assert occitanie < demo.index("« agent.ars.occitanie »") < demo.index("\n", occitanie)


def test_demo_is_refused_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("setup_demo", verbosity=0)


def test_demo_publishes_its_cpts_under_contract_and_ma_commune_finds_them(demo, client):
    published = published_projects()
    under_contract = CptsProject.objects.filter(stage__in=["contrat_signe", "en_fonctionnement"])
    assert set(published) == set(under_contract)
    assert published.count() == 2
    # The fixture's output is the second run's: nothing published twice.
    assert "CPTS publiées (« ma commune », données ouvertes) : 0" in demo
    # Published by the ARS of their region, with their coordinator's consent.
    for project in published:
        publication = project.publication
        assert publication.consented_by in project.coordinators.all()
        assert StaffMembership.objects.get(user=publication.validated_by).institution.kind == "ARS"
    project = published.first()
    commune = project.territory.communes.order_by("insee_code").first()
    assert project in projects_for_commune(commune)
    page = client.get("/cpts/ma-commune/", {"commune": commune.insee_code}).content.decode()
    assert str(project.name) in page
