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
from ..models import AlertSubscription
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
            data["found"] = _target(data["target"], data["key"])
            if data["found"] is None:
                raise forms.ValidationError(_("There is nothing to follow here any more."))
        return data


def _target(kind: str, key: str) -> alerts.Target | None:
    """What a form follows: a public record by its key, or a search of the list in its one spelling."""
    if control_character(key):
        return None
    if kind == AlertTarget.SEARCH:
        key = saved_search_query(key)
    return alerts.find_target(kind, key)


def _page(request, template, context=None, status=200):
    return render(request, f"licensing/{template}.html", context or {}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    if request.method == "POST":
        if refused := over_the_rate(request, AlertThrottle()):
            return refused
        form = AlertForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            alerts.subscribe(data["email"], data["language"], data["found"])
            return _page(request, "alert_requested", {"days": settings.ALERT_CONFIRM_DAYS})
        found = form.cleaned_data.get("found")
    else:
        # The form on a page of its own: what it follows is in the query string, as the pages' form has it.
        form = AlertForm(initial={"language": get_language(), **request.GET.dict()})
        found = _target(request.GET.get("target", ""), request.GET.get("key", ""))
    context = {"form": form}
    if found is not None:
        subscription = AlertSubscription(target=found.kind, target_id=found.pk, query=found.query)
        about = alerts.describe(subscription)
        context.update(subscription=subscription, followed_name=about["followed_name"])
        context["followed_url"] = _path(about["followed_url"])
    return _page(request, "alert_form", context, status=400 if request.method == "POST" else 200)


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
    """A link of the emails (absolute, to SITE_URL) as an address on this site."""
    return urlsplit(url)._replace(scheme="", netloc="").geturl()
