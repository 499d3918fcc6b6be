import datetime
import re
import secrets
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import AuthorizationMode, LicenseStatus, RecordOrigin, SelectionMethod
from ..dates import local_today, max_term_end
from ..fields import NameField
from .authorities import Authority
from .domains import Domain
from .operators import Operator, split_lines


class LicenseDeletionError(Exception):
    """Licenses are a public record: they end by withdrawal, revocation or expiry, never by deletion."""

    def __init__(self):
        super().__init__(_("Licenses are never deleted: withdraw, revoke or terminate the license instead."))


def validate_url_lines(text: str) -> None:
    validate = URLValidator(schemes=["http", "https"])
    for line in split_lines(text):
        try:
            validate(line)
        except ValidationError:
            raise ValidationError(
                _("%(value)s is not an http(s) address."), code="invalid_url", params={"value": line}
            ) from None


# A successor in one of these states never took over from its predecessor.
DEAD_SUCCESSOR_STATES = [LicenseStatus.WITHDRAWN.value, LicenseStatus.REVOKED.value]


def granted_by(authorities: Q, model=None) -> Q:
    """Licenses (or calls: `model`) whose lead grantor or one of whose co-grantors is an authority
    matching `authorities`: subqueries, so a row matched twice is still listed once."""
    model = model or License
    matching = Authority.objects.filter(authorities).values("pk")
    through = model.co_grantors.through
    field = f"{model._meta.model_name}_id"
    return Q(grantor__in=matching) | Q(pk__in=through.objects.filter(authority__in=matching).values(field))


class LicenseQuerySet(models.QuerySet):
    def in_force(self) -> "LicenseQuerySet":
        """Licenses in a state of LicenseStatus.in_force()."""
        return self.filter(status__in=LicenseStatus.in_force())

    def due_for_activation(self, today: datetime.date) -> "LicenseQuerySet":
        """Granted licenses whose term has started by `today`: the sweep activates them."""
        return self.filter(status=LicenseStatus.GRANTED, term_start__lte=today)

    def due_for_expiry(self, today: datetime.date) -> "LicenseQuerySet":
        """Licenses in force whose term ended before `today`: the sweep ends them."""
        return self.in_force().filter(term_end__lt=today)

    def expiring_within(self, days: int, today: datetime.date) -> "LicenseQuerySet":
        """Licenses in force whose term ends from `today` to `days` days later."""
        return self.in_force().filter(
            term_end__gte=today, term_end__lte=today + datetime.timedelta(days=days)
        )

    def live_successors(self) -> "LicenseQuerySet":
        """Successors that took over, or may still: not withdrawn or revoked before their term."""
        return self.filter(predecessor__isnull=False).exclude(status__in=DEAD_SUCCESSOR_STATES)

    def live_successors_of(self, license) -> "LicenseQuerySet":
        return self.live_successors().filter(predecessor=license)

    def flag_co_grantors(self) -> "LicenseQuerySet":
        """Each license with `has_co_grantors`, for load_co_grantors (a subquery, no query of its own)."""
        through = License.co_grantors.through.objects.filter(license_id=OuterRef("pk"))
        return self.annotate(has_co_grantors=Exists(through))

    def covering_domain(self, code: str) -> "LicenseQuerySet":
        """Licenses covering data domain `code`: those that list it, and every whole authorization.
        (A subquery, not a join: a license listing several domains must not come back twice.)"""
        listing = License.data_domains.through.objects.filter(domain_id=code).values("license_id")
        return self.filter(Q(authorization_mode=AuthorizationMode.WHOLE) | Q(pk__in=listing))

    def delete(self):
        raise LicenseDeletionError()


def load_co_grantors(licenses: list) -> list:
    """Set `shown_co_grantors` on each license (flagged by LicenseQuerySet.flag_co_grantors): the
    co-grantors in the authorities' order, read in one query for all that have any, and none at all
    where none has any (as most licenses have none, a page of them costs nothing more)."""
    wanted = [license.pk for license in licenses if license.has_co_grantors]
    found = defaultdict(list)
    if wanted:
        rows = License.co_grantors.through.objects.filter(license_id__in=wanted).select_related("authority")
        for row in rows.order_by(*(f"authority__{field}" for field in Authority._meta.ordering)):
            found[row.license_id].append(row.authority)
    for license in licenses:
        license.shown_co_grantors = found[license.pk]
    return licenses


# A draft's permanent internal reference: "R" and 10 random base32 characters (50 bits), so it tells
# nothing about how many drafts there are. Public numbers are allocated when a license leaves draft.
REFERENCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
REFERENCE_PATTERN = r"R[A-Z2-7]{10}"
NUMBER_PATTERN = r"[0-9]{6}-[0-9]{4}-[0-9]{4,}"


def new_reference() -> str:
    return "R" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


def lookup_q(value: str) -> Q:
    """The condition selecting the license that `value` names: a reference (R...) or a public number.
    The API's one way of resolving the license in a URL."""
    if re.fullmatch(REFERENCE_PATTERN, value or ""):
        return Q(reference=value)
    return Q(number=value)


def next_in_series(counter_model: type["SeriesCounter"], division_code: str, year: int, count: int = 1):
    """Bump the (division, year) row of `counter_model` (a SeriesCounter) by
    `count` and return the new value (the last of those taken), in one atomic upsert: on PostgreSQL it
    locks the counter row until the surrounding transaction commits, so concurrent creators queue (and a
    rolled-back creation gives its numbers back); SQLite serialises writers anyway. Both accept this
    syntax."""
    table = connection.ops.quote_name(counter_model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (division_code, year, last_seq) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (division_code, year) DO UPDATE SET last_seq = {table}.last_seq + %s "
            "RETURNING last_seq",
            [division_code, year, count, count],
        )
        (seq,) = cursor.fetchone()
    return seq


class SeriesCounter(models.Model):
    """The last sequence number handed out per division and year, of one series (next_in_series)."""

    division_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last_seq = models.PositiveIntegerField()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.division_code}-{self.year}: {self.last_seq}"


class LicenseNumberCounter(SeriesCounter):
    """License numbers (see License.allocate_number)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["division_code", "year"], name="license_counter_unique_division_year"
            )
        ]

    def __str__(self):
        return f"{self.division_code}-{self.year}: {self.last_seq}"


class License(models.Model):
    """An authorization to operate public data: who granted it to whom, for what, and for how long."""

    # The public number: allocated when the license first leaves draft by a listing or a grant (null
    # until then, and for good where a draft is withdrawn: such a license was never public).
    number = models.CharField(_("number"), max_length=32, unique=True, null=True, blank=True, editable=False)
    reference = models.CharField(
        _("reference"),
        max_length=11,
        unique=True,
        default=new_reference,
        editable=False,
        help_text=_("The registry's internal reference, given at creation; drafts have no number yet."),
    )
    title = NameField(_("title"), max_length=300)
    grantor = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="granted_licenses", verbose_name=_("grantor")
    )
    co_grantors = models.ManyToManyField(
        Authority,
        blank=True,
        related_name="co_granted_licenses",
        verbose_name=_("co-grantors"),
        help_text=_("Authorities that grant the license jointly with the (lead) grantor."),
    )
    # The selection call that proposed or selected this license's operator (licensing.calls sets it).
    call = models.ForeignKey(
        "licensing.Call",
        on_delete=models.PROTECT,
        related_name="licenses",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("call"),
    )
    implementing_body = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="implemented_licenses",
        null=True,
        blank=True,
        verbose_name=_("implementing body"),
    )
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        related_name="licenses",
        null=True,
        blank=True,
        verbose_name=_("operator"),
    )
    data_domains = models.ManyToManyField(
        Domain, blank=True, related_name="licenses", verbose_name=_("data domains")
    )
    authorization_mode = models.CharField(
        _("authorization mode"), max_length=16, choices=AuthorizationMode, blank=True
    )
    scope = models.TextField(_("scope"), blank=True, help_text=_("The data and uses the license covers."))
    selection_method = models.CharField(
        _("selection method"), max_length=16, choices=SelectionMethod, blank=True
    )
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(
        _("term end"),
        null=True,
        blank=True,
        help_text=_(
            "The last day in force. Leave it empty where the sources do not publish it: the license is "
            "then in force from its start until an end is recorded."
        ),
    )
    term_approximate = models.BooleanField(
        _("term dates approximate"), default=False, help_text=_("The sources give the month, not the day.")
    )
    term_exception_reason = models.TextField(
        _("reason for a longer term"),
        blank=True,
        help_text=_("Required when the term is longer than the regular maximum."),
    )
    signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    filed_on = models.DateField(
        _("filed on"),
        null=True,
        blank=True,
        help_text=_("When the agreement was filed with the supervising data authority (备案)."),
    )
    consideration = models.DecimalField(
        _("consideration (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    consideration_note = models.CharField(
        _("consideration note"), max_length=300, blank=True, help_text=_("For example: starting price.")
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    source_urls = models.TextField(
        _("sources"), blank=True, validators=[validate_url_lines], help_text=_("One address per line.")
    )
    remarks = models.TextField(_("remarks"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=LicenseStatus, default=LicenseStatus.DRAFT, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now, editable=False)
    # A license has at most one live successor (see the constraint below); a successor that was
    # withdrawn or revoked before it took over leaves the predecessor free to be renewed again.
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="successors",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("predecessor"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    origin = models.CharField(_("origin"), max_length=16, choices=RecordOrigin, default=RecordOrigin.RECORDED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = LicenseQuerySet.as_manager()

    class Meta:
        verbose_name = _("license")
        verbose_name_plural = _("licenses")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "term_end"], name="license_status_term_end"),
            models.Index(fields=["status", "term_start"], name="license_status_term_start"),
            models.Index(fields=["term_end"], name="license_term_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_start__isnull=True)
                | Q(term_end__isnull=True)
                | Q(term_end__gte=F("term_start")),
                name="license_term_end_not_before_start",
                violation_error_message=_("The term cannot end before it starts."),
            ),
            models.CheckConstraint(condition=Q(status__in=LicenseStatus.values), name="license_status_valid"),
            models.CheckConstraint(
                condition=Q(consideration__isnull=True) | Q(consideration__gte=0),
                name="license_consideration_not_negative",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="license_version_positive"),
            models.UniqueConstraint(
                fields=["predecessor"],
                condition=~Q(status__in=DEAD_SUCCESSOR_STATES),
                name="license_one_live_successor",
            ),
        ]

    def __str__(self):
        return f"{self.identifier} {self.title}"

    def save(self, *args, **kwargs):
        # Created directly in a public state (data loads): numbered at once. Drafts wait (lifecycle).
        if self._state.adding and not self.number and self.status != LicenseStatus.DRAFT:
            self.number = self.allocate_number(self.grantor.division_code, local_today().year)
        super().save(*args, **kwargs)

    # Never deleted: see LicenseDeletionError.
    def delete(self, *args, **kwargs):
        raise LicenseDeletionError()

    @property
    def identifier(self) -> str:
        """The public number, or the internal reference while there is none (drafts)."""
        return self.number or self.reference

    @staticmethod
    def allocate_number(division_code: str, year: int) -> str:
        return License.allocate_numbers(division_code, year, 1)[0]

    @staticmethod
    def allocate_numbers(division_code: str, year: int, count: int) -> list[str]:
        """The next `count` numbers `{division}-{year}-{seq:04d}`, unique also when licenses are created
        at once (next_in_series; allocate_number: the next one)."""
        last = next_in_series(LicenseNumberCounter, division_code, year, count)
        return [f"{division_code}-{year}-{seq:04d}" for seq in range(last - count + 1, last + 1)]

    @property
    def successor(self) -> "License | None":
        """The license that renews this one (not counting one withdrawn or revoked before it took over)."""
        return License.objects.live_successors_of(self).first()

    @property
    def source_url_list(self) -> list[str]:
        return split_lines(self.source_urls)

    @property
    def is_terminal(self) -> bool:
        return self.status in LicenseStatus.terminal()

    def term_errors(self) -> dict[str, list[str]]:
        """Field errors of the term rule: not ending before it starts, and no longer than the maximum
        without a reason."""
        errors: dict[str, list[str]] = {}
        # A term start without an end is a term whose end is not published (no date is invented for
        # it); an end without a start is no term at all.
        if self.term_end and not self.term_start:
            errors["term_start"] = [_("Give the start of the term too.")]
        elif self.term_start and self.term_end:
            if self.term_end < self.term_start:
                errors["term_end"] = [_("The term cannot end before it starts.")]
            elif self.term_end >= datetime.date.max:
                # The day after the term (when it expires, when a renewal starts) must be in the calendar.
                errors["term_end"] = [
                    _("A term must end before %(day)s, the last day of the calendar.")
                    % {"day": datetime.date.max.isoformat()}
                ]
            elif self.term_end > max_term_end(self.term_start) and not self.term_exception_reason.strip():
                errors["term_exception_reason"] = [
                    _(
                        "A term ending after %(limit)s is longer than %(years)s years: give the reason "
                        "for the exception."
                    )
                    % {
                        "limit": max_term_end(self.term_start).isoformat(),
                        "years": settings.LICENSING_MAX_TERM_YEARS,
                    }
                ]
        return errors

    def requirement_errors(self, status: str, *, domains: list | None = None) -> dict[str, list[str]]:
        """Fields a license must have to be in `status`.

        Draft (and withdrawn, which a draft may become) need a title; listed also data domains (except a
        whole authorization, which covers every domain) and scope; granted and every later state also the
        operator and the term's start. The term's end may be left empty from the grant on: it is then "not
        published" (see term_end_published). `domains` stands in for the saved data domains when they are
        about to change.
        """
        errors: dict[str, list[str]] = {}
        message = _("A license that is %(status)s needs this.") % {
            "status": LicenseStatus(status).label.lower()
        }
        if not self.title.strip():
            errors["title"] = [message]
        if status in (LicenseStatus.DRAFT, LicenseStatus.WITHDRAWN):
            return errors
        if domains is None:
            domains = list(self.data_domains.all()) if self.pk else []
        if not domains and self.authorization_mode != AuthorizationMode.WHOLE:
            errors["data_domains"] = [message]
        if not self.scope.strip():
            errors["scope"] = [message]
        if status == LicenseStatus.LISTED:
            return errors
        for field in ("operator", "term_start"):
            if getattr(self, field if field != "operator" else "operator_id") is None:
                errors[field] = [message]
        return errors

    def clean(self):
        errors = self.term_errors()
        # Status is not editable in forms, so Django's field validation skips it; the services still must
        # never store a value outside the choices.
        if self.status not in LicenseStatus.values:
            errors["status"] = [
                _("%(value)r is not a license status; known: %(known)s.")
                % {"value": self.status, "known": ", ".join(LicenseStatus.values)}
            ]
        if errors:
            raise ValidationError(errors)

    @property
    def term_end_published(self) -> bool:
        """Whether the term has a recorded end. A license may be granted and in force with its end not
        published: it is then open-ended for the registry (never expired by the sweep, no reminders)
        until an amendment records the end."""
        return self.term_end is not None

    @property
    def covers_all_domains(self) -> bool:
        """A whole authorization (整体授权) covers every data domain, whatever domains it lists."""
        return self.authorization_mode == AuthorizationMode.WHOLE

    def covers_domain(self, code: str) -> bool:
        """Whether the license covers data domain `code` (prefetch data_domains when asking for many)."""
        return self.covers_all_domains or code in {domain.code for domain in self.data_domains.all()}

    @property
    def amount_is_asking_price(self) -> bool:
        """Whether the recorded amount is what the listing asked (a starting price), not consideration
        paid: the license is a listing that was never granted (listed, or withdrawn)."""
        return self.status in (LicenseStatus.LISTED, LicenseStatus.WITHDRAWN)

    def days_left(self, on: datetime.date | None = None) -> int | None:
        """Days from `on` (default today) to the term end, counting the end day; None without a term."""
        if self.term_end is None:
            return None
        return (self.term_end - (on or local_today())).days
