"""The registrations' public pages: the registrations under public notice with their last day, a
registration's page with its objection form, and the query-code lookup (登记管理暂行办法 Art. 12-13).

These pages are built for each request (not from the page cache): the notice list is short, and an
objection form carries the visitor's own CSRF token and answers."""


from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from .. import registrations
from ..choices import RegistrationStatus
from ..dates import local_today
from ..exceptions import LicensingError
from ..inputs import control_character
from ..models import Registration, RegistrationEvent
from ..registration_codes import EXAMPLE, parse
from .common import paginate
from .throttling import ObjectionThrottle, over_the_rate, throttled_search


class ObjectionForm(forms.Form):
    name = forms.CharField(
        label=_("Your real name"),
        max_length=100,
        help_text=_("Objections are made under the objector's real name (Art. 12); it is not published."),
    )
    contact = forms.CharField(
        label=_("How to reach you"),
        max_length=200,
        help_text=_("An email address or a telephone number, for the registration body only."),
    )
    reasons = forms.CharField(label=_("Reasons"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    evidence = forms.FileField(
        label=_("Evidence"),
        help_text=_("One PDF, JPEG or PNG file of at most 10 MB."),
    )

    def clean(self):
        data = super().clean()
        for field in ("name", "contact", "reasons"):
            if field in data and (character := control_character(data[field])):
                self.add_error(
                    field, _("Remove the control character %(character)s.") % {"character": character}
                )
        return data

    def clean_evidence(self):
        upload = self.cleaned_data["evidence"]
        errors = registrations.evidence_errors(upload)
        if errors:
            raise forms.ValidationError(errors)
        return upload


def _public(request, pk: int) -> Registration:
    registration = registrations.shown(registrations.visible(request.user)).filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


@require_safe
def notice_list(request):
    under_notice = (
        registrations.shown().filter(status=RegistrationStatus.IN_NOTICE).order_by("notice_ends_on", "id")
    )
    return render(
        request,
        "licensing/registration_notices.html",
        {"page": paginate(request, under_notice), "example": EXAMPLE},
    )


@require_safe
def registration_detail(request, pk):
    registration = _public(request, pk)
    events = RegistrationEvent.objects.filter(registration=registration).order_by("created_at", "id")
    return render(
        request,
        "licensing/registration_detail.html",
        {
            "registration": registration,
            "events": events,
            "takes_objections": _takes_objections(registration),
        },
    )


def _takes_objections(registration: Registration) -> bool:
    return (
        registration.status == RegistrationStatus.IN_NOTICE and local_today() <= registration.notice_ends_on
    )


@require_http_methods(["GET", "HEAD", "POST"])
def objection(request, pk):
    registration = _public(request, pk)
    if not _takes_objections(registration):
        raise Http404
    if request.method != "POST":
        return render(
            request, "licensing/objection_form.html", {"registration": registration, "form": ObjectionForm()}
        )
    if refused := over_the_rate(request, ObjectionThrottle()):
        return refused
    form = ObjectionForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            registrations.file_objection(
                registration,
                name=data["name"],
                contact=data["contact"],
                reasons=data["reasons"],
                evidence=data["evidence"],
                evidence_name=data["evidence"].name,
            )
        except LicensingError as error:
            for field, messages in error.errors.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
            if not error.errors:
                form.add_error(None, error.message)
        else:
            return render(request, "licensing/objection_filed.html", {"registration": registration})
    return render(
        request, "licensing/objection_form.html", {"registration": registration, "form": form}, status=400
    )


@require_safe
@throttled_search
def lookup(request):
    """What a query code stands for, and its state."""
    value = request.GET.get("code")
    context = {"example": EXAMPLE, "value": value or ""}
    if value is not None:
        code, error = parse(value)
        if error:
            context["error"] = error
        else:
            context["registration"] = registrations.shown().filter(code=code).first()
            context["searched"] = code
    return render(
        request, "licensing/registration_lookup.html", context, status=400 if "error" in context else 200
    )
