"""load_geography on the file shipped in fixtures/geography/ (INSEE COG 2026)."""

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from territories.models import Commune, Departement, Epci, Region

pytestmark = pytest.mark.django_db


def test_finistere_loads_with_populations_postal_codes_and_epci() -> None:
    call_command("load_geography", "--departements", "29", stdout=StringIO())

    quimper = Commune.objects.select_related("departement__region", "epci").get(insee_code="29232")
    assert quimper.name == "Quimper"
    assert quimper.population > 50_000
    assert quimper.postal_codes == "29000"
    assert quimper.departement.name == "Finistère"
    assert quimper.departement.region.name == "Bretagne"
    assert quimper.epci.name == "CA Quimper Bretagne Occidentale"
    assert quimper.epci.kind == Epci.Kind.CA
    # 277 communes in the COG 2026 (counted in the package's communes.json).
    assert Commune.objects.filter(departement__code="29").count() == 277
    assert Commune.objects.exclude(departement__code="29").count() == 0
    # Island communes belong to no EPCI.
    assert Commune.objects.get(insee_code="29155").epci is None  # Ouessant
    assert Commune.objects.get(search_name="brest").population > 100_000


def test_whole_france_loads_quickly_and_reloads_without_changes() -> None:
    started = time.perf_counter()
    call_command("load_geography", stdout=StringIO())
    elapsed = time.perf_counter() - started

    assert Region.objects.count() == 26
    assert Departement.objects.count() == 109
    assert Epci.objects.count() == 1255
    assert Commune.objects.count() == 34969
    assert not Commune.objects.filter(is_current=False).exists()
    assert elapsed < 30
    paris = Commune.objects.get(insee_code="75056")
    assert len(paris.postal_code_list) == 21
    assert paris.epci.name == "Métropole du Grand Paris"
    assert Commune.objects.get(insee_code="69123").epci.kind == Epci.Kind.MET69
    assert Commune.objects.get(insee_code="97611").departement.region.name == "Mayotte"
    assert Commune.objects.filter(population__isnull=True).count() == 6  # TAAF, Clipperton
    assert Commune.objects.aggregate(total=Sum("population"))["total"] > 68_000_000

    out = StringIO()
    call_command("load_geography", stdout=out)

    assert Commune.objects.count() == 34969
    assert "créées : 0, mises à jour : 0, inchangées : 34969, retirées : 0" in out.getvalue()
