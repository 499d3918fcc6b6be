"""Small helpers of the public pages' templates: dates as readers write them, links that keep the list's
filters, and names of the fields an amendment changed."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.html import escape as escape_html
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from .. import history, languages
from ..display import long_date
from ..models import License

register = template.Library()

LANGUAGE_NOTES = {
    languages.CHINESE: lambda: gettext("(in Chinese)"),
    languages.ENGLISH: lambda: gettext("(in English)"),
}


@register.filter
def recorded_text(text):
    """The plain text of `recorded` (for a link's text or a title): the reader's language where the
    record has it, else the whole text."""
    return languages.in_reader_language(str(text or ""))


@register.simple_tag
def recorded(text, lines=False):
    """A recorded free text (title, scope, remarks, reason...) in the reader's language where the record
    has it (licensing.languages); else as recorded, in an element with its lang attribute and a visible
    note of its language. `lines`: keep the text's line breaks."""
    shown = languages.for_reader(str(text or ""))
    if not shown.segments:
        return ""

    def body(run):
        html = escape_html(run.text)
        return mark_safe(html.replace("\n", "<br>")) if lines else html  # noqa: S308 (escaped above)

    marked = shown.other_language
    html = format_html_join(
        " ",
        "{}",
        (
            (format_html('<span lang="{}">{}</span>', run.language, body(run)),)
            if marked and run.language
            else (body(run),)
            for run in shown.segments
        ),
    )
    if marked:
        html = format_html('{} <span class="lang-note">{}</span>', html, LANGUAGE_NOTES[marked]())
    return html


register.filter("long_date", long_date)


@register.filter
def http_url(value):
    """`value` if it is an http(s) address, else "": a stored address never becomes a javascript: link,
    whatever path it was written by."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


@register.simple_tag(takes_context=True)
def with_page(context, number):
    """The current address's query string with `page` set to `number` (the other parameters kept)."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.filter
def field_label(name):
    """The label of a License field named in an amendment's diff (the name itself if it is not one)."""
    try:
        return License._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


@register.filter
def event_heading(event):
    return history.heading(event)


@register.simple_tag
def party_name(party):
    """An authority's or operator's registered name, marked with its language where that is not the
    page's; on English pages its English name too."""
    if party is None:
        return ""
    name = name_in_its_language(party.name)
    if party.name_en and get_language() == "en" and party.name_en != party.name:
        return format_html('{} <span class="name-en" lang="en">{}</span>', name, party.name_en)
    return name


@register.simple_tag
def name_in_its_language(name):
    """A proper name as recorded (never translated), with the lang attribute of its language where that
    is not the page's, so that screen readers read it right."""
    language = languages.language_of(name or "")
    if language and language != languages.page_language():
        return format_html('<span lang="{}">{}</span>', language, name)
    return name or ""


@register.simple_tag
def event_when(event):
    """The day `event` took effect (as last corrected), as a <time>; where it was recorded more than a
    day later, the day it was recorded too: "29 September 2022, recorded 1 December 2026"."""
    effective = format_html(
        '<time datetime="{}">{}</time>', event.effective_on.isoformat(), long_date(event.effective_on)
    )
    recorded = history.recorded_on(event)
    if recorded is None:
        return effective
    return format_html(
        # Translators: when an event took effect, then the day the registry recorded it.
        gettext("{effective}, recorded {recorded}"),
        effective=effective,
        recorded=format_html(
            '<time class="recorded" datetime="{}">{}</time>', recorded.isoformat(), long_date(recorded)
        ),
    )


@register.filter
def local_day(moment):
    """The registry's day (Asia/Shanghai) of a recorded moment."""
    return timezone.localdate(moment) if moment else None


@register.filter
def correction_summary(correction):
    return history.correction_summary(correction)
