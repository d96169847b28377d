"""Property-based tests (hypothesis) of the validators and rules fed by user input."""

import re
from itertools import pairwise

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from ami.forms import FRENCH_PHONE_REGIONS, FrenchPhoneNumberField
from territories.rules import SIZE_TIERS, normalize_commune_name, size_tier

# No example database on disk, no deadline: the first phonenumbers call loads metadata.
PROPERTY = settings(database=None, deadline=None, max_examples=300)

# --- FrenchPhoneNumberField --------------------------------------------------------------

phone_like = st.from_regex(r"\A[+0-9 .()\-/x]{0,40}\Z")
anything = st.one_of(st.text(max_size=300), phone_like)


@PROPERTY
@given(anything)
@example("\x00")
@example("+" + "9" * 400)
@example("0" * 251)
@example("+33 6 12 34 56 78 ext. 999999999999")
def test_phone_field_never_fails_otherwise_than_with_a_validation_error(value):
    field = FrenchPhoneNumberField(required=False)
    try:
        cleaned = field.clean(value)
    except ValidationError:
        return
    # Accepted: empty, or a valid number of a French region.
    if cleaned:
        assert phonenumbers.is_valid_number(cleaned)
        assert phonenumbers.region_code_for_number(cleaned) in FRENCH_PHONE_REGIONS


NUMBER_TYPES = [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE]


ALL_FRENCH_REGIONS = tuple(sorted(FRENCH_PHONE_REGIONS))


@st.composite
def french_numbers(draw, regions=ALL_FRENCH_REGIONS):
    """A valid number of a French region: an example number with its last digits redrawn."""
    region = draw(st.sampled_from(regions))
    number_type = draw(st.sampled_from(NUMBER_TYPES))
    example_number = phonenumbers.example_number_for_type(region, number_type)
    assume(example_number is not None)
    national = str(example_number.national_number)
    kept = draw(st.integers(min_value=max(len(national) - 4, 1), max_value=len(national)))
    tail = draw(st.text("0123456789", min_size=len(national) - kept, max_size=len(national) - kept))
    number = phonenumbers.parse(f"+{example_number.country_code}{national[:kept]}{tail}")
    assume(phonenumbers.is_valid_number(number))
    assume(phonenumbers.region_code_for_number(number) in FRENCH_PHONE_REGIONS)
    return number


def spellings(number, international_only: bool) -> list[str]:
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    written = [e164, international, "00" + e164[1:], international.replace(" ", ".")]
    if not international_only:
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        written += [national, national.replace(" ", ""), national.replace(" ", ".")]
    return written


@PROPERTY
@given(french_numbers(), st.sampled_from(["", " ", "  "]))
def test_valid_french_numbers_in_international_form_round_trip_to_e164(number, padding):
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    field = FrenchPhoneNumberField()
    for written in spellings(number, international_only=True):
        cleaned = field.clean(padding + written + padding)
        assert cleaned.as_e164 == e164, written
        assert field.clean(cleaned.as_e164).as_e164 == e164


@PROPERTY
@given(french_numbers(regions=["FR"]))
def test_valid_metropolitan_numbers_as_dialled_in_france_round_trip_to_e164(number):
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    field = FrenchPhoneNumberField()
    for written in spellings(number, international_only=False):
        assert field.clean(written).as_e164 == e164, written


# --- normalize_commune_name ----------------------------------------------------------------

commune_like = st.text(
    alphabet=st.sampled_from(list("abcdeéèêëîïôöûüçœæÿAÉÈÎŒÆ-' stSTe.,()0123456789’")),
    max_size=60,
)


@PROPERTY
@given(st.one_of(st.text(max_size=120), commune_like))
@example("Ste-Anne-d'Auray")
@example("L'Haÿ-les-Roses")
@example("ﬁ ǅ ẞ Ⅸ ℌ ſt")
def test_normalized_commune_names_are_idempotent_plain_and_single_spaced(text):
    normalized = normalize_commune_name(text)
    assert normalize_commune_name(normalized) == normalized
    assert re.fullmatch(r"[a-z0-9 ]*", normalized)
    assert "  " not in normalized
    assert normalized == normalized.strip()


@PROPERTY
@given(st.sampled_from(["St", "ST", "Ste", "Sts", "Stes"]), commune_like)
def test_saint_abbreviations_meet_the_spelled_out_name(abbreviation, rest):
    spelled = {"st": "Saint", "ste": "Sainte", "sts": "Saints", "stes": "Saintes"}
    full = spelled[abbreviation.lower()]
    assert normalize_commune_name(f"{abbreviation}-{rest}") == normalize_commune_name(
        f"{full}-{rest}"
    )


# --- size_tier ------------------------------------------------------------------------------

populations = st.integers(min_value=0, max_value=20_000_000)


@PROPERTY
@given(populations, populations)
def test_size_tier_is_monotonic_in_population(a, b):
    low, high = sorted((a, b))
    assert size_tier(low).number <= size_tier(high).number


@PROPERTY
@given(populations)
def test_population_lies_within_the_bounds_of_its_tier(population):
    tier = size_tier(population)
    assert tier.lowest <= population
    assert tier.highest is None or population <= tier.highest


def test_size_tiers_are_contiguous_from_zero_without_gap_or_overlap():
    assert SIZE_TIERS[0].lowest == 0
    assert [tier.number for tier in SIZE_TIERS] == [1, 2, 3, 4]
    for lower, upper in pairwise(SIZE_TIERS):
        assert lower.highest is not None
        assert upper.lowest == lower.highest + 1
    assert SIZE_TIERS[-1].highest is None


@pytest.mark.parametrize(
    ("population", "tier"),
    [(39_999, 1), (40_000, 2), (79_999, 2), (80_000, 3), (175_000, 3), (175_001, 4)],
)
def test_size_tier_bounds_of_the_aci(population, tier):
    assert size_tier(population).number == tier


@PROPERTY
@given(st.integers(max_value=-1))
def test_negative_population_is_refused(population):
    with pytest.raises(ValueError):
        size_tier(population)
