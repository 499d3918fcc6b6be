"""Small helpers of the public pages' templates: dates as readers write them, links that keep the list's
filters, and names of the fields an amendment changed."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from .. import history
from ..display import long_date
from ..models import License

register = template.Library()


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
    """An authority's or operator's registered name; on English pages its English name too."""
    if party is None:
        return ""
    if party.name_en and get_language() == "en" and party.name_en != party.name:
        return format_html('{} <span class="name-en" lang="en">{}</span>', party.name, party.name_en)
    return party.name


@register.filter
def adds_status(event):
    """Whether a status tag says more than the event's heading ("Came into force" + Active), rather than
    repeating it ("Expired" + Expired)."""
    if not event.to_status or event.from_status == event.to_status:
        return False
    return str(history.heading(event)) != str(event.get_to_status_display())


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
