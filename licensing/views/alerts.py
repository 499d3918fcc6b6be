"""Email alerts (licensing.alerts): the "Get alerts" form of license, operator, authority and search pages,
the confirmation and unsubscribe links of the emails, and the page that manages an address's alerts.

No page shows whether an address is subscribed: the answer to the form is the same page whatever the
address's state. The pages reached by a signed link are not indexed. The unsubscribe address takes a POST
without a CSRF token: mail clients send one with List-Unsubscribe=One-Click (RFC 8058); it is signed,
and unsubscribing twice is harmless. A GET of it (a link scanner, a click) only shows the button."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import alerts
from ..choices import AlertTarget
from ..forms import saved_search_query
from ..inputs import control_character
from .throttling import AlertThrottle, over_the_rate


class AlertForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send a link to confirm it first. The address is never published."),
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)
    target = forms.ChoiceField(choices=AlertTarget.choices, widget=forms.HiddenInput)
    key = forms.CharField(max_length=500, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if "target" in data and "key" in data:
            key = data["key"]
            if data["target"] == AlertTarget.SEARCH and not control_character(key):
                key = saved_search_query(key)
            data["found"] = None if control_character(key) else alerts.find_target(data["target"], key)
            if data["found"] is None:
                raise forms.ValidationError(_("There is nothing to follow here any more."))
        return data


def _page(request, template, context=None, status=200):
    return render(request, f"licensing/{template}.html", context or {}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    if request.method != "POST":
        initial = {"language": get_language(), **request.GET.dict()}
        form = AlertForm(initial=initial)
        return _page(request, "alert_form", {"form": form})
    if refused := over_the_rate(request, AlertThrottle()):
        return refused
    form = AlertForm(request.POST)
    if not form.is_valid():
        return _page(request, "alert_form", {"form": form}, status=400)
    data = form.cleaned_data
    alerts.subscribe(data["email"], data["language"], data["found"])
    return _page(request, "alert_requested", {"days": settings.ALERT_CONFIRM_DAYS})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    return _signed_button(
        request, token, alerts.confirming, alerts.confirm, "alert_confirm", "alert_confirmed"
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    return _signed_button(
        request, token, alerts.unsubscribing, alerts.unsubscribe, "alert_unsubscribe", "alert_unsubscribed"
    )


def _signed_button(request, token, read, act, ask, done):
    """A signed link of the emails: a GET shows the button (`ask`), which POSTs to act; then `done`."""
    try:
        if request.method != "POST":
            read(token)
            return _page(request, ask, {"token": token})
        subscription = act(token)
    except alerts.BadToken as error:
        return _page(request, "alert_bad_link", {"expired": error.expired}, status=400)
    return _page(request, done, {"manage": _path(alerts.links(subscription)["manage"])})


@require_http_methods(["GET", "HEAD"])
def manage(request, token):
    try:
        email, subscriptions = alerts.managed_by(token)
    except alerts.BadToken:
        return _page(request, "alert_bad_link", {"expired": False}, status=400)
    rows = [
        {
            "subscription": subscription,
            **alerts.describe(subscription),
            "unsubscribe": _path(alerts.links(subscription)["unsubscribe"]),
        }
        for subscription in subscriptions
    ]
    return _page(request, "alert_manage", {"email": email, "rows": rows})


def _path(url: str) -> str:
    """A link of the emails (absolute, to SITE_URL) as a path on this site."""
    return urlsplit(url).path
