from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import AuthorizationMode, CallStatus, RecordOrigin, SelectionMethod
from .authorities import Authority
from .domains import Domain
from .licenses import validate_url_lines
from .operators import split_lines


class Call(models.Model):
    """A selection call or notice (遴选公告, 招标公告, 挂牌): one authority (with any co-grantors) seeks one
    or more operators for some data domains. Each proposed or selected operator has its own license,
    which links here (License.call). Changed only through licensing.calls."""

    title = models.CharField(_("title"), max_length=300)
    noticed_on = models.DateField(_("notice date"), help_text=_("The day the call was published."))
    grantor = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="calls", verbose_name=_("grantor")
    )
    co_grantors = models.ManyToManyField(
        Authority, blank=True, related_name="co_granted_calls", verbose_name=_("co-grantors")
    )
    data_domains = models.ManyToManyField(
        Domain, blank=True, related_name="calls", verbose_name=_("data domains")
    )
    authorization_mode = models.CharField(
        _("authorization mode"), max_length=16, choices=AuthorizationMode, blank=True
    )
    operators_sought = models.PositiveSmallIntegerField(
        _("operators sought"), null=True, blank=True, help_text=_("How many operators the call seeks.")
    )
    selection_method = models.CharField(
        _("selection method"), max_length=16, choices=SelectionMethod, blank=True
    )
    source_urls = models.TextField(
        _("sources"), blank=True, validators=[validate_url_lines], help_text=_("One address per line.")
    )
    remarks = models.TextField(_("remarks"), blank=True)
    origin = models.CharField(_("origin"), max_length=16, choices=RecordOrigin, default=RecordOrigin.RECORDED)
    status = models.CharField(
        _("status"), max_length=16, choices=CallStatus, default=CallStatus.OPEN, editable=False
    )
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True, editable=False)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True, editable=False)
    reason = models.TextField(_("reason"), blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-noticed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CallStatus.values), name="call_status_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="call_version_positive"),
            models.CheckConstraint(
                condition=Q(operators_sought__isnull=True) | Q(operators_sought__gte=1),
                name="call_operators_sought_positive",
            ),
            models.CheckConstraint(
                condition=(Q(status=CallStatus.CANCELLED) & Q(cancelled_on__isnull=False))
                | (~Q(status=CallStatus.CANCELLED) & Q(cancelled_on__isnull=True)),
                name="call_cancelled_on_with_status",
            ),
            models.CheckConstraint(
                condition=(Q(status=CallStatus.AWARDED) & Q(awarded_on__isnull=False))
                | (~Q(status=CallStatus.AWARDED) & Q(awarded_on__isnull=True)),
                name="call_awarded_on_with_status",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def source_url_list(self) -> list[str]:
        return split_lines(self.source_urls)

    @property
    def is_closed(self) -> bool:
        return self.status != CallStatus.OPEN

    @property
    def outcome_on(self):
        return self.awarded_on or self.cancelled_on
