"""The dashboard's filter form is rendered once per language, filters and versions of what
it lists: a new campaign or agent shows at once, selections stay per request."""

import pytest
from django.urls import reverse

from cpts_portal.roles import Role
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db


def filters_html(client, query: str = "") -> str:
    response = client.get(reverse("staff:dashboard") + query)
    assert response.status_code == 200
    html = response.content.decode()
    return html[
        html.index('class="portal-filters"') : html.index("</form>", html.index("portal-filters"))
    ]


def test_the_filter_form_is_the_same_from_the_cache(as_user, owner, submission):
    client = as_user(owner)
    first = filters_html(client)

    assert filters_html(client) == first


def test_a_new_campaign_shows_in_the_filters_at_once(as_user, owner, submission):
    client = as_user(owner)
    assert "Édition du banc" not in filters_html(client)

    CampaignFactory(edition="Édition du banc", title="Campagne nouvelle du banc")

    assert "Campagne nouvelle du banc" in filters_html(client)


def test_a_new_agent_shows_in_the_filters_at_once(as_user, owner, submission):
    client = as_user(owner)
    filters_html(client)

    UserFactory(first_name="Nolwenn", last_name="Kerhervé", roles=[Role.ARS])

    assert "Nolwenn Kerhervé" in filters_html(client)


def test_selected_filters_are_not_shared_between_queries(as_user, owner, submission):
    client = as_user(owner)
    selected = filters_html(client, "?status=in_review")
    blank = filters_html(client)

    assert 'value="in_review" selected' in selected
    assert 'value="in_review" selected' not in blank


def test_signing_in_does_not_make_the_filters_stale(owner):
    from cpts_portal.fragments import versions

    before = versions("staff-filters")
    owner.save(update_fields=["last_login"])  # what a sign-in writes
    assert versions("staff-filters") == before

    owner.first_name = "Yann"
    owner.save()
    assert versions("staff-filters") != before


def bulk_html(client) -> str:
    html = client.get(reverse("staff:dashboard")).content.decode()
    return html[
        html.index('class="fr-fieldset portal-bulk"') : html.index(
            "</fieldset>", html.index("portal-bulk")
        )
    ]


def test_the_bulk_actions_offer_a_new_agent_at_once(as_user, owner, submission):
    client = as_user(owner)
    assert "Nolwenn Kerhervé" not in bulk_html(client)

    UserFactory(first_name="Nolwenn", last_name="Kerhervé", roles=[Role.ARS])

    assert "Nolwenn Kerhervé" in bulk_html(client)


def test_the_bulk_actions_kept_for_the_ars_are_not_shown_to_the_urps(as_user, owner, submission):
    urps = UserFactory(roles=[Role.URPS])  # before: a new account makes the markup stale
    assert 'value="assign"' in bulk_html(as_user(owner))
    assert 'value="assign"' not in bulk_html(as_user(urps))
