import pytest

from territories.models import Commune, Departement, Region
from territories.rules import normalize_commune_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Brieuc", "saint brieuc"),
        ("St Malo", "saint malo"),
        ("st. malo", "saint malo"),
        ("Ste-Anne-d'Auray", "sainte anne d auray"),
        ("ÉTEL", "etel"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("L’Haÿ-les-Roses", "l hay les roses"),
        ("Stes-Maries-de-la-Mer", "saintes maries de la mer"),
        ("Œuilly", "oeuilly"),
        ("  Pont -  l'Abbé ", "pont l abbe"),
        ("Château-Chinon (Ville)", "chateau chinon ville"),
    ],
)
def test_normalize_commune_name(text: str, expected: str) -> None:
    assert normalize_commune_name(text) == expected


def test_normalize_leaves_words_that_merely_start_like_saint() -> None:
    assert normalize_commune_name("Stella-Plage") == "stella plage"
    assert normalize_commune_name("Stenay") == "stenay"


def test_what_users_type_meets_the_official_name() -> None:
    assert normalize_commune_name("st malo") == normalize_commune_name("Saint-Malo")
    assert normalize_commune_name("ste anne d auray") == normalize_commune_name(
        "Sainte-Anne-d'Auray"
    )


def test_empty_or_punctuation_only_text_normalizes_to_empty() -> None:
    assert normalize_commune_name("") == ""
    assert normalize_commune_name(" - ' ") == ""


@pytest.mark.django_db
def test_saving_a_commune_fills_its_search_name() -> None:
    region = Region.objects.create(code="53", name="Bretagne")
    departement = Departement.objects.create(code="56", name="Morbihan", region=region)

    commune = Commune.objects.create(
        insee_code="56058", name="Étel", departement=departement, postal_codes="56410"
    )

    assert commune.search_name == "etel"
    assert str(commune) == "Étel (56058)"
    assert Commune.objects.get(search_name__startswith="ete") == commune
