"""Chinese public identifiers: the Unified Social Credit Code and administrative division codes.

- Unified Social Credit Code (统一社会信用代码, USCC), GB 32100-2015: 18 characters, the last a
  mod-31 check character over the first 17.
- Administrative division codes (行政区划代码), GB/T 2260: 6 digits, province / prefecture / county.

Validators raise ``django.core.exceptions.ValidationError`` with a stable ``code`` so that forms, the
API and tests can tell the failures apart without parsing (translated) message text.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .choices import DivisionLevel
from .inputs import whole_number

__all__ = [
    "NATIONAL_DIVISION_CODE",
    "PROVINCE_PREFIXES",
    "USCC_CHARSET",
    "USCC_LENGTH",
    "USCC_WEIGHTS",
    "clean_division_code",
    "clean_uscc",
    "division_covers",
    "division_level",
    "division_prefix",
    "is_valid_division_code",
    "is_valid_uscc",
    "normalize_division_code",
    "normalize_uscc",
    "strip_invisible",
    "uscc_check_character",
    "validate_division_code",
    "validate_uscc",
]

# --- Shared normalisation -------------------------------------------------------------------------

# Full-width ASCII forms (U+FF01..U+FF5E) sit exactly 0xFEE0 above their ASCII twins. Codes typed with a
# Chinese IME often come out full-width. A targeted map rather than NFKC keeps look-alikes such as
# superscripts or Roman-numeral signs from silently turning into valid characters.
_FULLWIDTH_TO_ASCII = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}

# Invisible format characters (Unicode category Cf) that str.isspace() misses: what copy-paste from web
# pages and PDFs carries along (zero-width space/joiners, word joiner, byte-order mark, soft hyphen), and
# the bidirectional controls, with which a name can be made to read otherwise than it is stored
# (U+202E, RIGHT-TO-LEFT OVERRIDE, followed by "lanigiro", shows "original"). Tag characters
# (U+E0001, U+E0020..U+E007F) too. Not the Arabic number signs, which are visible.
_INVISIBLE = frozenset(
    "\u00ad\u061c\u180e"
    + "".join(chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065)))
    + "".join(chr(c) for c in (*range(0x2066, 0x2070), 0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB, 0xE0001))
    + "".join(chr(c) for c in range(0xE0020, 0xE0080))
)


def strip_invisible(value: str | None) -> str:
    """`value` without invisible format characters (bidirectional controls, zero-width characters): what
    names and titles are stored as, so that a page shows what the record holds. ``None`` gives ``""``."""
    if not value:
        return value or ""
    return "".join(c for c in value if c not in _INVISIBLE) if any(c in _INVISIBLE for c in value) else value


# Codes are commonly printed in groups ("9111-0000-…"); strip the separators people actually use:
# ASCII hyphen-minus, full-width hyphen, Unicode hyphens, en/em dash and the minus sign.
_SEPARATORS = frozenset("-\uff0d\u2010\u2011\u2013\u2014\u2212")


def _display_chars(chars: str) -> str:
    """Name each distinct character once, in order; invisible ones by code point so the user can find them."""
    seen: list[str] = []
    for char in chars:
        if char not in seen:
            seen.append(char)
    return ", ".join(f"'{c}'" if c.isprintable() else f"U+{ord(c):04X}" for c in seen)


# --- Unified Social Credit Code -------------------------------------------------------------------

USCC_LENGTH = 18

# The 31 symbols of GB 32100-2015: digits and capitals without I, O, S, V, Z (too easily confused
# with 1, 0, 5, U and 2). A symbol's value is its index.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {char: value for value, char in enumerate(USCC_CHARSET)}
_USCC_NEVER_USED = "IOSVZ"

# W[i] = 3**i mod 31, as tabulated in the standard.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_uscc(value: str | None) -> str:
    """Return ``value`` as a canonical USCC string: no spaces or hyphens, half-width, upper-case.

    Only the presentation is changed; the result may still be invalid. ``None`` gives ``""``.
    """
    if value is None:
        return ""
    text = str(value).translate(_FULLWIDTH_TO_ASCII)
    # U+3000 (ideographic space) maps to nothing above, but isspace() covers it.
    kept = (c for c in text if not c.isspace() and c not in _INVISIBLE and c not in _SEPARATORS)
    return "".join(kept).upper()


def uscc_check_character(first17: str) -> str:
    """Return the check character (position 18) for the first 17 characters of a USCC.

    Expects exactly 17 characters from ``USCC_CHARSET`` (already normalised); raises ``ValueError``
    otherwise, because a check character over anything else is meaningless.
    """
    if not isinstance(first17, str) or len(first17) != USCC_LENGTH - 1:
        raise ValueError(f"expected a string of {USCC_LENGTH - 1} characters, got {first17!r}")
    bad = [c for c in first17 if c not in _USCC_VALUES]
    if bad:
        raise ValueError(f"characters outside the USCC charset: {_display_chars(''.join(bad))}")
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str | None) -> None:
    """Django validator for a Unified Social Credit Code; normalises before checking.

    Error codes: ``uscc_length``, ``uscc_forbidden_char``, ``uscc_region``, ``uscc_check``. Length and
    character problems are reported together; the region and check character are only judged once
    the code is otherwise well-formed, since a check mismatch on a malformed code would be noise.

    Positions 1-2 (registering authority and entity type) are only required to be in the charset:
    new type codes appear over time and rejecting them would block real organisations. The inner
    GB 11714 organisation-code check (positions 9-17) is deliberately not verified.
    """
    code = normalize_uscc(value)
    errors: list[ValidationError] = []

    if len(code) != USCC_LENGTH:
        errors.append(
            ValidationError(
                ngettext_lazy(
                    "A Unified Social Credit Code has 18 characters, but %(count)d was given "
                    "(not counting spaces and hyphens).",
                    "A Unified Social Credit Code has 18 characters, but %(count)d were given "
                    "(not counting spaces and hyphens).",
                    "count",
                ),
                code="uscc_length",
                params={"count": len(code)},
            )
        )

    bad = "".join(c for c in code if c not in _USCC_VALUES)
    if bad:
        errors.append(
            ValidationError(
                _(
                    "The code contains %(chars)s, which a Unified Social Credit Code never uses: it has "
                    "only digits and capital letters, and never the letters I, O, S, V or Z."
                ),
                code="uscc_forbidden_char",
                params={"chars": _display_chars(bad)},
            )
        )

    if errors:
        raise ValidationError(errors[0] if len(errors) == 1 else errors)

    region = code[2:8]
    if not region.isascii() or not region.isdigit():
        raise ValidationError(
            _(
                "Characters 3 to 8 of a Unified Social Credit Code are the administrative division "
                "code and must be 6 digits, not '%(region)s'."
            ),
            code="uscc_region",
            params={"region": region},
        )

    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character should be '%(expected)s', not '%(given)s'. "
                "One of the first 17 characters is probably mistyped."
            ),
            code="uscc_check",
            params={"expected": expected, "given": code[17]},
        )


def is_valid_uscc(value: str | None) -> bool:
    """Whether ``value`` is a valid USCC once normalised."""
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True


def clean_uscc(value: str | None) -> str:
    """Normalise and validate ``value``; return the canonical code or raise ``ValidationError``."""
    code = normalize_uscc(value)
    validate_uscc(code)
    return code


# --- Administrative division codes (GB/T 2260) ----------------------------------------------------

# Used by bodies with nationwide jurisdiction (and in the USCC of central registrations); it is not a
# GB/T 2260 entry, so it is allowed explicitly rather than by prefix.
NATIONAL_DIVISION_CODE = "100000"

# Province-level prefixes of GB/T 2260, including Taiwan (71), Hong Kong (81) and Macao (82).
PROVINCE_PREFIXES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip

_DIVISION_LENGTH = 6


def normalize_division_code(value: str | None) -> str:
    """Return ``value`` without whitespace and with full-width digits made ASCII; ``None`` gives ``""``."""
    if value is None:
        return ""
    text = str(value).translate(_FULLWIDTH_TO_ASCII)
    return "".join(c for c in text if not c.isspace() and c not in _INVISIBLE)


def validate_division_code(value: str | None) -> None:
    """Django validator for a GB/T 2260 division code; normalises before checking.

    Error codes: ``division_length``, ``division_not_digits``, ``division_unknown_province``.
    """
    code = normalize_division_code(value)
    if len(code) != _DIVISION_LENGTH:
        raise ValidationError(
            ngettext_lazy(
                "An administrative division code has 6 digits, but %(count)d character was given.",
                "An administrative division code has 6 digits, but %(count)d characters were given.",
                "count",
            ),
            code="division_length",
            params={"count": len(code)},
        )
    # isdigit() alone would accept other scripts' digits (e.g. Arabic-Indic), hence the ASCII filter.
    bad = "".join(c for c in code if not (c.isascii() and c.isdigit()))
    if bad:
        raise ValidationError(
            _("An administrative division code contains only digits; %(chars)s is not allowed."),
            code="division_not_digits",
            params={"chars": _display_chars(bad)},
        )
    if code != NATIONAL_DIVISION_CODE and code[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(
            _(
                "'%(prefix)s' is not a province-level prefix, so '%(code)s' is not a GB/T 2260 "
                "division code (use %(national)s for the whole country)."
            ),
            code="division_unknown_province",
            params={"prefix": code[:2], "code": code, "national": NATIONAL_DIVISION_CODE},
        )


def is_valid_division_code(value: str | None) -> bool:
    """Whether ``value`` is a valid division code once normalised."""
    try:
        validate_division_code(value)
    except ValidationError:
        return False
    return True


def clean_division_code(value: str | None) -> str:
    """Normalise and validate ``value``; return the canonical code or raise ``ValidationError``."""
    code = normalize_division_code(value)
    validate_division_code(code)
    return code


def _checked_division_code(code: str) -> str:
    # The derivation helpers run on stored, already validated codes; a bad code here is a programming
    # error, so it surfaces as ValueError instead of a form-style ValidationError.
    normalized = normalize_division_code(code)
    if not is_valid_division_code(normalized):
        raise ValueError(f"not a valid administrative division code: {code!r}")
    return normalized


def division_level(code: str) -> DivisionLevel:
    """The administrative level a division code denotes, read from its trailing zeros."""
    code = _checked_division_code(code)
    if code == NATIONAL_DIVISION_CODE:
        return DivisionLevel.NATIONAL
    if code.endswith("0000"):
        return DivisionLevel.PROVINCIAL
    if code.endswith("00"):
        return DivisionLevel.PREFECTURE
    return DivisionLevel.COUNTY


def division_prefix(code: str) -> str:
    """The prefix shared by every code within the jurisdiction of ``code``.

    National gives ``""`` (covers everything), provincial '330000' gives '33', prefecture '330100'
    gives '3301', and a county gives its full code (it covers only itself).
    """
    level = division_level(code)
    code = normalize_division_code(code)
    return {
        DivisionLevel.NATIONAL: "",
        DivisionLevel.PROVINCIAL: code[:2],
        DivisionLevel.PREFECTURE: code[:4],
        DivisionLevel.COUNTY: code,
    }[level]


def searched_prefix(value: str) -> str | None:
    """A division searched for (the `division` filter of the API, a webhook's) as a code prefix: digits
    as given ("33", "3301"), or a whole code taken as the jurisdiction it names ("330000" covers 33xxxx,
    "330100" covers 3301xx, "100000" everything). None when it is not up to 6 digits."""
    if len(value) > 6 or whole_number(value) is None:
        return None
    if len(value) < 6:
        return value
    if value == NATIONAL_DIVISION_CODE:
        return ""
    return value[:2] if value.endswith("0000") else value[:4] if value.endswith("00") else value


def division_covers(authority_code: str, other_code: str) -> bool:
    """Whether the division ``other_code`` lies within the jurisdiction of ``authority_code``."""
    return _checked_division_code(other_code).startswith(division_prefix(authority_code))


# Names -------------------------------------------------------------------------------------------------

# Punctuation that varies between writings of one name: brackets in either width, middle dots, dashes.
_NAME_NOISE = frozenset("()（）[]【】·・.,，。、-－—–_'\"“”‘’&＆")


def normalize_name(value: str | None) -> str:
    """A key under which writings of one organisation's name meet: "阿里健康（杭州）" and "阿里健康(杭州) "
    and "Ali  Health" vs "ali health" compare equal. Full-width forms become half-width, case is folded,
    and spaces, bracket or dash punctuation and invisible characters (bidirectional controls, zero-width
    characters) are dropped."""
    if not value:
        return ""
    text = str(value).translate(_FULLWIDTH_TO_ASCII).replace("\u3000", " ").casefold()
    return "".join(c for c in text if not c.isspace() and c not in _NAME_NOISE and c not in _INVISIBLE)
