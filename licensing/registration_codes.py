"""Registration query codes (登记结果查询码): the one format this registry issues.

The national coding rule of the National Data Administration (登记办法 Art. 13-14) is not published, so
the registry issues codes of its own, documented here and on the lookup page, and unique:

    DJ-{division}-{year}-{kind}{sequence}-{check}      e.g. DJ-330100-2026-R000001-4

- DJ: 登记 (registration);
- division: the GB/T 2260 code of the license's lead grantor (6 digits);
- year: the year the code is issued;
- kind: R for a data resource, P for a product or service;
- sequence: 6 digits, one series per division and year (shared by both kinds);
- check: ISO 7064 MOD 11-2 over the 17 digits division + year + kind digit (R=1, P=2) + sequence, as on
  a resident identity card (0-9 or X): a mistyped code is told apart from one that does not exist.
"""

import re

from django.utils.translation import gettext_lazy as _

from .choices import RegistrationKind

KIND_LETTERS = {RegistrationKind.DATA_RESOURCE: "R", RegistrationKind.PRODUCT_SERVICE: "P"}
KIND_DIGITS = {"R": "1", "P": "2"}
CODE_PATTERN = r"DJ-[0-9]{6}-[0-9]{4}-[RP][0-9]{6}-[0-9X]"
EXAMPLE = "DJ-330100-2026-R000001-4"


def check_character(digits: str) -> str:
    """ISO 7064 MOD 11-2 check character of a string of digits."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2 % 11
    return "0123456789X"[(12 - total) % 11]


def _digits(division: str, year: str, letter: str, sequence: str) -> str:
    return f"{division}{year}{KIND_DIGITS[letter]}{sequence}"


def format_code(division_code: str, year: int, kind: str, seq: int) -> str:
    letter = KIND_LETTERS[RegistrationKind(kind)]
    sequence = f"{seq:06d}"
    check = check_character(_digits(division_code, f"{year:04d}", letter, sequence))
    return f"DJ-{division_code}-{year:04d}-{letter}{sequence}-{check}"


def normalize(value: str) -> str:
    """A code as typed: spaces removed, upper case (x and X are the same check character)."""
    return re.sub(r"\s+", "", value or "").upper()


MAX_TYPED = 40


def parse(typed: str) -> tuple[str, str | None]:
    """A code as typed: (normalized, why it cannot be a code or None). For the lookup page and the API."""
    code = normalize(typed)
    if len(code) > MAX_TYPED:
        return code, _("A query code looks like %(example)s.") % {"example": EXAMPLE}
    return code, code_error(code)


def code_error(value: str):
    """Why `value` (normalized) is not a code this registry could have issued, or None."""
    if not re.fullmatch(CODE_PATTERN, value):
        return _("A query code looks like %(example)s.") % {"example": EXAMPLE}
    _prefix, division, year, body, check = value.split("-")
    if check_character(_digits(division, year, body[0], body[1:])) != check:
        return _("The code's check character does not match: check it for a typing error.")
    return None
