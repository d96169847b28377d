"""The read API (/api/v1/): tokens, permissions of every role, query budgets, the access
log of answers, the OpenAPI schema and its documentation page, the rate limit."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

from ami.models import AccessLog
from projects.models import AciContract
from publication import services
from publication.models import ApiToken
from tests.factories import CampaignFactory, CommuneFactory, SubmissionFactory, TerritoryFactory

from .conftest import make_project

pytestmark = pytest.mark.django_db

ENDPOINTS = ("project", "territory", "submission", "contract", "commune")


def list_url(name: str) -> str:
    return reverse(f"publication:api:{name}-list")


def bearer(user) -> dict:
    """The header of a new token of ``user``'s institution (the agent asks, the institution
    holds it)."""
    return token_header(institution=user.staff_membership.institution)


def token_header(**holder) -> dict:
    _token, key = services.create_api_token("SI de test", **holder)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def data(geography, people):
    project = make_project("CPTS du Cap", [geography.douarnenez], [people.owner])
    AciContract.objects.create(project=project, signed_on=date(2024, 3, 1), missions=[])
    SubmissionFactory()
    return project


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_is_refused_with_401(client, data, endpoint):
    response = client.get(list_url(endpoint))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ["owner", "colleague", "outsider"])
def test_coordinators_and_accounts_without_role_are_refused(client, data, people, who, endpoint):
    client.force_login(getattr(people, who))
    assert client.get(list_url(endpoint)).status_code == 403


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ["ars", "urps", "am"])
def test_each_staff_role_reads_every_endpoint(client, data, people, who, endpoint):
    response = client.get(list_url(endpoint), **bearer(getattr(people, who)))
    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_project_fields(client, data, people):
    (row,) = client.get(list_url("project"), **bearer(people.ars)).json()["results"]
    assert row["name"] == "CPTS du Cap"
    assert row["population"] == 14_000 and row["size_tier"] == 1 and row["commune_count"] == 1
    assert row["stage"] == "avant_projet" and row["published"] is False


def test_contract_and_commune_fields(client, data, people):
    headers = bearer(people.am)
    (contract,) = client.get(list_url("contract"), **headers).json()["results"]
    assert contract["project_name"] == "CPTS du Cap" and contract["ends_on"] == "2029-02-28"
    url = reverse("publication:api:commune-detail", kwargs={"insee_code": "29046"})
    commune = client.get(url, **headers).json()
    assert commune["name"] == "Douarnenez" and commune["region"] == "53"
    assert commune["postal_codes"] == ["29100"]
    found = client.get(list_url("commune"), {"insee_code": "29046,22113"}, **headers).json()
    assert [row["insee_code"] for row in found["results"]] == ["22113", "29046"]


def renewed(contract: AciContract) -> AciContract:
    """The next contract of a renewed ``contract``, from the day after its term."""
    contract.is_current = False
    contract.save(update_fields=["is_current"])
    return AciContract.objects.create(
        project=contract.project,
        previous=contract,
        signed_on=contract.ends_on + timedelta(days=1),
        missions=[],
    )


def test_a_renewed_project_lists_only_its_contract_in_force(client, data, geography, people):
    # Renewed before its term (2029): the first contract is still in force.
    waiting = data.contracts.get()
    renewed(waiting)
    # Renewed in 2023: the next contract is in force.
    older = make_project("CPTS de l’Aber", [geography.quimper])
    ended = AciContract.objects.create(project=older, signed_on=date(2018, 3, 1), missions=[])
    following = renewed(ended)
    rows = client.get(list_url("contract"), **bearer(people.am)).json()["results"]
    assert sorted(row["id"] for row in rows) == sorted([waiting.pk, following.pk])


def test_filters_and_ordering(client, geography, people):
    make_project("Alpha", [geography.quimper])
    make_project("Beta", [geography.lannion])
    headers = bearer(people.urps)
    names = [
        r["name"]
        for r in client.get(list_url("project"), {"name": "alp"}, **headers).json()["results"]
    ]
    assert names == ["Alpha"]
    ordered = client.get(list_url("project"), {"ordering": "-population"}, **headers).json()
    assert [r["name"] for r in ordered["results"]] == ["Alpha", "Beta"]


def test_session_of_a_signed_in_agent_works_too(client, data, people):
    client.force_login(people.am)
    assert client.get(list_url("territory")).status_code == 200


def test_revoked_token_is_refused(client, data, people):
    token, key = services.create_api_token(
        "SI", institution=people.ars.staff_membership.institution
    )
    services.revoke_api_token(token)
    response = client.get(list_url("project"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_token_outlives_the_account_that_asked_for_it(client, data, people):
    """The institution's key, not the agent's: it works after the agent has left."""
    token, key = services.create_api_token(
        "SI", institution=people.ars.staff_membership.institution, by=people.ars
    )
    people.ars.is_active = False
    people.ars.save()
    response = client.get(list_url("project"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert ApiToken.objects.get(pk=token.pk).created_by == people.ars


def test_wrong_token_is_refused(client, data):
    response = client.get(list_url("project"), HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401


def test_token_use_is_noted(client, data, people):
    token, key = services.create_api_token(
        "SI", institution=people.ars.staff_membership.institution
    )
    client.get(list_url("project"), HTTP_AUTHORIZATION=f"Token {key}")
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_api_is_read_only(client, data, people):
    response = client.post(list_url("project"), {"name": "x"}, **bearer(people.ars))
    assert response.status_code == 405


def test_reading_answers_is_written_to_the_access_log_with_the_institution(client, people):
    submission = SubmissionFactory()
    institution = people.urps.staff_membership.institution
    token, key = services.create_api_token("Infocentre URPS", institution=institution)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client.get(list_url("submission"), **headers)
    client.get(reverse("publication:api:submission-detail", args=[submission.pk]), **headers)
    rows = list(
        AccessLog.objects.order_by("pk").values_list("action", "user", "user_label", "submission")
    )
    assert rows == [
        (AccessLog.Action.EXPORT, None, institution.name, None),
        (AccessLog.Action.SUBMISSION_VIEWED, None, institution.name, submission.pk),
    ]
    first = AccessLog.objects.order_by("pk").first().details
    assert first["references"] == [submission.reference]
    assert first["institution_id"] == institution.pk and first["token"] == token.prefix
    assert first["region"] == "53"


def test_reading_answers_in_a_session_is_logged_as_the_agent(client, people):
    SubmissionFactory()
    client.force_login(people.am)
    client.get(list_url("submission"))
    assert list(AccessLog.objects.values_list("user", "details__api")) == [
        (people.am.pk, list_url("submission"))
    ]


# --- Query budgets: the same count for 1 and 50 rows ------------------------------------


def make_rows(endpoint: str, count: int, geography) -> None:
    for index in range(count):
        if endpoint == "contract":
            project = make_project(f"C{index:02d}", [geography.douarnenez])
            AciContract.objects.create(
                project=project, signed_on=date(2024, 1, 1) + timedelta(index)
            )
        elif endpoint == "commune":
            # Codes of their own: the factory's sequence may reach the geography's 29046.
            CommuneFactory(
                insee_code=f"{35 if count == 1 else 56}{index:03d}",
                departement=geography.douarnenez.departement,
            )
        elif endpoint == "project":
            make_project(f"P{index:02d}", [geography.douarnenez, geography.quimper])
        elif endpoint == "territory":
            TerritoryFactory(communes=[geography.douarnenez, geography.lannion])
        else:
            SubmissionFactory(
                campaign=CampaignFactory(),
                territory=TerritoryFactory(communes=[geography.douarnenez]),
            )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_queries_do_not_grow_with_rows(client, geography, people, endpoint):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = bearer(people.ars)
    client.get(list_url(endpoint), **headers)  # notes the token's use (once a minute)
    counts = []
    for rows in (1, 49):
        make_rows(endpoint, rows, geography)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(list_url(endpoint), {"page_size": 100}, **headers)
        assert response.status_code == 200
        counts.append((response.json()["count"], len(queries)))
    (few, few_queries), (many, many_queries) = counts
    assert many >= 50 > few
    assert few_queries == many_queries, counts


# --- Schema, documentation, rate limit ----------------------------------------------------


def test_openapi_schema_is_generated_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/v1/projets/" in out.getvalue()


def test_schema_url_is_public(client, db):
    response = client.get(reverse("publication:api:schema"), {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/reponses/" in response.json()["paths"]


def test_docs_page_loads_its_assets_from_our_static_files(client, db):
    response = client.get(reverse("publication:api:docs"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page.split("<body", 1)[1].split("</body>")[0] or "cdn" not in page


def test_rate_limit_answers_429(client, data, people, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"api": "3/min"})
    headers = bearer(people.ars)
    statuses = [client.get(list_url("project"), **headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_each_token_has_its_own_rate_limit(client, data, people, monkeypatch):
    """A token has no account id: its own count, not one shared by every token."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"api": "2/min"})
    first, second = bearer(people.ars), bearer(people.urps)
    statuses = [client.get(list_url("project"), **first).status_code for _ in range(3)]
    statuses += [client.get(list_url("project"), **second).status_code for _ in range(2)]
    assert statuses == [200, 200, 429, 200, 200]
