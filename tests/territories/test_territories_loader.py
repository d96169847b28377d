"""load_geography on small generated files: idempotence, updates, retirement, scope."""

import copy
import gzip
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from territories.models import Commune, Departement, Epci, Region

pytestmark = pytest.mark.django_db

GEOGRAPHY: dict[str, Any] = {
    "format": 1,
    "source": {"package": "test", "version": "0"},
    "regions": {
        "columns": ["code", "name"],
        "rows": [["53", "Bretagne"], ["52", "Pays de la Loire"]],
    },
    "departements": {
        "columns": ["code", "name", "region"],
        "rows": [
            ["29", "Finistère", "53"],
            ["56", "Morbihan", "53"],
            ["44", "Loire-Atlantique", "52"],
        ],
    },
    "epci": {
        "columns": ["siren", "name", "kind"],
        "rows": [
            ["200068120", "CA Quimper Bretagne Occidentale", "CA"],
            ["200042174", "CC Auray Quiberon Terre Atlantique", "CC"],
        ],
    },
    "communes": {
        "columns": ["insee", "name", "postal_codes", "population", "departement", "epci"],
        "rows": [
            ["29232", "Quimper", "29000", 64385, "29", "200068120"],
            ["29083", "Île-de-Sein", "29990", 250, "29", None],
            ["56007", "Auray", "56400", 14000, "56", "200042174"],
            ["56263", "Sainte-Anne-d'Auray", "56400", 2900, "56", "200042174"],
            ["44109", "Nantes", "44000 44100 44200 44300", 323204, "44", None],
        ],
    },
}


def write(path: Path, document: dict[str, Any]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(document, handle)
    return path


def load(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("load_geography", "--file", str(path), *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Region.objects.count(),
        Departement.objects.count(),
        Epci.objects.count(),
        Commune.objects.count(),
    )


@pytest.fixture
def document() -> dict[str, Any]:
    return copy.deepcopy(GEOGRAPHY)


def test_load_creates_every_row_with_its_links(tmp_path: Path, document: dict) -> None:
    output = load(write(tmp_path / "geo.json.gz", document))

    assert counts() == (2, 3, 2, 5)
    quimper = Commune.objects.select_related("departement__region", "epci").get(insee_code="29232")
    assert quimper.name == "Quimper"
    assert quimper.search_name == "quimper"
    assert quimper.population == 64385
    assert quimper.departement.region.name == "Bretagne"
    assert quimper.epci.name == "CA Quimper Bretagne Occidentale"
    assert quimper.epci.kind == Epci.Kind.CA
    assert Commune.objects.get(insee_code="29083").epci is None
    assert Commune.objects.get(insee_code="56263").search_name == "sainte anne d auray"
    assert Commune.objects.get(insee_code="44109").postal_code_list == [
        "44000",
        "44100",
        "44200",
        "44300",
    ]
    assert "Communes : 5/5" in output
    assert "créées : 5," in output


def test_loading_twice_changes_nothing(tmp_path: Path, document: dict) -> None:
    path = write(tmp_path / "geo.json.gz", document)
    load(path)
    before = list(Commune.objects.order_by("insee_code").values())

    output = load(path)

    assert counts() == (2, 3, 2, 5)
    assert list(Commune.objects.order_by("insee_code").values()) == before
    assert "créées : 0, mises à jour : 0, inchangées : 5, retirées : 0" in output


def test_reload_updates_changed_rows_in_place(tmp_path: Path, document: dict) -> None:
    load(write(tmp_path / "v1.json.gz", document))
    quimper_id = Commune.objects.get(insee_code="29232").pk
    document["communes"]["rows"][0][3] = 65000  # Quimper's population
    document["communes"]["rows"][2][5] = None  # Auray leaves its EPCI
    document["epci"]["rows"][0][1] = "Quimper Bretagne Occidentale"

    output = load(write(tmp_path / "v2.json.gz", document))

    assert counts() == (2, 3, 2, 5)
    quimper = Commune.objects.get(insee_code="29232")
    assert quimper.pk == quimper_id
    assert quimper.population == 65000
    assert quimper.epci.name == "Quimper Bretagne Occidentale"
    assert Commune.objects.get(insee_code="56007").epci is None
    assert "mises à jour : 2, inchangées : 3" in output


def test_commune_missing_from_file_is_retired_not_deleted(tmp_path: Path, document: dict) -> None:
    load(write(tmp_path / "v1.json.gz", document))
    sainte_anne = document["communes"]["rows"].pop(3)

    output = load(write(tmp_path / "v2.json.gz", document))

    assert Commune.objects.count() == 5
    assert not Commune.objects.get(insee_code="56263").is_current
    assert Commune.objects.filter(is_current=True).count() == 4
    assert "retirées : 1)" in output

    document["communes"]["rows"].append(sainte_anne)
    load(write(tmp_path / "v3.json.gz", document))

    assert Commune.objects.get(insee_code="56263").is_current


def test_epci_missing_from_full_file_is_retired(tmp_path: Path, document: dict) -> None:
    load(write(tmp_path / "v1.json.gz", document))
    document["epci"]["rows"].pop(1)
    for row in document["communes"]["rows"]:
        if row[5] == "200042174":
            row[5] = None

    load(write(tmp_path / "v2.json.gz", document))

    auray_epci = Epci.objects.get(code="200042174")
    assert not auray_epci.is_current
    assert not auray_epci.communes.exists()
    assert Epci.objects.get(code="200068120").is_current


def test_departements_option_loads_only_those(tmp_path: Path, document: dict) -> None:
    output = load(write(tmp_path / "geo.json.gz", document), "--departements", "29, 56")

    assert set(Departement.objects.values_list("code", flat=True)) == {"29", "56"}
    assert list(Region.objects.values_list("code", flat=True)) == ["53"]
    assert set(Commune.objects.values_list("insee_code", flat=True)) == {
        "29232",
        "29083",
        "56007",
        "56263",
    }
    assert Epci.objects.count() == 2
    assert "départements 29, 56" in output


def test_partial_load_leaves_other_departements_current(tmp_path: Path, document: dict) -> None:
    path = write(tmp_path / "geo.json.gz", document)
    load(path)

    load(path, "--departements", "29")

    assert Commune.objects.filter(is_current=True).count() == 5
    assert Epci.objects.filter(is_current=True).count() == 2


def test_partial_load_retires_only_within_its_departements(tmp_path: Path, document: dict) -> None:
    load(write(tmp_path / "v1.json.gz", document))
    rows = document["communes"]["rows"]
    document["communes"]["rows"] = [row for row in rows if row[0] not in {"29083", "44109"}]

    load(write(tmp_path / "v2.json.gz", document), "--departements", "29")

    assert not Commune.objects.get(insee_code="29083").is_current
    assert Commune.objects.get(insee_code="44109").is_current  # outside the loaded scope


def test_unknown_departement_is_refused(tmp_path: Path, document: dict) -> None:
    with pytest.raises(CommandError, match="75"):
        load(write(tmp_path / "geo.json.gz", document), "--departements", "29,75")

    assert Commune.objects.count() == 0


def test_file_in_another_format_is_refused(tmp_path: Path, document: dict) -> None:
    document["format"] = 2

    with pytest.raises(CommandError, match="format"):
        load(write(tmp_path / "geo.json.gz", document))


def test_plain_json_file_is_accepted(tmp_path: Path, document: dict) -> None:
    path = tmp_path / "geo.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    load(path)

    assert Commune.objects.count() == 5
