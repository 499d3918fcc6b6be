"""Importing licenses in the admin: upload a file of the template, see every problem by row and column
(a dry run), confirm, and the import is written (licensing.imports); the templates to download; the
list of imports made."""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .. import access, import_template, imports
from ..models import LicenseImport
from .base import RoleAdmin

# How long an uploaded file waits for its confirmation (it is kept in the cache, per user).
UPLOAD_SECONDS = 3600
SHA256_LENGTH = 64


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A .csv or .xlsx file in the template's format, at most 20 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            imports.file_format(upload.name)
        except imports.ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        if upload.size > imports.MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB: split it into several imports."))
        return upload


class ConfirmForm(forms.Form):
    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


@admin.register(LicenseImport)
class LicenseImportAdmin(RoleAdmin):
    list_display = [
        "__str__",
        "created_at",
        "actor_repr",
        "rows",
        "created_count",
        "amended_count",
        "unchanged_count",
    ]
    readonly_fields = [
        "file_name",
        "sha256",
        "actor_repr",
        "created_at",
        "rows",
        "created_count",
        "amended_count",
        "unchanged_count",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        role = self._role(request)
        if role in (access.Role.SUPERUSER, access.Role.AUDITOR):
            return queryset
        # A regulator sees the imports they made.
        return queryset.filter(actor=request.user)

    def has_add_permission(self, request):
        return request.user.is_staff and access.can_create_licenses(request.user)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("confirm/", self.admin_site.admin_view(self.confirm_view), name=f"{prefix}_confirm"),
            path(
                "template.<str:kind>",
                self.admin_site.admin_view(self.template_view),
                name=f"{prefix}_template",
            ),
            *super().get_urls(),
        ]

    def _key(self, request, sha256: str) -> str:
        return f"licensing:import-upload:{request.user.pk}:{sha256}"

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                result = imports.import_licenses(data, upload.name, actor=request.user, dry_run=True)
            except imports.ImportFileError as error:
                form.add_error("file", str(error))
            else:
                sha256 = hashlib.sha256(data).hexdigest()
                if result.ok and result.already_imported is None:
                    cache.set(self._key(request, sha256), (upload.name, data), UPLOAD_SECONDS)
                return self._render(
                    request,
                    "admin/licensing/licenseimport/preview.html",
                    result=result,
                    problems=[
                        (problem.row, result.column_name(problem.column), problem.message)
                        for problem in result.problems
                    ],
                    form=UploadForm(),
                    confirm=ConfirmForm(initial={"sha256": sha256}),
                )
        return self._render(request, "admin/licensing/licenseimport/upload.html", form=form)

    def confirm_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ConfirmForm(request.POST or None)
        if request.method != "POST" or not form.is_valid():
            return HttpResponseRedirect(reverse("admin:licensing_licenseimport_add"))
        stored = cache.get(self._key(request, form.cleaned_data["sha256"]))
        if stored is None:
            self.message_user(
                request, _("The uploaded file is no longer kept: upload it again."), messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:licensing_licenseimport_add"))
        file_name, data = stored
        result = imports.import_licenses(data, file_name, actor=request.user)
        cache.delete(self._key(request, form.cleaned_data["sha256"]))
        if not result.written:
            # The register changed between the preview and the confirmation: show what is wrong now.
            return self._render(
                request,
                "admin/licensing/licenseimport/preview.html",
                result=result,
                problems=[(p.row, result.column_name(p.column), p.message) for p in result.problems],
                form=UploadForm(),
                confirm=None,
            )
        self.message_user(
            request,
            _(
                "Import #%(number)s written: %(rows)s rows checked and written (%(created)s licenses "
                "created, %(amended)s amended, %(unchanged)s unchanged)."
            )
            % {
                "number": result.record.pk,
                "rows": result.rows,
                "created": result.created,
                "amended": result.amended,
                "unchanged": result.unchanged,
            },
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:licensing_licenseimport_change", args=[result.record.pk]))

    def template_view(self, request, kind):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if kind == "csv":
            content, content_type = import_template.csv_bytes(), "text/csv; charset=utf-8"
        elif kind == "xlsx":
            content = import_template.xlsx_bytes()
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            return HttpResponse(
                _("The template is a .csv or .xlsx file."), status=404, content_type="text/plain"
            )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="import-template.{kind}"'
        return response

    def _render(self, request, template, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Import licenses"),
                "columns": import_template.COLUMNS,
                **context,
            },
        )
