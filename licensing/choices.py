"""Named constants of the licensing domain, one class per vocabulary.

Values are stable machine names (they appear in the API and in stored rows); labels are translatable.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LicenseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LISTED = "listed", _("Listed")
    GRANTED = "granted", _("Granted")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    RENEWED = "renewed", _("Renewed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")
    TERMINATED = "terminated", _("Terminated")

    @classmethod
    def terminal(cls) -> frozenset["LicenseStatus"]:
        """States a license never leaves."""
        return frozenset({cls.EXPIRED, cls.RENEWED, cls.WITHDRAWN, cls.REVOKED, cls.TERMINATED})

    @classmethod
    def in_force(cls) -> tuple["LicenseStatus", ...]:
        """States of a license in force: its term has started and it has not ended (a suspended license
        is still in force, its operation paused). A tuple, so that queries filtering on it read the same."""
        return (cls.ACTIVE, cls.SUSPENDED)

    @classmethod
    def amendable(cls) -> frozenset["LicenseStatus"]:
        """States whose fields change only by an amendment with a reason."""
        return frozenset({cls.GRANTED, cls.ACTIVE, cls.SUSPENDED})

    @classmethod
    def freely_editable(cls) -> frozenset["LicenseStatus"]:
        return frozenset({cls.DRAFT, cls.LISTED})


class LicenseAction(models.TextChoices):
    """Actions that move a license from one status to another (lifecycle.TRANSITIONS)."""

    LIST = "list", _("List")
    GRANT = "grant", _("Grant")
    ACTIVATE = "activate", _("Activate")
    SUSPEND = "suspend", _("Suspend")
    REINSTATE = "reinstate", _("Reinstate")
    WITHDRAW = "withdraw", _("Withdraw")
    REVOKE = "revoke", _("Revoke")
    TERMINATE = "terminate", _("Terminate")
    EXPIRE = "expire", _("Expire")


class EventAction(models.TextChoices):
    """What a LicenseEvent records: every lifecycle action, plus the changes that keep the status."""

    CREATE = "create", _("Create")
    EDIT = "edit", _("Edit")
    AMEND = "amend", _("Amend")
    RENEW = "renew", _("Renew")
    # A product or service of the license was added, or its prices or caps changed (licensing.products).
    PRODUCT = "product", _("Product or price change")
    LIST = LicenseAction.LIST.value, LicenseAction.LIST.label
    GRANT = LicenseAction.GRANT.value, LicenseAction.GRANT.label
    ACTIVATE = LicenseAction.ACTIVATE.value, LicenseAction.ACTIVATE.label
    SUSPEND = LicenseAction.SUSPEND.value, LicenseAction.SUSPEND.label
    REINSTATE = LicenseAction.REINSTATE.value, LicenseAction.REINSTATE.label
    WITHDRAW = LicenseAction.WITHDRAW.value, LicenseAction.WITHDRAW.label
    REVOKE = LicenseAction.REVOKE.value, LicenseAction.REVOKE.label
    TERMINATE = LicenseAction.TERMINATE.value, LicenseAction.TERMINATE.label
    EXPIRE = LicenseAction.EXPIRE.value, LicenseAction.EXPIRE.label
    # A correction of an earlier event's effective day or reason (lifecycle.correct_event): a new event
    # naming the one it corrects, which stays as it was recorded.
    CORRECT = "correct", _("Correction")


class DataDomain(models.TextChoices):
    HEALTH = "health", _("Health")
    TRANSPORT = "transport", _("Transport")
    EDUCATION = "education", _("Education")
    FINANCE = "finance", _("Finance")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    INDUSTRY_IT = "industry_it", _("Industry and IT")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources")
    URBAN_MANAGEMENT = "urban_management", _("Urban management")
    GOVERNMENT_SERVICES = "government_services", _("Government services")
    AGRICULTURE = "agriculture", _("Agriculture")
    METEOROLOGY = "meteorology", _("Meteorology")
    OTHER = "other", _("Other")


class AuthorizationMode(models.TextChoices):
    """整体 / 分领域 / 依场景 (实施规范 Art. 9 item 4)."""

    WHOLE = "whole", _("Whole")
    BY_DOMAIN = "by_domain", _("By domain")
    BY_SCENARIO = "by_scenario", _("By scenario")


class SelectionMethod(models.TextChoices):
    """How the operator was chosen (实施规范 Art. 12)."""

    OPEN_TENDER = "open_tender", _("Open tender")
    INVITED_TENDER = "invited_tender", _("Invited tender")
    NEGOTIATION = "negotiation", _("Negotiation")
    OTHER = "other", _("Other")


class DivisionLevel(models.TextChoices):
    """Administrative level, derived from a GB/T 2260 division code."""

    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")


class AuthorityKind(models.TextChoices):
    GOVERNMENT = "government", _("People's government")
    DATA_AUTHORITY = "data_authority", _("Data administration")
    DEPARTMENT = "department", _("Government department")
    IMPLEMENTING_BODY = "implementing_body", _("Implementing body")
    OTHER = "other", _("Other")


class OperatorKind(models.TextChoices):
    STATE_OWNED = "state_owned", _("State-owned enterprise")
    PRIVATE = "private", _("Private enterprise")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    JOINT_VENTURE = "joint_venture", _("Joint venture")
    OTHER = "other", _("Other")
    # Not published in the sources: what an operator registered without a kind is.
    UNKNOWN = "unknown", _("Not known")


class RecordOrigin(models.TextChoices):
    """Where a record comes from, so invented rows are never mistaken for real ones."""

    RECORDED = "recorded", _("Recorded from public sources")
    DEMO = "demo", _("Invented demo data")
    SYNTHETIC = "synthetic", _("Synthetic benchmark data")


class ProductClass(models.TextChoices):
    """发改价格〔2025〕65号: public governance and public welfare uses are free; industry and sector
    development may be charged a government-guided fee."""

    PUBLIC_WELFARE = "public_welfare", _("Public welfare (free)")
    INDUSTRY = "industry", _("Industry (government-guided fee)")


class ChargingUnit(models.TextChoices):
    """What one price is charged for (发改价格〔2025〕65号)."""

    PER_ITEM = "per_item", _("Per item")
    PER_CALL = "per_call", _("Per call")
    PER_TIME = "per_time", _("Per unit of time")
    PER_VOLUME = "per_volume", _("Per data volume")


class FlagCode(models.TextChoices):
    """Compliance flags (licensing.compliance): computed from the data, never stored."""

    UNLICENSED_CHARGING = "unlicensed_charging", _("Paid product, license not in force")
    PRICE_ABOVE_CAP = "price_above_cap", _("Price above its cap")
    FEE_ON_PUBLIC_WELFARE = "fee_on_public_welfare", _("Fee on a public-welfare product")
    PRICE_NOT_POSTED = "price_not_posted", _("Paid product, price not posted")
    FINDING_WITHOUT_LICENSE = "finding_without_license", _("Finding, no license on record")


class CallStatus(models.TextChoices):
    """The outcome of a selection call or notice (licensing.calls)."""

    OPEN = "open", _("Open")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")
