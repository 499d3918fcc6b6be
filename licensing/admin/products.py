"""A license's products and services in its admin page: an inline whose rows are checked and written by
licensing.products (caps and prices validated; each change an event on the license)."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .. import access, compliance, products
from ..access import Role
from ..dates import local_today
from ..exceptions import LicensingError
from ..models import Product
from .forms import add_service_errors

INLINE_FIELDS = [field for field in products.PRODUCT_FIELDS if field != "origin"]


def flag_tags(flags) -> str:
    """Flags as tags, each explaining itself on hover (and to screen readers through its title)."""
    if not flags:
        return "–"
    return format_html_join(
        " ",
        '<span class="status-tag flag-tag" title="{}">{}</span>',
        ((flag.explanation, flag.label) for flag in flags),
    )


class ProductInlineForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = INLINE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "price_above_cap_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def changes(self) -> dict:
        names = INLINE_FIELDS if self.instance.pk is None else self.changed_data
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}

    def _post_clean(self):
        # The model's validation and the pricing rules run in licensing.products (see the formset).
        pass


class ProductInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or form.errors or not hasattr(form, "cleaned_data"):
                continue
            try:
                products.check_product(
                    self.instance, form.changes(), product=form.instance if form.instance.pk else None
                )
            except LicensingError as error:
                add_service_errors(form, error)

    def save_through_service(self, license, *, actor, occurred_on=None) -> None:
        """Write each changed row through licensing.products; `license` carries the version to expect.
        Records what was written as formset.save() would, for the admin's change message."""
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for form in self.forms:
            if not form.has_changed():
                continue
            if form.instance.pk is None:
                created = products.create_product(
                    license,
                    actor=actor,
                    expected_version=license.version,
                    occurred_on=occurred_on,
                    **form.changes(),
                )
                self.new_objects.append(created)
            else:
                changes = form.changes()
                products.update_product(
                    form.instance,
                    changes,
                    actor=actor,
                    expected_version=license.version,
                    occurred_on=occurred_on,
                )
                license.refresh_from_db(fields=["version"])
                self.changed_objects.append((form.instance, list(changes)))


class ProductInline(admin.StackedInline):
    model = Product
    form = ProductInlineForm
    formset = ProductInlineFormSet
    fields = [*INLINE_FIELDS, "flags"]
    readonly_fields = ["flags"]
    extra = 0
    can_delete = False
    verbose_name = _("product or service")
    verbose_name_plural = _("products and services (caps and prices in yuan per charging unit)")

    @admin.display(description=_("flags"))
    def flags(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        return flag_tags(compliance.product_flags(obj, obj.license, local_today()))

    def _may_change(self, request, obj) -> bool:
        return (
            obj is not None
            and request.user.is_staff
            and access.can_change_license(request.user, obj)
            and not obj.is_terminal
        )

    def has_view_permission(self, request, obj=None):
        # (Not offered on the add page: LicenseAdmin.get_inlines; products are added once the license exists.)
        return request.user.is_staff and access.role_of(request.user) != Role.PUBLIC

    def has_add_permission(self, request, obj=None):
        return self._may_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
