"""The workspace people live in all day: columns remembered, actions on a selection, the
départements of the campaign's region, orientation keeping or cancelling the exchange, the
answer page's sections and what a role allows (issue 14, items 1, 2, 3 and 11)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ami.models import AccessLog, DashboardPreference, Exchange, PdfBatch, Submission
from ami.staff import services
from ami.staff.columns import DEFAULT_COLUMNS
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from tests.factories import (
    CampaignFactory,
    DepartementFactory,
    RegionFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("staff:dashboard")
BULK = reverse("staff:bulk_action")
COLUMNS = reverse("staff:dashboard_columns")
Status = Submission.Status


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Columns ---------------------------------------------------------------------------------


def test_columns_start_with_the_defaults(as_user, owner):
    response = as_user(owner).get(DASHBOARD)
    assert response.context["shown"] == set(DEFAULT_COLUMNS)


def test_columns_chosen_are_remembered_for_the_agent_across_sessions(as_user, owner):
    client = as_user(owner)
    response = client.post(
        COLUMNS, {"colonnes-columns": ["statut", "campagne"], "retour": "?status=received"}
    )
    assert response.status_code == 302 and response.url == f"{DASHBOARD}?status=received"
    assert DashboardPreference.objects.get(user=owner).columns == [
        "reference",
        "statut",
        "campagne",
    ]
    SubmissionFactory()
    page = as_user(owner).get(DASHBOARD)  # a new session: read from the preference
    assert page.context["shown"] == {"reference", "statut", "campagne"}
    html = page.content.decode()
    assert 'data-column="agent" hidden' in html and 'data-column="campagne">' in html


def test_a_colleague_keeps_their_own_columns(as_user, owner, colleague):
    as_user(owner).post(COLUMNS, {"colonnes-columns": ["statut"]})
    assert as_user(colleague).get(DASHBOARD).context["shown"] == set(DEFAULT_COLUMNS)


def test_unknown_columns_are_refused_and_the_return_address_stays_on_the_site(as_user, owner):
    client = as_user(owner)
    response = client.post(COLUMNS, {"colonnes-columns": ["password"], "retour": "//evil.example"})
    assert response.url == DASHBOARD
    assert not DashboardPreference.objects.exists()


def test_the_script_saves_columns_without_a_redirect(as_user, owner):
    response = as_user(owner).post(
        COLUMNS, {"colonnes-columns": ["agent"]}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 204
    assert DashboardPreference.objects.get(user=owner).columns == ["reference", "agent"]


def test_columns_need_a_staff_role(as_user, outsider):
    assert as_user(outsider).post(COLUMNS, {"colonnes-columns": ["statut"]}).status_code == 403


# --- Actions on a selection -------------------------------------------------------------------


def test_bulk_assign_gives_each_ticked_answer_to_the_agent(as_user, owner, colleague):
    first, second, untouched = SubmissionFactory(), SubmissionFactory(), SubmissionFactory()
    response = as_user(owner).post(
        BULK,
        {
            "lot-selection": [first.pk, second.pk],
            "lot-action": "assign",
            "lot-assignee": colleague.pk,
        },
        follow=True,
    )
    assert "Attribution enregistrée pour 2 réponse(s)." in messages_of(response)
    assert {s.assignee for s in Submission.objects.filter(pk__in=[first.pk, second.pk])} == {
        colleague
    }
    untouched.refresh_from_db()
    assert untouched.assignee is None


def test_bulk_status_change_reports_each_refused_answer(as_user, owner):
    received = SubmissionFactory()
    closed = SubmissionFactory(status=Status.CLOSED)
    oriented = SubmissionFactory(status=Status.ORIENTED)
    response = as_user(owner).post(
        BULK,
        {
            "lot-selection": [received.pk, closed.pk, oriented.pk],
            "lot-action": "status",
            "lot-to": Status.IN_REVIEW,
        },
        follow=True,
    )
    shown = messages_of(response)
    assert "Statut modifié pour 2 réponse(s)." in shown
    refused = [m for m in shown if m.startswith(oriented.reference)]
    assert len(refused) == 1 and "ne peut pas passer au statut" in refused[0]
    statuses = dict(Submission.objects.values_list("pk", "status"))
    assert statuses == {
        received.pk: Status.IN_REVIEW,
        closed.pk: Status.IN_REVIEW,
        oriented.pk: Status.ORIENTED,
    }
    assert OutgoingEmail.objects.filter(template="ami/emails/in_review").exists()


@pytest.mark.parametrize("role", [Role.URPS, Role.ASSURANCE_MALADIE])
def test_partners_can_neither_assign_nor_move_a_selection(as_user, role):
    submission = SubmissionFactory()
    client = as_user(UserFactory(roles=[role]))
    page = client.get(DASHBOARD).content.decode()
    assert 'value="assign"' not in page and 'value="status"' not in page
    assert 'value="csv"' in page  # the selection can still be exported
    for action in ("assign", "status"):
        response = client.post(
            BULK,
            {"lot-selection": [submission.pk], "lot-action": action, "lot-to": Status.IN_REVIEW},
            follow=True,
        )
        assert any("Votre rôle ne permet pas" in m for m in messages_of(response)), action
    submission.refresh_from_db()
    assert (submission.status, submission.assignee) == (Status.RECEIVED, None)


def test_bulk_action_without_selection_says_so(as_user, owner):
    response = as_user(owner).post(BULK, {"lot-action": "assign"}, follow=True)
    assert "Cochez au moins une réponse dans le tableau." in messages_of(response)


def test_bulk_export_holds_the_selection_only_and_is_logged(as_user, owner):
    chosen, other = SubmissionFactory(), SubmissionFactory()
    response = as_user(owner).post(BULK, {"lot-selection": [chosen.pk], "lot-action": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert chosen.reference in content and other.reference not in content
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert log.details["filters"] == {"selection": [chosen.reference]}


def test_bulk_pdf_zip_uses_the_batch_task(as_user, owner):
    chosen = [SubmissionFactory(), SubmissionFactory()]
    response = as_user(owner).post(
        BULK, {"lot-selection": [s.pk for s in chosen], "lot-action": "pdf"}
    )
    batch = PdfBatch.objects.get()
    assert response.url == reverse("staff:batch", args=[batch.pk])
    assert sorted(batch.submission_ids) == sorted(s.pk for s in chosen)


def test_an_outsider_cannot_act_on_a_selection(as_user, outsider):
    submission = SubmissionFactory()
    response = as_user(outsider).post(BULK, {"lot-selection": [submission.pk], "lot-action": "csv"})
    assert response.status_code == 403


# --- Départements of the campaign's region (item 11) -----------------------------------------


def departement_choices(client, query: str = "") -> list[str]:
    form = client.get(f"{DASHBOARD}?{query}").context["filterset"].form
    return [d.code for d in form.fields["departement"].queryset]


def test_departements_are_those_of_the_campaigns_region(as_user, owner):
    bretagne, normandie = (
        RegionFactory(name="Bretagne", code="53"),
        RegionFactory(name="Normandie", code="28"),
    )
    DepartementFactory(code="29", region=bretagne)
    DepartementFactory(code="35", region=bretagne)
    DepartementFactory(code="14", region=normandie)
    CampaignFactory(region=bretagne)
    assert departement_choices(as_user(owner)) == ["29", "35"]


def test_a_chosen_campaign_narrows_to_its_region(as_user, owner):
    bretagne, normandie = (
        RegionFactory(name="Bretagne", code="53"),
        RegionFactory(name="Normandie", code="28"),
    )
    DepartementFactory(code="29", region=bretagne)
    DepartementFactory(code="14", region=normandie)
    CampaignFactory(region=bretagne)
    normande = CampaignFactory(region=normandie)
    # The national level reads every region's campaigns (a regional agent, its own only:
    # tests/ami/test_region_scope.py).
    client = as_user(UserFactory(roles=[Role.NATIONAL]))
    assert departement_choices(client) == ["14", "29"]
    assert departement_choices(client, f"campaign={normande.pk}") == ["14"]


# --- Orientation keeps or cancels the exchange (item 3) ---------------------------------------


@pytest.fixture
def planned(owner):
    submission = SubmissionFactory(status=Status.IN_REVIEW)
    starts_at = timezone.now() + timedelta(days=7)
    services.plan_exchange(
        submission, owner, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), place="ARS"
    )
    return submission


def orient(client, submission, **extra):
    data = {"orientation-orientation": "information", **extra}
    return client.post(reverse("staff:orient", args=[submission.pk]), data)


def test_the_orientation_form_offers_to_keep_the_exchange_by_default(as_user, owner, planned):
    page = as_user(owner).get(reverse("staff:submission", args=[planned.pk])).content.decode()
    assert 'name="orientation-exchange" value="keep"' in page
    keep = page.index('value="keep"')
    assert "checked" in page[keep : page.index(">", keep)]
    assert "les référents reçoivent l’orientation par email, l’échange reste" in page


def test_orienting_keeps_the_exchange_by_default(as_user, owner, planned):
    orient(as_user(owner), planned)
    exchange = Exchange.objects.get(submission=planned)
    assert exchange.cancelled_at is None
    event = planned.events.get(kind="oriented")
    assert "kept_exchange" in event.data and "cancelled_exchange" not in event.data
    email = OutgoingEmail.objects.filter(template="ami/emails/oriented").first()
    assert "est maintenu" in email.body_text and not email.attachments
    page = as_user(owner).get(reverse("staff:submission", args=[planned.pk])).content.decode()
    assert "Échange maintenu après l’orientation" in page


def test_orienting_may_cancel_the_exchange(as_user, owner, planned):
    orient(as_user(owner), planned, **{"orientation-exchange": "cancel"})
    assert Exchange.objects.get(submission=planned).cancelled_at is not None
    email = OutgoingEmail.objects.filter(template="ami/emails/oriented").first()
    assert "est annulé" in email.body_text
    assert email.attachments[0]["filename"].endswith(".ics")


def test_the_service_takes_the_choice_as_plain_data(owner, planned):
    services.orient(planned, owner, orientation="information", keep_exchange=True)
    assert Exchange.objects.get(submission=planned).cancelled_at is None


def test_no_exchange_no_choice(as_user, owner):
    submission = SubmissionFactory(status=Status.IN_REVIEW)
    page = as_user(owner).get(reverse("staff:submission", args=[submission.pk])).content.decode()
    assert "orientation-exchange" not in page


# --- Answer page (item 2) ------------------------------------------------------------------


def test_answer_page_has_its_four_sections_and_one_comment_form(as_user, owner):
    submission = SubmissionFactory(status=Status.IN_REVIEW)
    page = as_user(owner).get(reverse("staff:submission", args=[submission.pk])).content.decode()
    for anchor in ("reponse", "territoire", "echanges", "historique", "actions"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page, anchor
    assert page.count(">Commentaire interne<") == 1  # the heading; the field's label follows
    assert page.count('name="note-text"') == 1
    assert "-comment" not in page  # no other form asks for a comment
    # The link resend sits with the référents, in « Échanges », before the history.
    assert (
        page.index('id="echanges"')
        < page.index("Renvoyer un nouveau lien")
        < page.index('id="historique"')
    )


@pytest.mark.parametrize(
    "role, allowed",
    [
        (Role.URPS, ["ajouter une note interne", "donner un avis"]),
        (Role.ASSURANCE_MALADIE, ["ajouter une note interne", "dialogues de gestion"]),
    ],
)
def test_partners_read_what_their_role_allows(as_user, role, allowed):
    submission = SubmissionFactory()
    page = (
        as_user(UserFactory(roles=[role]))
        .get(reverse("staff:submission", args=[submission.pk]))
        .content.decode()
    )
    assert "Votre rôle permet :" in page
    start = page.index("Votre rôle permet :")
    sentence = page[start : page.index("</p>", start)]
    for text in allowed:
        assert text in sentence
    assert "attribuer" not in sentence.lower()
    assert "Lien de suivi des référents" not in page  # no empty box


def test_ars_has_no_role_sentence_but_the_link_box(as_user, owner):
    page = (
        as_user(owner)
        .get(reverse("staff:submission", args=[SubmissionFactory().pk]))
        .content.decode()
    )
    assert "Votre rôle permet" not in page and "Lien de suivi des référents" in page


# --- Header ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, institution",
    [(Role.ARS, "ARS"), (Role.URPS, "URPS"), (Role.ASSURANCE_MALADIE, "Assurance Maladie")],
)
def test_header_says_who_is_signed_in_and_for_which_institution(as_user, role, institution):
    user = UserFactory(roles=[role], first_name="Anne", last_name="Kervella")
    page = as_user(user).get(DASHBOARD).content.decode()
    assert '<span class="fr-text--bold" data-identity-name>Anne Kervella</span>' in page
    assert f"<span data-identity-institution>{institution}</span>" in page


def test_anonymous_header_has_no_identity(client):
    assert "data-identity-name" not in client.get("/").content.decode()


# --- Query budget with every column ------------------------------------------------------------


def test_every_column_and_the_selection_cost_no_query_per_row(as_user, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ami.staff.columns import COLUMNS as ALL
    from tests.ami.staff.test_staff_dashboard import QUERY_BUDGET, make_varied_answers

    client = as_user(owner)
    client.post(COLUMNS, {"colonnes-columns": [column.key for column in ALL]})
    make_varied_answers(1)
    client.get(DASHBOARD)  # warm the session and content types caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(DASHBOARD)
        assert response.status_code == 200
        return len(queries)

    one = count()
    make_varied_answers(49)
    client.get(DASHBOARD)  # new campaigns and agents: the cached filter form renders once
    assert count() == one <= QUERY_BUDGET


def test_closing_an_oriented_answer_cancels_the_exchange_it_kept(owner, planned):
    services.orient(planned, owner, orientation="information", keep_exchange=True)
    planned.refresh_from_db()
    services.close(planned, owner, reason="information_given")
    exchange = Exchange.objects.get(submission=planned)
    assert exchange.cancelled_at is not None
    assert "cancelled_exchange" in planned.events.get(kind="closed").data
    email = OutgoingEmail.objects.filter(template="ami/emails/closed").first()
    assert "est annulé" in email.body_text
    assert email.attachments[0]["filename"].endswith(".ics")
