"""The admin in zh-hans has no English left from the libraries it is built on.

Why some was: the lookup itself works (LANGUAGE_CODE "zh-hans" maps to the zh_Hans catalogues Django and
this project ship), but Django 6.1's own zh_Hans catalogues lack the strings Django added lately ("Filter
by %(field_name)s" of the date hierarchy, "- Select an option -" of every select), and django-axes ships
no zh_Hans catalogue at all. The project's catalogue (LOCALE_PATHS, read first) fills them. These tests
read the libraries' own sources, so a Django or axes upgrade that adds a string fails here until it is
translated.
"""

from pathlib import Path

import axes
import django
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation

from . import factories

DJANGO = Path(django.__file__).parent
# Django's English catalogues list every string of their domain; the zh_Hans ones, what is translated.
DJANGO_CATALOGUES = [
    DJANGO / "contrib" / "admin" / "locale" / "{}" / "LC_MESSAGES" / "django.po",
    DJANGO / "conf" / "locale" / "{}" / "LC_MESSAGES" / "django.po",
    DJANGO / "contrib" / "auth" / "locale" / "{}" / "LC_MESSAGES" / "django.po",
]
ADMIN_SCRIPTS = DJANGO / "contrib" / "admin" / "locale" / "{}" / "LC_MESSAGES" / "djangojs.po"
OUR_SCRIPTS = Path(settings.BASE_DIR) / "licensing" / "locale" / "zh_Hans" / "LC_MESSAGES" / "djangojs.po"
# Strings that read the same in Chinese.
SAME_IN_CHINESE = {", "}


def _read(path: Path):
    with path.open("rb") as po:
        return read_po(po)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(message.string) and all(strings) and not message.fuzzy


def _django_untranslated(catalogues=DJANGO_CATALOGUES) -> list:
    missing = []
    for pattern in catalogues:
        chinese = _read(Path(str(pattern).format("zh_Hans")))
        for message in _read(Path(str(pattern).format("en"))):
            if not message.id or message.id in SAME_IN_CHINESE:
                continue
            found = chinese.get(message.id, message.context)
            if found is None or not _translated(found):
                missing.append(message)
    return missing


def _axes_strings() -> list[str]:
    found = extract_from_dir(str(Path(axes.__file__).parent), method_map=[("**.py", "python")])
    return sorted({message if isinstance(message, str) else message[0] for _f, _l, message, *_ in found})


def _in_chinese(message) -> list[str]:
    with translation.override("zh-hans"):
        if isinstance(message.id, tuple):
            return [translation.ngettext(message.id[0], message.id[1], n) for n in (1, 2)]
        return [translation.gettext(message.id)]


def test_the_strings_django_leaves_untranslated_are_found():
    # The two of the issue, so that this walk is known to find what it looks for.
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in _django_untranslated()}
    assert {"Filter by %(field_name)s", "- Select an option -"} <= ids


def test_every_django_string_read_in_the_admin_is_translated():
    untranslated = []
    for message in _django_untranslated():
        english = [message.id] if isinstance(message.id, str) else list(message.id)
        if any(chinese in english for chinese in _in_chinese(message)):
            untranslated.append(message.id)
    assert not untranslated, untranslated


def test_every_axes_string_is_translated():
    strings = _axes_strings()
    assert "access attempts" in strings and "IP Address" in strings
    with translation.override("zh-hans"):
        untranslated = [text for text in strings if translation.gettext(text) == text]
    assert not untranslated, untranslated


def test_login_protection_is_named_in_both_languages():
    config = apps.get_app_config("axes")
    with translation.override("zh-hans"):
        assert str(config.verbose_name) == "登录保护"
    with translation.override("en"):
        assert str(config.verbose_name) == "Login protection"
    # The licensing app keeps its own configuration (signals connected in its ready()).
    assert type(apps.get_app_config("licensing")).__name__ == "LicensingConfig"


def test_every_admin_script_string_is_translated():
    """The admin's scripts read their strings from its JavaScript catalogue (domain djangojs), which
    takes the project's djangojs.mo as well: the time-zone note of the date fields, the calendar."""
    mo = OUR_SCRIPTS.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < OUR_SCRIPTS.stat().st_mtime:
        with mo.open("wb") as out:
            write_mo(out, _read(OUR_SCRIPTS))
    catalogue = DjangoTranslation(
        "zh-hans", domain="djangojs", localedirs=[str(DJANGO / "contrib/admin/locale")]
    )
    missing = _django_untranslated([ADMIN_SCRIPTS])
    assert any("timezone" in str(message.id) for message in missing)
    untranslated = []
    for message in missing:
        if isinstance(message.id, tuple):
            chinese = [catalogue.ngettext(message.id[0], message.id[1], n) for n in (1, 2)]
        else:
            chinese = [catalogue.gettext(message.id)]
        english = [message.id] if isinstance(message.id, str) else list(message.id)
        if any(text in english for text in chinese):
            untranslated.append(message.id)
    assert not untranslated, untranslated


@pytest.mark.django_db
def test_the_change_list_in_chinese_has_no_english_from_django(client):
    license = factories.license_in("active", title="地铁客流")
    client.force_login(factories.user("root", is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("admin:licensing_license_changelist")).text
    assert license.number in html
    assert "Filter by" not in html and "Select an option" not in html
    assert "按授权期限截止日筛选" in html and "- 请选择 -" in html
    index = client.get(reverse("admin:index")).text
    assert "登录保护" in index and "访问尝试" in index and "Access attempts" not in index
