"""USCC (GB 32100-2015) and GB/T 2260 division codes: normalisation, validation, jurisdiction."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from licensing.choices import DivisionLevel
from licensing.identifiers import (
    NATIONAL_DIVISION_CODE,
    USCC_CHARSET,
    USCC_WEIGHTS,
    clean_division_code,
    clean_uscc,
    division_covers,
    division_level,
    division_prefix,
    is_valid_division_code,
    is_valid_uscc,
    normalize_division_code,
    normalize_uscc,
    uscc_check_character,
    validate_division_code,
    validate_uscc,
)

VALID = "91110000600037341L"


def errors_of(validator, value) -> list[tuple[str, str]]:
    """(code, English message) for every error ``validator`` raises on ``value``; fails if none."""
    with pytest.raises(ValidationError) as info, translation.override("en"):
        validator(value)
    with translation.override("en"):
        return [(e.code, " ".join(e.messages)) for e in info.value.error_list]


def single_error(validator, value) -> tuple[str, str]:
    errors = errors_of(validator, value)
    assert len(errors) == 1, errors
    return errors[0]


# --- USCC: constants and check character --------------------------------------------------------


def test_charset_and_weights_match_the_standard():
    assert len(USCC_CHARSET) == 31
    assert not set("IOSVZ") & set(USCC_CHARSET)
    assert list(USCC_WEIGHTS) == [3**i % 31 for i in range(17)]
    assert list(USCC_WEIGHTS) == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def test_check_character_of_known_vector():
    assert uscc_check_character(VALID[:17]) == "L"


@pytest.mark.parametrize(
    "bad",
    ["", "9111000060003734", "911100006000373410", "9111000060003734I", "9111000060003734l", None, 123],
)
def test_check_character_rejects_bad_input(bad):
    with pytest.raises(ValueError, match=r"17 characters|charset"):
        uscc_check_character(bad)


def test_appending_the_check_character_makes_random_bodies_valid():
    rng = random.Random(20150101)
    for _ in range(200):
        # Positions 3-8 must be digits; the rest is any charset symbol.
        body = (
            "".join(rng.choices(USCC_CHARSET, k=2))
            + "".join(rng.choices("0123456789", k=6))
            + "".join(rng.choices(USCC_CHARSET, k=9))
        )
        check = uscc_check_character(body)
        assert check in USCC_CHARSET
        assert is_valid_uscc(body + check), body + check
        for other in USCC_CHARSET.replace(check, ""):
            assert not is_valid_uscc(body + other), body + other


# --- USCC: validation -----------------------------------------------------------------------------


def test_valid_code_passes():
    validate_uscc(VALID)
    assert is_valid_uscc(VALID)
    assert clean_uscc(VALID) == VALID


@pytest.mark.parametrize("wrong", ["X", "0", "A", "Y"])
def test_wrong_check_character_names_the_expected_one(wrong):
    code, message = single_error(validate_uscc, VALID[:17] + wrong)
    assert code == "uscc_check"
    assert "'L'" in message
    assert f"'{wrong}'" in message


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters_are_rejected(letter):
    value = VALID[:10] + letter + VALID[11:]
    code, message = single_error(validate_uscc, value)
    assert code == "uscc_forbidden_char"
    assert f"'{letter}'" in message
    assert "I, O, S, V or Z" in message


def test_forbidden_characters_are_named_once_each_in_order():
    code, message = single_error(validate_uscc, "9111000060003734ZZ")
    assert code == "uscc_forbidden_char"
    assert "'Z'" in message
    assert message.count("'Z'") == 1


def test_other_unknown_characters_are_named():
    code, message = single_error(validate_uscc, "91110000600037341*")
    assert code == "uscc_forbidden_char"
    assert "'*'" in message


@pytest.mark.parametrize(
    "raw",
    [
        "91110000600037341l",  # lower-case check letter
        "９１１１００００６０００３７３４１Ｌ",
        "９１１１００００６０００３７３４１ｌ",
        " 9111 0000 6000 3734 1L ",  # spaced
        "9111\u30000000\u30006000\u300037341L",  # ideographic spaces
        "9111-0000-6000-3734-1L",  # ASCII hyphens
        "9111－0000－6000－3734－1L",
        "9111\u20130000\u20146000-37341L",  # en and em dash
        "\t91110000600037341L\n",
        "\u200b91110000600037341L\ufeff",  # zero-width space and BOM from copy-paste
    ],
)
def test_presentation_variants_normalise_to_the_canonical_code(raw):
    assert normalize_uscc(raw) == VALID
    validate_uscc(raw)
    assert is_valid_uscc(raw)
    assert clean_uscc(raw) == VALID


def test_normalize_none_is_empty():
    assert normalize_uscc(None) == ""


@pytest.mark.parametrize(
    ("value", "count"),
    [
        ("", 0),
        ("9", 1),
        ("91110000600037341", 17),
        ("91110000600037341LL", 19),
        ("9111 0000 6000 3734", 16),  # separators do not count
    ],
)
def test_wrong_length_says_how_many_were_given(value, count):
    code, message = single_error(validate_uscc, value)
    assert code == "uscc_length"
    assert "18" in message
    assert f"{count} " in message
    assert ("was given" if count == 1 else "were given") in message


def test_length_and_character_errors_are_reported_together():
    codes = {code for code, _message in errors_of(validate_uscc, "9111000060003734O")}
    assert codes == {"uscc_length", "uscc_forbidden_char"}


@pytest.mark.parametrize("region", ["11000A", "A10000", "1100XY", "HJKLMN"])
def test_non_digit_region_is_rejected(region):
    body = "91" + region + "600037341"
    value = body + uscc_check_character(body)  # correct check, so only the region is wrong
    code, message = single_error(validate_uscc, value)
    assert code == "uscc_region"
    assert f"'{region}'" in message
    assert "6 digits" in message


def test_unknown_authority_and_type_codes_are_accepted():
    # Positions 1-2 only need to be in the charset; the region may be any six digits.
    for head in ("Y9", "A1", "00"):
        body = head + "990000" + "600037341"
        assert is_valid_uscc(body + uscc_check_character(body))


def test_clean_uscc_raises_on_invalid():
    with pytest.raises(ValidationError):
        clean_uscc("91110000600037341X")


def test_validator_error_messages_are_lazy_translatable():
    # Messages must survive a language switch between raising and rendering.
    with pytest.raises(ValidationError) as info:
        validate_uscc("91110000600037341X")
    with translation.override("en"):
        assert "should be 'L'" in info.value.messages[0]


# --- Division codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("100000", DivisionLevel.NATIONAL),
        ("110000", DivisionLevel.PROVINCIAL),
        ("330000", DivisionLevel.PROVINCIAL),
        ("820000", DivisionLevel.PROVINCIAL),
        ("330100", DivisionLevel.PREFECTURE),
        ("430400", DivisionLevel.PREFECTURE),
        ("330106", DivisionLevel.COUNTY),
        ("110101", DivisionLevel.COUNTY),
        ("429004", DivisionLevel.COUNTY),
    ],
)
def test_valid_division_codes_and_levels(code, level):
    validate_division_code(code)
    assert is_valid_division_code(code)
    assert clean_division_code(code) == code
    assert division_level(code) == level


def test_national_constant():
    assert NATIONAL_DIVISION_CODE == "100000"
    assert division_level(NATIONAL_DIVISION_CODE) == DivisionLevel.NATIONAL


@pytest.mark.parametrize(
    ("value", "error_code", "fragment"),
    [
        ("990000", "division_unknown_province", "'99'"),
        ("000000", "division_unknown_province", "'00'"),
        ("100100", "division_unknown_province", "'10'"),
        ("3301", "division_length", "4 characters"),
        ("3301061", "division_length", "7 characters"),
        ("", "division_length", "0 characters"),
        ("33010a", "division_not_digits", "'a'"),
        ("33-106", "division_not_digits", "'-'"),
        ("33010\u0665", "division_not_digits", "'\u0665'"),  # Arabic-Indic five is not an ASCII digit
    ],
)
def test_invalid_division_codes(value, error_code, fragment):
    code, message = single_error(validate_division_code, value)
    assert code == error_code
    assert fragment in message
    assert not is_valid_division_code(value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("３３０１０６", "330106"),
        (" 330 106 ", "330106"),
        ("３３０\u3000１００", "330100"),
        (None, ""),
    ],
)
def test_division_code_normalisation(raw, expected):
    assert normalize_division_code(raw) == expected
    if expected:
        validate_division_code(raw)
        assert clean_division_code(raw) == expected


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("100000", ""),
        ("330000", "33"),
        ("330100", "3301"),
        ("330106", "330106"),
        ("３３０１００", "3301"),
    ],
)
def test_division_prefix(code, prefix):
    assert division_prefix(code) == prefix


@pytest.mark.parametrize(
    ("authority", "other", "covered"),
    [
        ("100000", "430400", True),
        ("100000", "330106", True),
        ("100000", "100000", True),
        ("330000", "330106", True),
        ("330000", "330000", True),
        ("330000", "430400", False),
        ("330000", "100000", False),
        ("330100", "330106", True),
        ("330100", "330100", True),
        ("330100", "330200", False),
        ("330100", "330000", False),
        ("330106", "330106", True),
        ("330106", "330107", False),
        ("330106", "330100", False),
    ],
)
def test_division_covers(authority, other, covered):
    assert division_covers(authority, other) is covered


@pytest.mark.parametrize("helper", [division_level, division_prefix])
@pytest.mark.parametrize("bad", ["990000", "3301", "33010a"])
def test_derivation_helpers_reject_invalid_codes(helper, bad):
    with pytest.raises(ValueError, match="division code"):
        helper(bad)


def test_covers_rejects_invalid_codes():
    with pytest.raises(ValueError, match="division code"):
        division_covers("330000", "990000")
    with pytest.raises(ValueError, match="division code"):
        division_covers("990000", "330106")
