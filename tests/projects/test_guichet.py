"""The Guichet CPTS (issue #16, item 4): in a region that uses it, one avis per URPS of the
region on the lettre d'intention, then a consolidated avis sent to the ARS; regions without
it keep the single URPS avis."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from projects import permissions, reminders, rules, selectors, services, workflow
from projects.models import (
    CptsProject,
    GuichetReview,
    ProjectEvent,
    SentReminder,
    Stage,
    UrpsOpinion,
)
from territories.models import Institution, InstitutionKind, RegionIdentity, StaffMembership
from tests.factories import (
    CommuneFactory,
    CptsProjectFactory,
    RegionFactory,
    TerritoryFactory,
    UserFactory,
)

from .helpers import complete_letter, give_urps_opinion

pytestmark = pytest.mark.django_db

CRITERIA = UrpsOpinion.CRITERIA
FAVOURABLE_ALL = {
    "objectives_verdict": "favorable",
    "mobilisation_verdict": "favorable",
    "territory_verdict": "favorable",
}


def avis(objectives="favorable", mobilisation="favorable", territory="favorable", comments=None):
    return {
        "objectives_verdict": objectives,
        "mobilisation_verdict": mobilisation,
        "territory_verdict": territory,
        **{f"{code}_comment": text for code, text in (comments or {}).items()},
    }


# --- Fixtures: Occitanie with its Guichet, three URPS, their agents ---------------------------


@pytest.fixture
def occitanie(db):
    region = RegionFactory(code="76", name="Occitanie")
    RegionIdentity.objects.create(
        region=region, ars_name="ARS Occitanie", ars_short_name="ARS Occitanie", uses_guichet=True
    )
    return region


@pytest.fixture
def urps_institutions(occitanie):
    return [
        Institution.objects.create(
            region=occitanie,
            kind=InstitutionKind.URPS,
            name=name,
            profession=profession,
            email=email,
        )
        # Created out of the professions' order: the pages list médecins first.
        for name, profession, email in (
            ("URPS Pharmaciens Occitanie", "pharmaciens", ""),
            ("URPS Médecins Libéraux Occitanie", "medecins", "contact@urps-ml-oc.example.org"),
            ("URPS Infirmiers Occitanie", "infirmiers", ""),
        )
    ]


def urps_agent(institution, username):
    user = UserFactory(username=username, roles=[Role.URPS], region=False)
    StaffMembership.objects.create(user=user, institution=institution)
    return user


@pytest.fixture
def pharmacist(urps_institutions):
    return urps_agent(urps_institutions[0], "urps.pharma")


@pytest.fixture
def doctor(urps_institutions):
    return urps_agent(urps_institutions[1], "urps.medecins")


@pytest.fixture
def doctor_colleague(urps_institutions):
    return urps_agent(urps_institutions[1], "urps.medecins.2")


@pytest.fixture
def nurse(urps_institutions):
    return urps_agent(urps_institutions[2], "urps.infirmiers")


@pytest.fixture
def ars_occitanie(occitanie):
    return UserFactory(username="ars.oc", roles=[Role.ARS], region=occitanie)


@pytest.fixture
def guichet_project(occitanie, urps_institutions, owner, ars_occitanie):
    territory = TerritoryFactory(name="Grand Figeac", region=occitanie, communes=[CommuneFactory()])
    project = CptsProjectFactory(
        name="CPTS du Grand Figeac", coordinators=[owner], territory=territory, by=ars_occitanie
    )
    complete_letter(project, owner)
    workflow.transition(project, Stage.LETTER_DEPOSITED, by=owner)
    return project


# --- The consolidation rule (pure) --------------------------------------------------------------


def test_consolidation_counts_each_verdict_per_criterion_and_lists_each_urps():
    result = rules.consolidate_guichet_opinions(
        CRITERIA,
        ["Médecins", "Infirmiers", "Pharmaciens", "Kinés"],
        [
            rules.UrpsVerdicts(
                "Médecins",
                {"objectives": "favorable", "mobilisation": "reserved", "territory": "favorable"},
                {"mobilisation": "Peu d'infirmiers"},
            ),
            rules.UrpsVerdicts(
                "Infirmiers",
                {"objectives": "favorable", "mobilisation": "unfavorable", "territory": "reserved"},
            ),
            rules.UrpsVerdicts(
                "Pharmaciens",
                {"objectives": "unfavorable", "mobilisation": "reserved", "territory": "favorable"},
            ),
        ],
    )
    objectives, mobilisation, territory = result.criteria
    assert (objectives.favorable, objectives.reserved, objectives.unfavorable) == (2, 0, 1)
    assert (mobilisation.favorable, mobilisation.reserved, mobilisation.unfavorable) == (0, 2, 1)
    assert (territory.favorable, territory.reserved, territory.unfavorable) == (2, 1, 0)
    assert mobilisation.by_urps == (
        ("Médecins", "Réservé", "Peu d'infirmiers"),
        ("Infirmiers", "Défavorable", ""),
        ("Pharmaciens", "Réservé", ""),
    )
    assert result.answered == ("Médecins", "Infirmiers", "Pharmaciens")
    assert result.missing == ("Kinés",)
    assert result.summary.splitlines()[0] == "Avis de 3 URPS sur 4."
    assert "Sans avis : Kinés." in result.summary
    assert "2 favorable(s), 0 réservé(s), 1 défavorable(s)" in result.summary.splitlines()[1]


def test_consolidation_counts_a_urps_once_its_last_avis_wins():
    first = {"objectives": "unfavorable", "mobilisation": "unfavorable", "territory": "favorable"}
    again = {"objectives": "favorable", "mobilisation": "favorable", "territory": "favorable"}
    result = rules.consolidate_guichet_opinions(
        CRITERIA,
        ["Médecins"],
        [rules.UrpsVerdicts("Médecins", first), rules.UrpsVerdicts("Médecins", again)],
    )
    assert [(t.favorable, t.unfavorable) for t in result.criteria] == [(1, 0), (1, 0), (1, 0)]
    assert result.answered == ("Médecins",)
    assert result.missing == ()
    assert "Sans avis" not in result.summary


def test_consolidation_of_no_avis_counts_nothing():
    result = rules.consolidate_guichet_opinions(CRITERIA, ["Médecins", "Infirmiers"], [])
    assert [(t.favorable, t.reserved, t.unfavorable) for t in result.criteria] == [(0, 0, 0)] * 3
    assert result.missing == ("Médecins", "Infirmiers")


# --- One avis per URPS --------------------------------------------------------------------------


def test_each_urps_agent_gives_the_avis_of_their_urps_without_moving_the_project(
    guichet_project, doctor, nurse, urps_institutions
):
    services.give_guichet_opinion(guichet_project, doctor, **avis(mobilisation="reserved"))
    services.give_guichet_opinion(guichet_project, nurse, **avis(territory="unfavorable"))
    guichet_project.refresh_from_db()
    assert guichet_project.stage == Stage.LETTER_DEPOSITED
    review = GuichetReview.objects.get(project=guichet_project)
    assert review.opened_at == guichet_project.stage_changed_at
    assert {o.institution.name: o.mobilisation_verdict for o in review.opinions.all()} == {
        "URPS Médecins Libéraux Occitanie": "reserved",
        "URPS Infirmiers Occitanie": "favorable",
    }
    events = guichet_project.events.filter(kind=ProjectEvent.Kind.OPINION).order_by("pk")
    assert [e.comment.splitlines()[0] for e in events] == [
        "Avis de URPS Médecins Libéraux Occitanie pour le Guichet CPTS :",
        "Avis de URPS Infirmiers Occitanie pour le Guichet CPTS :",
    ]


def test_a_second_avis_of_the_same_urps_replaces_the_first(
    guichet_project, doctor, doctor_colleague
):
    first = services.give_guichet_opinion(guichet_project, doctor, **avis(objectives="reserved"))
    second = services.give_guichet_opinion(
        guichet_project, doctor_colleague, **avis(objectives="unfavorable")
    )
    assert second.pk == first.pk
    opinion = UrpsOpinion.objects.get(project=guichet_project)
    assert opinion.objectives_verdict == "unfavorable"
    assert opinion.author == doctor_colleague
    event = guichet_project.events.filter(kind=ProjectEvent.Kind.OPINION).latest("pk")
    assert event.comment.startswith("Avis de URPS Médecins Libéraux Occitanie modifié")
    assert event.data["replaced"] is True
    assert event.data["before"]["objectives"] == "reserved"


def test_the_database_refuses_two_avis_of_one_urps_in_one_review(guichet_project, doctor):
    from django.db import IntegrityError, transaction

    opinion = services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)
    with pytest.raises(IntegrityError), transaction.atomic():
        UrpsOpinion.objects.create(
            project=guichet_project,
            review=opinion.review,
            institution=opinion.institution,
            **FAVOURABLE_ALL,
        )


def test_the_single_urps_avis_is_refused_in_a_guichet_region(guichet_project, doctor):
    with pytest.raises(PermissionDenied):
        give_urps_opinion(guichet_project, doctor)
    assert not UrpsOpinion.objects.exists()


def test_a_urps_agent_not_attached_to_a_urps_of_the_region_may_not_give_an_avis(
    guichet_project, occitanie
):
    unattached = UserFactory(roles=[Role.URPS], region=False)
    ars = UserFactory(roles=[Role.ARS], region=occitanie)
    for user in (unattached, ars):
        with pytest.raises(PermissionDenied):
            services.give_guichet_opinion(guichet_project, user, **FAVOURABLE_ALL)


# --- The consolidated avis ---------------------------------------------------------------------


def test_transmission_needs_at_least_one_avis(guichet_project, ars_occitanie):
    with pytest.raises(workflow.TransitionNotAllowed):
        services.transmit_guichet_opinion(guichet_project, ars_occitanie)
    guichet_project.refresh_from_db()
    assert guichet_project.stage == Stage.LETTER_DEPOSITED


def test_the_stage_cannot_move_on_without_the_consolidated_avis(
    guichet_project, doctor, ars_occitanie
):
    services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)
    for user in (doctor, ars_occitanie):
        with pytest.raises(workflow.TransitionNotAllowed) as refusal:
            workflow.transition(guichet_project, Stage.URPS_OPINION, by=user)
        assert refusal.value.missing == ["L’avis consolidé du Guichet CPTS, transmis à l’ARS"]


def test_the_consolidated_avis_is_emailed_to_the_ars_and_the_project_moves_on(
    guichet_project, doctor, nurse, ars_occitanie, owner
):
    other_ars = UserFactory(username="ars.oc.2", roles=[Role.ARS], region=guichet_project.region)
    bretagne_ars = UserFactory(username="ars.bzh", roles=[Role.ARS])
    services.give_guichet_opinion(guichet_project, doctor, **avis(mobilisation="reserved"))
    services.give_guichet_opinion(
        guichet_project,
        nurse,
        **avis(territory="unfavorable", comments={"territory": "Hors bassin de vie"}),
    )
    OutgoingEmail.objects.all().delete()

    review = services.transmit_guichet_opinion(
        guichet_project, doctor, comment="Avis globalement favorable."
    )

    guichet_project.refresh_from_db()
    assert guichet_project.stage == Stage.URPS_OPINION
    assert review.transmitted_by == doctor
    assert review.comment == "Avis globalement favorable."
    consolidated = OutgoingEmail.objects.filter(template="projects/emails/guichet_opinion")
    assert sorted(consolidated.values_list("recipient", flat=True)) == sorted(
        [ars_occitanie.email, other_ars.email]
    )
    assert bretagne_ars.email not in consolidated.values_list("recipient", flat=True)
    body = consolidated.first().body_text
    assert "2 URPS sur 3 ont rendu leur avis." in body
    assert "- URPS Infirmiers Occitanie : Défavorable — Hors bassin de vie" in body
    assert "Sans avis : URPS Pharmaciens Occitanie" in body
    assert "Avis globalement favorable." in body
    assert consolidated.first().subject == (
        "Projet « CPTS du Grand Figeac » : avis consolidé du Guichet CPTS"
    )
    # The ARS hears of it once: no stage notice besides the consolidated avis.
    stage_notices = OutgoingEmail.objects.filter(template="projects/emails/stage_changed")
    assert list(stage_notices.values_list("recipient", flat=True)) == [owner.email]
    event = guichet_project.events.get(to_state=Stage.URPS_OPINION)
    assert event.comment.startswith("Avis de 2 URPS sur 3.")
    assert event.author == doctor


def test_after_transmission_the_project_goes_on_as_after_the_single_avis(
    guichet_project, doctor, ars_occitanie
):
    from decimal import Decimal

    services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)
    services.transmit_guichet_opinion(guichet_project, ars_occitanie)
    workflow.transition(
        guichet_project,
        Stage.LETTER_VALIDATED,
        by=ars_occitanie,
        fir_amount=Decimal("30000"),
        fir_granted_on=timezone.localdate(),
    )
    assert guichet_project.stage == Stage.LETTER_VALIDATED
    with pytest.raises(PermissionDenied):
        services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)


def test_a_letter_deposited_again_opens_a_new_examination(guichet_project, doctor, owner):
    services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)
    workflow.transition(guichet_project, Stage.LETTER_TO_COMPLETE, by=doctor, comment="Préciser")
    workflow.transition(guichet_project, Stage.LETTER_DEPOSITED, by=owner)
    state = selectors.guichet_state(guichet_project)
    assert state.review is None
    assert state.consolidated.answered == ()
    services.give_guichet_opinion(guichet_project, doctor, **avis(objectives="reserved"))
    assert GuichetReview.objects.filter(project=guichet_project).count() == 2


# --- Reminders ---------------------------------------------------------------------------------


def test_urps_without_avis_are_reminded_after_the_delay_once(
    guichet_project, doctor, nurse, pharmacist
):
    services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)
    OutgoingEmail.objects.all().delete()
    deposited = timezone.localdate(guichet_project.stage_changed_at)
    days = reminders.GUICHET_REMINDER_DAYS
    assert reminders.send_reminders(deposited + timedelta(days=days - 1)) == 0
    assert reminders.send_reminders(deposited + timedelta(days=days)) == 2
    rows = OutgoingEmail.objects.filter(template="projects/emails/reminder")
    assert sorted(rows.values_list("recipient", flat=True)) == sorted(
        [nurse.email, pharmacist.email]
    )
    nurse_email = rows.get(recipient=nurse.email)
    assert "l’avis de URPS Infirmiers Occitanie sur ses trois critères est attendu" in (
        nurse_email.body_text
    )
    assert "avis de votre URPS attendu par le Guichet CPTS" in nurse_email.subject
    assert set(
        SentReminder.objects.filter(kind=SentReminder.Kind.GUICHET_OPINION).values_list(
            "item", flat=True
        )
    ) == {
        f"urps-{nurse.staff_membership.institution_id}",
        f"urps-{pharmacist.staff_membership.institution_id}",
    }
    # Once only.
    assert reminders.send_reminders(deposited + timedelta(days=days + 1)) == 0


def test_a_urps_without_agent_is_reminded_at_its_address(guichet_project, nurse, pharmacist):
    # The médecins' URPS has no agent here but an address of its own.
    deposited = timezone.localdate(guichet_project.stage_changed_at)
    reminders.send_reminders(deposited + timedelta(days=reminders.GUICHET_REMINDER_DAYS))
    recipients = OutgoingEmail.objects.filter(template="projects/emails/reminder").values_list(
        "recipient", flat=True
    )
    assert "contact@urps-ml-oc.example.org" in recipients


def test_no_reminder_once_transmitted(guichet_project, doctor, nurse):
    services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)
    services.transmit_guichet_opinion(guichet_project, doctor)
    deposited = timezone.localdate(guichet_project.stage_changed_at)
    assert reminders.send_reminders(deposited + timedelta(days=30)) == 0


# --- Bretagne keeps its flow ---------------------------------------------------------------


def test_a_region_without_guichet_keeps_the_single_urps_avis(project, owner, urps, ars):
    complete_letter(project, owner)
    workflow.transition(project, Stage.LETTER_DEPOSITED, by=owner)
    with pytest.raises(PermissionDenied):
        services.give_guichet_opinion(project, urps, **FAVOURABLE_ALL)
    with pytest.raises(PermissionDenied):
        services.transmit_guichet_opinion(project, ars)
    give_urps_opinion(project, urps)
    project.refresh_from_db()
    assert project.stage == Stage.URPS_OPINION
    assert not GuichetReview.objects.exists()
    assert selectors.guichet_state(project) is None
    assert Stage.URPS_OPINION not in workflow.allowed_targets(project, ars)
    assert (
        OutgoingEmail.objects.filter(template="projects/emails/stage_changed")
        .filter(recipient=ars.email)
        .exists()
    )


# --- Pages and permissions -----------------------------------------------------------------


def test_urps_agent_gives_the_avis_of_their_urps_on_the_page(client, guichet_project, doctor):
    client.force_login(doctor)
    url = reverse("projects:urps_opinion", kwargs={"pk": guichet_project.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "Avis de URPS Médecins Libéraux Occitanie (Guichet CPTS)" in page.content.decode()
    response = client.post(url, avis(objectives="reserved"))
    assert response.status_code == 302
    assert UrpsOpinion.objects.get().institution.name == "URPS Médecins Libéraux Occitanie"
    again = client.get(url).content.decode()
    assert "le nouvel avis le remplacera" in again


def test_project_page_shows_a_table_of_avis_per_urps_with_a_caption(
    client, guichet_project, doctor, ars_occitanie
):
    services.give_guichet_opinion(guichet_project, doctor, **avis(territory="reserved"))
    client.force_login(ars_occitanie)
    page = client.get(guichet_project.get_absolute_url()).content.decode()
    assert "<caption>Avis de chaque URPS sur les trois critères du Guichet CPTS</caption>" in page
    assert "<caption>Avis consolidé : nombre d’URPS par avis et par critère</caption>" in page
    # Médecins first, then the others in the professions' order, each without avis.
    rows = [page.index(name) for name in ("URPS Médecins", "URPS Infirmiers", "URPS Pharmaciens")]
    assert rows == sorted(rows)
    assert "1 URPS sur 3 a rendu son avis." in page
    transmit = reverse("projects:guichet_transmit", kwargs={"pk": guichet_project.pk})
    assert transmit in page


def test_ars_of_the_region_transmits_on_the_page(client, guichet_project, doctor, ars_occitanie):
    services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)
    client.force_login(ars_occitanie)
    url = reverse("projects:guichet_transmit", kwargs={"pk": guichet_project.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"comment": "Transmis sans attendre les pharmaciens."})
    assert response.status_code == 302
    guichet_project.refresh_from_db()
    assert guichet_project.stage == Stage.URPS_OPINION
    assert GuichetReview.objects.get().transmitted_by == ars_occitanie


def test_transmit_page_refuses_without_avis(client, guichet_project, ars_occitanie):
    client.force_login(ars_occitanie)
    url = reverse("projects:guichet_transmit", kwargs={"pk": guichet_project.pk})
    response = client.post(url, {"comment": ""})
    assert response.status_code == 422
    assert "Aucune URPS n’a encore rendu son avis" in response.content.decode()


def test_agents_of_another_region_get_404(client, guichet_project, doctor):
    services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)
    bretagne_urps = UserFactory(username="urps.bzh", roles=[Role.URPS])
    bretagne_ars = UserFactory(username="ars.bzh", roles=[Role.ARS])
    urls = [
        reverse("projects:urps_opinion", kwargs={"pk": guichet_project.pk}),
        reverse("projects:guichet_transmit", kwargs={"pk": guichet_project.pk}),
    ]
    for user in (bretagne_urps, bretagne_ars):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, FAVOURABLE_ALL).status_code == 404, (user, url)
    assert not GuichetReview.objects.filter(transmitted_at__isnull=False).exists()
    with pytest.raises(PermissionDenied):
        services.transmit_guichet_opinion(guichet_project, bretagne_ars)


def test_coordinators_may_neither_give_nor_transmit(client, guichet_project, owner, outsider):
    for user in (owner, outsider):
        client.force_login(user)
        for name in ("urps_opinion", "guichet_transmit"):
            url = reverse(f"projects:{name}", kwargs={"pk": guichet_project.pk})
            assert client.get(url).status_code in (403, 404)
    client.force_login(owner)
    url = reverse("projects:guichet_transmit", kwargs={"pk": guichet_project.pk})
    assert client.get(url).status_code == 403  # the owner sees the project, may not transmit


# --- Demo ------------------------------------------------------------------------------------


def test_guichet_demo_deposits_a_letter_with_some_urps_avis(
    occitanie, ars_occitanie, doctor, nurse, pharmacist
):
    from projects.demo import GUICHET_DEPOSIT_DAYS_AGO, load_guichet_demo

    project = load_guichet_demo(occitanie, answering=2)
    assert project.region == occitanie
    assert project.stage == Stage.LETTER_DEPOSITED
    assert (timezone.localdate() - project.letter_deposited_on).days == GUICHET_DEPOSIT_DAYS_AGO
    state = selectors.guichet_state(project)
    # The first two URPS in the professions' order: médecins, then infirmiers.
    assert state.consolidated.answered == (
        "URPS Médecins Libéraux Occitanie",
        "URPS Infirmiers Occitanie",
    )
    assert state.consolidated.missing == ("URPS Pharmaciens Occitanie",)
    assert not OutgoingEmail.objects.exists()
    assert load_guichet_demo(occitanie) == project  # idempotent
    assert UrpsOpinion.objects.count() == 2


def test_guichet_demo_needs_a_guichet_region_and_an_ars_agent(occitanie, urps_institutions):
    from projects.demo import load_guichet_demo

    with pytest.raises(ValueError, match="agent de l’ARS"):
        load_guichet_demo(occitanie)
    with pytest.raises(ValueError, match="Guichet CPTS"):
        load_guichet_demo(RegionFactory())


def test_fiche_pdf_names_the_urps_of_each_avis(guichet_project, doctor):
    from projects.pdf import fiche_project, project_pdf

    services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)
    project = fiche_project(guichet_project.pk)
    assert [o.institution.name for o in project.urps_opinions.all()] == [
        "URPS Médecins Libéraux Occitanie"
    ]
    assert project_pdf(project).startswith(b"%PDF")


# --- Query budgets ---------------------------------------------------------------------------


def test_guichet_state_reads_in_a_fixed_number_of_queries(
    guichet_project, doctor, nurse, pharmacist, django_assert_num_queries
):
    services.give_guichet_opinion(guichet_project, doctor, **FAVOURABLE_ALL)
    warm = selectors.guichet_state(guichet_project)  # keeps uses_guichet on the project
    assert warm.consolidated.answered
    with django_assert_num_queries(3):
        selectors.guichet_state(guichet_project)
    services.give_guichet_opinion(guichet_project, nurse, **FAVOURABLE_ALL)
    services.give_guichet_opinion(guichet_project, pharmacist, **FAVOURABLE_ALL)
    with django_assert_num_queries(3):
        state = selectors.guichet_state(guichet_project)
    assert len(state.consolidated.answered) == 3


def test_guichet_reminders_select_in_a_fixed_number_of_queries(
    guichet_project, occitanie, owner, ars_occitanie, django_assert_num_queries
):
    later = timezone.localdate() + timedelta(days=reminders.GUICHET_REMINDER_DAYS)
    with django_assert_num_queries(3):
        assert len(reminders.guichet_reminders(later)) == 3
    for name in ("CPTS de Cahors", "CPTS de Rodez"):
        territory = TerritoryFactory(region=occitanie, communes=[CommuneFactory()])
        other = CptsProjectFactory(
            name=name, coordinators=[owner], territory=territory, by=ars_occitanie
        )
        complete_letter(other, owner)
        workflow.transition(other, Stage.LETTER_DEPOSITED, by=owner)
    with django_assert_num_queries(3):
        assert len(reminders.guichet_reminders(later)) == 9


def test_a_project_page_knows_whether_its_region_uses_the_guichet_without_a_query(
    guichet_project, project, django_assert_num_queries
):
    """``project_queryset`` loads the region's identity with the project."""
    from projects.views.common import project_queryset

    loaded = project_queryset().get(pk=guichet_project.pk)
    without = project_queryset().get(pk=project.pk)  # Bretagne: no identity saved
    with django_assert_num_queries(0):
        assert permissions.uses_guichet(loaded)
        assert not permissions.uses_guichet(without)
    # Loaded otherwise: one query, kept on the object.
    bare = CptsProject.objects.get(pk=guichet_project.pk)
    with django_assert_num_queries(1):
        assert permissions.uses_guichet(bare)
        assert permissions.uses_guichet(bare)
