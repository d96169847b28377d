"""The open-data files: stable URLs, valid against their Table Schema, cached and
regenerated when a project changes."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from publication import opendata, services
from publication.models import Publication

from .conftest import make_project, publish

pytestmark = pytest.mark.django_db


def url(name: str) -> str:
    return reverse("publication:open_data_file", kwargs={"name": name})


def check_value(field: dict, value: str) -> None:
    """One CSV cell against its Table Schema field (the types and constraints we use)."""
    constraints = field.get("constraints", {})
    if value == "":
        assert not constraints.get("required"), field["name"]
        return
    kind = field["type"]
    if kind == "integer":
        number = int(value)
        assert number >= constraints.get("minimum", number), field["name"]
        assert number <= constraints.get("maximum", number), field["name"]
    elif kind == "boolean":
        assert value in field.get("trueValues", []) + field.get("falseValues", []), field["name"]
    if "pattern" in constraints:
        assert re.fullmatch(constraints["pattern"], value), (field["name"], value)


def validate_csv(content: bytes, schema: dict) -> list[dict]:
    """Header equal to the schema's fields, every cell valid, the primary key unique."""
    reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
    assert reader.fieldnames == [field["name"] for field in schema["fields"]]
    rows = list(reader)
    for row in rows:
        for field in schema["fields"]:
            check_value(field, row[field["name"]])
    keys = [tuple(row[name] for name in schema["primaryKey"]) for row in rows]
    assert len(keys) == len(set(keys))
    return rows


@pytest.fixture
def two_published(published, geography, people):
    other = make_project(
        "CPTS du Trégor", [geography.lannion, geography.douarnenez], coordinators=[people.owner]
    )
    publish(other, people.owner, people.ars)
    make_project("CPTS non publiée", [geography.quimper])
    return published, other


def test_cpts_csv_validates_against_its_schema(client, two_published):
    schema = client.get(url("cpts.schema.json")).json()
    assert schema["licenses"][0]["name"] == "etalab-2.0"
    response = client.get(url("cpts.csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = validate_csv(response.content, schema)
    assert [row["nom"] for row in rows] == ["CPTS du pays de Douarnenez", "CPTS du Trégor"]
    douarnenez = rows[0]
    assert douarnenez["communes"] == "29046;29224"
    assert douarnenez["population"] == "15200" and douarnenez["taille"] == "1"
    assert douarnenez["regions"] == "53" and douarnenez["departements"] == "29"
    assert rows[1]["departements"] == "22;29"


def test_communes_csv_validates_and_lists_each_pair(client, two_published):
    schema = client.get(url("communes-cpts.schema.json")).json()
    rows = validate_csv(client.get(url("communes-cpts.csv")).content, schema)
    pairs = [(row["code_insee"], row["cpts_nom"]) for row in rows]
    assert pairs == [
        ("22113", "CPTS du Trégor"),
        ("29046", "CPTS du pays de Douarnenez"),
        ("29046", "CPTS du Trégor"),
        ("29224", "CPTS du pays de Douarnenez"),
    ]
    assert "29232" not in {row["code_insee"] for row in rows}  # unpublished project


def test_json_files_carry_the_same_fields_and_the_licence(client, two_published):
    for name, schema in (
        ("cpts.json", opendata.CPTS_SCHEMA),
        ("communes-cpts.json", opendata.COMMUNES_SCHEMA),
    ):
        body = client.get(url(name)).json()
        assert body["licence"]["name"] == "etalab-2.0"
        names = [field["name"] for field in schema["fields"]]
        assert all(list(row) == names for row in body["data"]), name
    cpts = client.get(url("cpts.json")).json()["data"][0]
    assert cpts["communes"][0] == {"code_insee": "29046", "nom": "Douarnenez", "population": 14000}


def test_files_have_caching_headers_and_answer_304(client, published):
    response = client.get(url("cpts.csv"))
    assert response["ETag"] and response["Last-Modified"]
    assert "max-age=" in response["Cache-Control"] and "public" in response["Cache-Control"]
    again = client.get(url("cpts.csv"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_files_are_regenerated_when_a_project_changes(
    client, published, people, django_capture_on_commit_callbacks
):
    first = client.get(url("cpts.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_consent(published, people.owner)
    second = client.get(url("cpts.csv"))
    assert second["ETag"] != first["ETag"]
    assert "Douarnenez" not in second.content.decode()


def test_files_are_regenerated_when_the_territory_changes(
    client, published, geography, django_capture_on_commit_callbacks
):
    client.get(url("communes-cpts.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        published.territory.communes.add(geography.quimper)
    assert "29232" in client.get(url("communes-cpts.csv")).content.decode()


def test_cached_file_costs_no_query(client, published, django_assert_num_queries):
    client.get(url("cpts.csv"))
    with django_assert_num_queries(0):
        client.get(url("cpts.csv"))


def test_file_queries_do_not_grow_with_projects(
    client, geography, people, django_assert_num_queries
):
    # The projects, their communes, the served regions: 3 queries for 1 project and for 6.
    for count in (1, 5):
        for index in range(count):
            project = make_project(f"P{count}-{index}", [geography.lannion], [people.owner])
            publish(project, people.owner, people.ars)
        with django_assert_num_queries(3):
            opendata.build("cpts.csv")


def test_unknown_file_is_404(client, db):
    assert client.get(url("secrets.csv")).status_code == 404


def test_open_data_page_documents_the_files(client, db):
    page = client.get(reverse("publication:open_data")).content.decode()
    assert "Licence Ouverte" in page
    for name in ("cpts.csv", "cpts.json", "communes-cpts.csv", "cpts.schema.json"):
        assert url(name) in page
    for field in opendata.CPTS_SCHEMA["fields"]:
        assert f"<code>{field['name']}</code>" in page


def test_schema_files_are_json_table_schema(client, db):
    for name in opendata.SCHEMAS:
        schema = json.loads(client.get(url(name)).content)
        assert {"fields", "primaryKey", "licenses"} <= set(schema)
        assert all({"name", "type"} <= set(field) for field in schema["fields"])
    assert Publication.objects.count() == 0


def test_head_request_gives_the_headers(client, published):
    response = client.head(url("communes-cpts.csv"))
    assert response.status_code == 200 and response["ETag"]
