"""How the registry's values read in the active language, wherever they are written: pages (as template
filters), feeds, emails and the sentences the services compose."""

import datetime

from django.utils import formats
from django.utils.translation import get_language, gettext


def long_date(value):
    """A date as the reader's language writes it in running text: "1 October 2025", "2025年10月1日"."""
    if not isinstance(value, datetime.date):
        return ""
    # Translators: the date format of running text, in Django's date format syntax; Chinese: Y年n月j日.
    return formats.date_format(value, gettext("j F Y"))


def in_language(name, name_en):
    """`name_en` on English pages where there is one, else `name` (names recorded in both writings)."""
    return name_en if name_en and (get_language() or "").startswith("en") else name
