"""The zh-hans catalogue: complete, placeholder-safe, and what Django actually serves.

The rendering tests need the compiled catalogue (django.mo, not kept in git). `make test` compiles it
first; run on their own, these tests compile it with Babel when it is missing or older than the .po, the
same way `make messages` does.
"""

import inspect
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.test.signals import setting_changed
from django.utils import translation

from licensing import choices
from licensing.choices import LicenseStatus
from licensing.exceptions import StaleVersion
from licensing.identifiers import validate_uscc

PO_PATH = Path(settings.BASE_DIR) / "licensing" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

HAN = re.compile(r"[\u4e00-\u9fff]")
# %(name)s-style and {name}-style placeholders, with their conversion/format part: a translation must
# keep every one exactly. "%%" is a literal percent sign, not a placeholder.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")

TEXT_CHOICES = sorted(
    (
        cls
        for _name, cls in inspect.getmembers(choices, inspect.isclass)
        if issubclass(cls, models.TextChoices) and cls.__module__ == choices.__name__
    ),
    key=lambda cls: cls.__name__,
)


def read_catalogue():
    with PO_PATH.open("rb") as po:
        return read_po(po, locale="zh_Hans")


def entries(catalogue):
    """The catalogue's messages without the header entry."""
    return [message for message in catalogue if message.id]


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def placeholders(text: str) -> list[str]:
    percent = [p for p in PERCENT_PLACEHOLDER.findall(text) if p != "%%"]
    return sorted(percent + BRACE_PLACEHOLDER.findall(text))


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """Compile django.po when the .mo is missing or stale, and make Django reload its catalogues."""
    if not MO_PATH.exists() or MO_PATH.stat().st_mtime < PO_PATH.stat().st_mtime:
        catalogue = read_catalogue()
        with MO_PATH.open("wb") as mo:
            write_mo(mo, catalogue, use_fuzzy=True)
        # Django caches loaded catalogues; this is how its test tools tell it LOCALE_PATHS changed.
        setting_changed.send(
            sender=settings._wrapped.__class__,
            setting="LOCALE_PATHS",
            value=settings.LOCALE_PATHS,
            enter=False,
        )


# --- What Django serves ------------------------------------------------------------------------------


def test_status_label_in_chinese():
    with translation.override("zh-hans"):
        assert str(LicenseStatus.ACTIVE.label) == "生效中"
        assert str(LicenseStatus.REVOKED.label) == "已撤销"


def test_labels_stay_english_under_en():
    with translation.override("en"):
        assert str(LicenseStatus.ACTIVE.label) == "Active"
        assert str(choices.AuthorizationMode.BY_SCENARIO.label) == "By scenario"


def test_domain_error_renders_in_chinese_with_the_versions():
    # Made outside the override: the message is lazy, so it renders in the language active when shown.
    error = StaleVersion(1, 2)
    with translation.override("zh-hans"):
        message = str(error)
        assert HAN.search(message), message
        assert re.search(r"(?<!\d)1(?!\d)", message) and re.search(r"(?<!\d)2(?!\d)", message), message
        assert "{" not in message, message
        assert [str(m) for m in error.errors["version"]] == [message]
    with translation.override("en"):
        assert str(error).startswith("The license was changed by someone else"), str(error)


def test_uscc_error_renders_in_chinese_naming_the_check_character():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validate_uscc("91110000600037341X")
    assert info.value.code == "uscc_check"
    with translation.override("zh-hans"):
        (message,) = info.value.messages
    assert HAN.search(message), message
    assert "'L'" in message and "'X'" in message, message
    assert "%(" not in message, message


def test_uscc_length_error_uses_the_plural_entry():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validate_uscc("9111")
    with translation.override("zh-hans"):
        (message,) = info.value.messages
    assert info.value.code == "uscc_length"
    assert HAN.search(message) and "4" in message, message


@pytest.mark.parametrize("choices_class", TEXT_CHOICES, ids=lambda cls: cls.__name__)
def test_every_choice_label_is_translated(choices_class):
    catalogue = read_catalogue()
    untranslated = []
    for member in choices_class:
        with translation.override("en"):
            english = str(member.label)
        with translation.override("zh-hans"):
            chinese = str(member.label)
        entry = catalogue.get(english)
        if entry is None:
            untranslated.append(f"{member!r}: {english!r} is not in the catalogue")
        elif chinese == english or not HAN.search(chinese):
            untranslated.append(f"{member!r}: {english!r} renders as {chinese!r} under zh-hans")
        elif chinese != entry.string:
            untranslated.append(f"{member!r}: renders {chinese!r}, the catalogue says {entry.string!r}")
    assert not untranslated, "\n".join(untranslated)


def test_choices_classes_are_found():
    names = {cls.__name__ for cls in TEXT_CHOICES}
    assert {"LicenseStatus", "LicenseAction", "EventAction", "DataDomain", "SelectionMethod"} <= names


# --- The catalogue itself --------------------------------------------------------------------------


def test_catalogue_header():
    assert not read_catalogue().fuzzy, "the header of django.po is marked fuzzy"
    # Read as written: Babel normalises some header values when it parses them.
    header = PO_PATH.read_text(encoding="utf-8").partition("\n\n")[0]
    for line in (
        r'"Language: zh_Hans\n"',
        r'"Plural-Forms: nplurals=1; plural=0;\n"',
        r'"Content-Type: text/plain; charset=UTF-8\n"',
    ):
        assert line in header.splitlines(), f"{line} is missing from the header:\n{header}"


def test_catalogue_is_complete():
    offenders = []
    for message in entries(read_catalogue()):
        if message.fuzzy:
            offenders.append(f"fuzzy: {message.id!r}")
        elif not all(s.strip() for s in strings(message)):
            offenders.append(f"untranslated: {message.id!r}")
    assert not offenders, f"{len(offenders)} entries of {PO_PATH.name} need work:\n" + "\n".join(offenders)


def test_translations_keep_every_placeholder():
    # msgfmt --check only compares entries xgettext flagged; {name!r} templates are never flagged.
    offenders = []
    for message in entries(read_catalogue()):
        expected = placeholders(ids(message)[0])
        for text in strings(message):
            if text and placeholders(text) != expected:
                offenders.append(f"{message.id!r}\n    -> {text!r}: {placeholders(text)} != {expected}")
    assert not offenders, "placeholders differ:\n" + "\n".join(offenders)


def test_catalogue_defines_each_message_once():
    # Babel keeps the last of two entries with the same msgid and msgfmt refuses the file: branches merged
    # with the union driver can leave both.
    text = PO_PATH.read_text(encoding="utf-8")
    defined = len(re.findall(r"^msgid ", text, flags=re.MULTILINE))
    assert defined == len(entries(read_catalogue())) + 1, "a msgid is defined twice (the +1 is the header)"


def test_every_marked_string_in_the_code_is_in_the_catalogue():
    # makemessages needs GNU gettext; Babel's extractor reads the Python sources the same way. (Templates
    # are covered by the pages' rendering tests in Chinese.)
    from babel.messages.extract import extract_from_dir

    keywords = {
        **{name: None for name in ("_", "gettext", "gettext_lazy", "gettext_noop")},
        **{name: (1, 2) for name in ("ngettext", "ngettext_lazy")},
        **{name: ((1, "c"), 2) for name in ("pgettext", "pgettext_lazy")},
        **{name: ((1, "c"), 2, 3) for name in ("npgettext", "npgettext_lazy")},
    }
    catalogue = read_catalogue()
    missing = []
    code = Path(settings.BASE_DIR) / "licensing"
    for filename, _line, message, _comments, context in extract_from_dir(
        code, method_map=[("**.py", "python")], keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if catalogue.get(msgid, context=context) is None:
            missing.append(f"{filename}: {msgid!r}")
    assert not missing, "strings marked for translation but not in the catalogue:\n" + "\n".join(missing)
