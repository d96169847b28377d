"""The staff page of one answer: the answer, its timeline, the same-territory block, and the
actions each role is offered."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ami import workflow
from ami.attachments import post_referent_message
from ami.models import STATISTICS_VERSION, Submission
from ami.staff import services
from cpts_portal.fragments import bump
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from tests.factories import (
    ActorFactory,
    CommuneFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Status = Submission.Status


def staff_page(client, submission) -> str:
    response = client.get(reverse("staff:submission", args=[submission.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_everything_answered(as_user, owner):
    submission = SubmissionFactory(
        context="Nous voulons travailler le parcours des personnes âgées.",
        territory_text="Pays de Douarnenez",
        meeting_wish="Plutôt en soirée",
        has_initiative=True,
    )
    ActorFactory(submission=submission, name="Maëlle Riou", profession="infirmier")
    page = staff_page(as_user(owner), submission)
    for text in (
        "parcours des personnes âgées",
        "Pays de Douarnenez",
        "Plutôt en soirée",
        "Maëlle Riou",
        "Infirmier ou infirmière",
        "Initiative engagée pour monter un projet de CPTS",
        submission.referents.get().email,
    ):
        assert text in page


def test_timeline_lists_status_changes_assignments_notes_messages_and_emails(
    as_user, owner, colleague
):
    submission = SubmissionFactory()
    services.assign(submission, colleague, by=owner)
    services.change_status(submission, Status.IN_REVIEW, by=owner, comment="Vu en réunion")
    services.add_note(submission, owner, "Le maire soutient le projet")
    services.send_message(submission, owner, "Quels sont vos horaires ?")
    post_referent_message(submission, "Le mardi soir.")
    OutgoingEmail.objects.filter(template="ami/emails/in_review").update(
        status=OutgoingEmail.Status.FAILED, last_error="SMTPServerDisconnected: fermé"
    )
    page = staff_page(as_user(owner), submission)
    for text in (
        "Attribuée à Yves Le Bihan",
        "Statut : Reçue → En cours d&#x27;analyse",
        "Vu en réunion",
        "Le maire soutient le projet",
        "Interne",
        "Message aux référents",
        "Quels sont vos horaires ?",
        "Message des référents",
        "Le mardi soir.",
        f"Votre réponse {submission.reference} à l’AMI CPTS est en cours d’analyse",
        "État : Échec",
        "SMTPServerDisconnected: fermé",
    ):
        assert text in page, text
    # Newest first.
    assert page.index("Le mardi soir.") < page.index("Le maire soutient le projet")


def test_same_territory_block_lists_related_answers(as_user, owner):
    douarnenez = CommuneFactory(insee_code="29046", name="Douarnenez")
    submission = SubmissionFactory(territory=TerritoryFactory(communes=[douarnenez]))
    neighbour = SubmissionFactory()
    ActorFactory(submission=neighbour, practice_commune=douarnenez, name="Dr Voisin")
    unrelated = SubmissionFactory()
    page = staff_page(as_user(owner), submission)
    block = page[page.index("Acteurs du même territoire") : page.index('id="historique"')]
    assert neighbour.reference in block
    assert reverse("staff:submission", args=[neighbour.pk]) in block
    assert unrelated.reference not in block


def test_same_territory_answers_are_offered_for_mise_en_relation(as_user, owner):
    douarnenez = CommuneFactory(insee_code="29046", name="Douarnenez")
    submission = SubmissionFactory(
        status=Status.IN_REVIEW, territory=TerritoryFactory(communes=[douarnenez])
    )
    neighbour = SubmissionFactory(territory=TerritoryFactory(communes=[douarnenez]))
    response = as_user(owner).get(reverse("staff:submission", args=[submission.pk]))
    choices = list(response.context["orient_form"].fields["linked"].queryset)
    assert choices == [neighbour]


ACTION_HEADINGS = {
    "Changer le statut": {Role.ARS},
    "Attribuer": {Role.ARS},
    "Écrire aux référents": {Role.ARS},
    "Clore": {Role.ARS},
    "Donner un avis": {Role.ARS, Role.URPS},
    "Commentaire interne": {Role.ARS, Role.URPS, Role.ASSURANCE_MALADIE},
}


@pytest.mark.parametrize("role", [Role.ARS, Role.URPS, Role.ASSURANCE_MALADIE])
def test_each_role_is_offered_its_actions_only(as_user, role):
    submission = SubmissionFactory()
    page = staff_page(as_user(UserFactory(roles=[role])), submission)
    for heading, roles in ACTION_HEADINGS.items():
        assert (f">{heading}</h3>" in page) == (role in roles), heading


def test_actions_follow_the_status(as_user, owner):
    received = SubmissionFactory()
    page = staff_page(as_user(owner), received)
    assert "Prendre en analyse" in page
    assert "Planifier l’échange" not in page and "Orienter</h3>" not in page
    in_review = SubmissionFactory(status=Status.IN_REVIEW)
    page = staff_page(as_user(owner), in_review)
    assert "Planifier l’échange" in page and "Orienter</h3>" in page
    assert "Prendre en analyse" not in page
    closed = SubmissionFactory(status=Status.CLOSED)
    page = staff_page(as_user(owner), closed)
    assert "Remettre en analyse" in page and "Clore</h3>" not in page


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("kept", [True, False], ids=["same territory kept", "computed"])
@pytest.mark.parametrize("role", [Role.ARS, Role.URPS])
def test_page_query_count_does_not_grow_with_history_or_neighbours(as_user, owner, role, kept):
    douarnenez = CommuneFactory(insee_code="29046", name="Douarnenez")
    submission = SubmissionFactory(
        status=Status.IN_REVIEW, territory=TerritoryFactory(communes=[douarnenez])
    )
    client = as_user(UserFactory(roles=[role]))
    url = reverse("staff:submission", args=[submission.pk])

    def measured() -> int:
        client.get(url)  # the related answers and the blank forms kept
        if not kept:  # what a change of any answer does
            bump(STATISTICS_VERSION)
        return count_queries(client, url)

    before = measured()
    for index in range(6):
        services.add_note(submission, owner, f"Note {index}")
        services.send_message(submission, owner, f"Message {index}")
        neighbour = SubmissionFactory(territory=TerritoryFactory(communes=[douarnenez]))
        services.assign(neighbour, owner, by=owner)
        submission.linked_submissions.add(neighbour)
        ActorFactory(submission=submission, practice_commune=CommuneFactory())
    services.assign(submission, UserFactory(roles=[Role.ARS]), by=owner)
    assert measured() == before


def test_workflow_rule_table_matches_the_brief():
    Action = workflow.Action
    staff = {Role.ARS, Role.URPS, Role.ASSURANCE_MALADIE}
    ars = {a for a, rule in workflow.ACTIONS.items() if Role.ARS in rule.roles}
    assert ars == set(Action) - {Action.RESUBMIT}
    urps = {a for a, rule in workflow.ACTIONS.items() if Role.URPS in rule.roles}
    assert urps == {Action.VIEW, Action.COMMENT, Action.GIVE_OPINION}
    am = {a for a, rule in workflow.ACTIONS.items() if Role.ASSURANCE_MALADIE in rule.roles}
    assert am == {Action.VIEW, Action.COMMENT}
    # The référents send their corrected answer back, through their private link only.
    assert workflow.ACTIONS[Action.RESUBMIT].roles == (workflow.REFERENT,)
    # The national level reads every region, and does nothing else.
    national = {a for a, rule in workflow.ACTIONS.items() if Role.NATIONAL in rule.roles}
    assert national == {Action.VIEW}
    assert all(
        set(rule.roles) <= staff
        for a, rule in workflow.ACTIONS.items()
        if a not in (Action.RESUBMIT, Action.VIEW)
    )
