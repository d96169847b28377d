"""Upgrading a single-region database (territories 0005, ami 0010, projects 0010): today's
campaigns, territories, projects and staff get their region, the region served its
identity made from the settings, and each staff member an institution of that region."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from territories.selectors import region_identity

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("territories", "0003_territory_other_places"),
    ("ami", "0009_answer_draft"),
    ("projects", "0009_contract_life"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def operator(settings):
    settings.PORTAL_DEFAULT_REGION = "53"
    settings.PORTAL_OPERATOR = "Agence régionale de santé Bretagne (mise à niveau)"
    settings.PRIVACY_CONTROLLER = "Responsable mis à niveau"
    settings.PRIVACY_DPO_CONTACT = "dpd-upgrade@example.org"
    return settings.PORTAL_OPERATOR


def test_todays_data_gets_regions_identity_and_memberships(operator):
    old = migrate(BEFORE)
    try:
        Region = old.get_model("territories", "Region")
        Departement = old.get_model("territories", "Departement")
        Commune = old.get_model("territories", "Commune")
        bretagne = Region.objects.create(code="53", name="Bretagne")
        occitanie = Region.objects.create(code="76", name="Occitanie")
        finistere = Departement.objects.create(code="29", name="Finistère", region=bretagne)
        lot = Departement.objects.create(code="46", name="Lot", region=occitanie)
        quimper = Commune.objects.create(insee_code="29232", name="Quimper", departement=finistere)
        figeac = Commune.objects.create(insee_code="46102", name="Figeac", departement=lot)
        cahors = Commune.objects.create(insee_code="46042", name="Cahors", departement=lot)
        Territory = old.get_model("territories", "Territory")
        breton = Territory.objects.create(name="Pays de Quimper")
        breton.communes.set([quimper])
        # Mostly in the Lot: the territory's communes decide, not the default region.
        lotois = Territory.objects.create(name="Figeac et Cahors")
        lotois.communes.set([figeac, cahors, quimper])
        campaign = old.get_model("ami", "Campaign").objects.create(
            title="AMI CPTS",
            slug="ami-2022",
            edition="Avril 2022",
            region="Bretagne",
            opens_on="2022-04-01",
            summary="s",
            intro="i",
            contact_email="ars@example.org",
        )
        submission = old.get_model("ami", "Submission").objects.create(
            campaign=campaign, consent_at="2022-05-01T10:00:00Z"
        )
        CptsProject = old.get_model("projects", "CptsProject")
        in_lot = CptsProject.objects.create(name="CPTS du Lot", territory=lotois)
        from_answer = CptsProject.objects.create(name="CPTS sans territoire")
        from_answer.submissions.add(submission)
        User = old.get_model("auth", "User")
        Group = old.get_model("auth", "Group")
        staff = {}
        for username, group in [("ars", "ARS"), ("urps", "URPS"), ("am", "Assurance Maladie")]:
            staff[username] = User.objects.create(username=username)
            staff[username].groups.add(Group.objects.get_or_create(name=group)[0])
        coordinator = User.objects.create(username="coordinateur")
        coordinator.groups.add(Group.objects.get_or_create(name="Coordinateur")[0])

        new = migrate(latest())

        Campaign = new.get_model("ami", "Campaign")
        assert Campaign.objects.get(pk=campaign.pk).region_id == bretagne.pk
        Territory = new.get_model("territories", "Territory")
        assert Territory.objects.get(pk=breton.pk).region_id == bretagne.pk
        assert Territory.objects.get(pk=lotois.pk).region_id == occitanie.pk
        CptsProject = new.get_model("projects", "CptsProject")
        assert CptsProject.objects.get(pk=in_lot.pk).region_id == occitanie.pk
        assert CptsProject.objects.get(pk=from_answer.pk).region_id == bretagne.pk

        RegionIdentity = new.get_model("territories", "RegionIdentity")
        identity = RegionIdentity.objects.get()
        assert identity.region_id == bretagne.pk
        assert identity.ars_name == operator
        assert identity.privacy_controller == "Responsable mis à niveau"
        assert identity.privacy_contact == "dpd-upgrade@example.org"
        assert not identity.uses_guichet
        # The pages name it through the selector, as before the upgrade.
        assert region_identity(bretagne.pk).ars_name == operator

        StaffMembership = new.get_model("territories", "StaffMembership")
        memberships = {
            m.user.username: (m.institution.region_id, m.institution.kind)
            for m in StaffMembership.objects.select_related("user", "institution")
        }
        assert memberships == {
            "ars": (bretagne.pk, "ARS"),
            "urps": (bretagne.pk, "URPS"),
            "am": (bretagne.pk, "Assurance Maladie"),
        }
    finally:
        migrate(latest())
