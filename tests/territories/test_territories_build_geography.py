"""fixtures/geography/build_geography.py on a miniature npm package."""

import gzip
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "fixtures" / "geography" / "build_geography.py"


@pytest.fixture(scope="module")
def build_geography() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_geography", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_package(root: Path, version: str = "6.0.0") -> Path:
    data = root / "data"
    data.mkdir(parents=True)
    (root / "package.json").write_text(
        json.dumps({"name": "@etalab/decoupage-administratif", "version": version})
    )
    files = {
        "regions": [{"code": "84", "nom": "Auvergne-Rhône-Alpes"}],
        "departements": [{"code": "69", "nom": "Rhône", "region": "84"}],
        "communes": [
            {
                "code": "69123",
                "nom": "Lyon",
                "type": "commune-actuelle",
                "departement": "69",
                "codesPostaux": ["69009", "69001", "69001"],
                "population": 520774,
            },
            {
                "code": "69381",
                "nom": "Lyon 1er Arrondissement",
                "type": "arrondissement-municipal",
                "departement": "69",
            },
            {"code": "69999", "nom": "Ancienne", "type": "commune-deleguee", "departement": "69"},
            {"code": "69001", "nom": "Affoux", "type": "commune-actuelle", "departement": "69"},
        ],
        "epci": [
            {
                "code": "200046977",
                "nom": "Métropole de Lyon",
                "type": "MET69",
                "membres": [{"code": "69123"}],
            },
            {"code": "200000001", "nom": "Métropole X", "type": "METRO", "membres": []},
        ],
    }
    for name, rows in files.items():
        (data / f"{name}.json").write_text(json.dumps(rows), encoding="utf-8")
    return root


def test_build_keeps_current_communes_as_compact_rows(
    build_geography: ModuleType, tmp_path: Path
) -> None:
    document = build_geography.build(make_package(tmp_path / "package"))

    assert document["format"] == 1
    assert document["communes"]["columns"] == [
        "insee",
        "name",
        "postal_codes",
        "population",
        "departement",
        "epci",
    ]
    assert document["communes"]["rows"] == [
        ["69001", "Affoux", "", None, "69", None],
        ["69123", "Lyon", "69001 69009", 520774, "69", "200046977"],
    ]
    assert document["epci"]["rows"] == [
        ["200000001", "Métropole X", "MET"],
        ["200046977", "Métropole de Lyon", "MET69"],
    ]


def test_main_writes_a_deterministic_gzip_file(
    build_geography: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    package = make_package(tmp_path / "package")
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"

    build_geography.main([str(package), "--output", str(first)])
    build_geography.main([str(package), "--output", str(second)])

    assert first.read_bytes() == second.read_bytes()
    assert json.loads(gzip.decompress(first.read_bytes()))["regions"]["rows"] == [
        ["84", "Auvergne-Rhône-Alpes"]
    ]
    assert "2 communes" in capsys.readouterr().out


def test_build_refuses_another_package_version(build_geography: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"6\.1\.0"):
        build_geography.build(make_package(tmp_path / "package", version="6.1.0"))


def test_build_refuses_a_commune_in_an_unknown_departement(
    build_geography: ModuleType, tmp_path: Path
) -> None:
    package = make_package(tmp_path / "package")
    communes = json.loads((package / "data" / "communes.json").read_text())
    communes[0]["departement"] = "99"
    (package / "data" / "communes.json").write_text(json.dumps(communes))

    with pytest.raises(SystemExit, match="unknown département 99"):
        build_geography.build(package)
