"""What the registry accepts from outside, at the edge: whole numbers, characters and JSON nesting.

- Whole numbers (page numbers, sizes, ids, years, versions) are ASCII digits only. str.isdigit() also
  accepts "²" (which int() refuses) and other scripts' digits (which int() reads), and int() refuses
  strings of more than 4,300 digits: each of those was once a 500.
- Control characters: PostgreSQL cannot store or compare a NUL, and XML 1.0 (the Atom feeds) cannot
  carry any C0 control character but tab, line feed and carriage return. registry.middleware refuses
  them in every path, query string, form and JSON body, so no view, filter or form meets one.
- JSON nesting: a request body nested deeper than any real one is refused before it costs a parser's
  recursion (100,000 levels used to end in a RecursionError).
"""

import json
import re
from collections.abc import Iterator

# Longer than any id, year, page or version the registry gives out (a 64-bit integer has 19 digits),
# short enough that int() never works on a long string.
MAX_DIGITS = 18

# C0 controls but tab, line feed and carriage return: the characters XML 1.0 forbids (NUL among them).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

# The deepest JSON body accepted. The API's bodies are objects of scalars and lists (depth 2); a little
# room for what clients wrap around them.
MAX_JSON_DEPTH = 32


def whole_number(value, *, minimum: int = 0, maximum: int | None = None) -> int | None:
    """`value` as an int when it is 1 to MAX_DIGITS ASCII digits within [minimum, maximum], else None."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_DIGITS:
        return None
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        return None
    return number


def control_character(text: str) -> str | None:
    """The first refused control character in `text`, written as U+XXXX, or None."""
    found = CONTROL_CHARACTERS.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


class JSONRefused(ValueError):
    """A JSON body refused at the edge: `where` names the field ("" for the body as a whole)."""

    def __init__(self, where: str, problem: str):
        super().__init__(problem)
        self.where = where
        self.problem = problem


def check_json(body: bytes | str) -> None:
    """Raise JSONRefused when the JSON `body` nests deeper than MAX_JSON_DEPTH or carries a control
    character in a key or a string. A body that is not JSON at all is left to the API's parser (which
    answers it with its own 400)."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise JSONRefused("", "nested") from None
    except ValueError:
        return
    for where, depth, text in _walk(data):
        if depth > MAX_JSON_DEPTH:
            raise JSONRefused(where, "nested")
        if text is not None and (character := control_character(text)):
            raise JSONRefused(where, character)


def _walk(data) -> Iterator[tuple[str, int, str | None]]:
    """(path, depth, text) for every value and key of `data`, without recursion (the path as the API's
    errors name nested fields: "source_urls.0")."""
    stack = [("", 0, data)]
    while stack:
        where, depth, value = stack.pop()
        yield where, depth, value if isinstance(value, str) else None
        if isinstance(value, dict):
            for key, item in value.items():
                # A key is named by where it sits: the key itself may be what is refused.
                yield where, depth + 1, key
                path = f"{where}.{key}" if where else key
                stack.append((path, depth + 1, item))
        elif isinstance(value, list):
            stack.extend(
                (f"{where}.{i}" if where else str(i), depth + 1, item) for i, item in enumerate(value)
            )
