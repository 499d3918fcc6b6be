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
    DISCLOSURE_OVERDUE = "disclosure_overdue", _("Annual disclosure overdue")


class CallStatus(models.TextChoices):
    """The outcome of a selection call or notice (licensing.calls)."""

    OPEN = "open", _("Open")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


class LicenseParty(models.TextChoices):
    """The two parties a license binds besides its grantor, each with duties of its own: the implementing
    body registers the data resources and discloses the authorization (recipient, content, scope, term,
    price caps); the operator registers its products and services and discloses their prices and its use
    of the data (licensing.registrations, licensing.disclosures)."""

    IMPLEMENTING_BODY = "implementing_body", _("Implementing body")
    OPERATOR = "operator", _("Operator")


# Registrations (登记管理暂行办法, licensing.registrations) ----------------------------------------------


class RegistrationKind(models.TextChoices):
    """What is registered (Art. 5): the implementing body's data resources, the operator's products."""

    DATA_RESOURCE = "data_resource", _("Data resource")
    PRODUCT_SERVICE = "product_service", _("Product or service")


class RegistrationType(models.TextChoices):
    """The application's type (Art. 9)."""

    FIRST = "first", _("First registration")
    CHANGE = "change", _("Change")
    CORRECTION = "correction", _("Correction")
    CANCELLATION = "cancellation", _("Cancellation")


class RegistrationStatus(models.TextChoices):
    """Where a registration is in the procedure (Art. 8): applied → accepted and under formal review →
    public notice → code issued, with the side paths of Art. 10, 12, 15 and 20."""

    APPLIED = "applied", _("Applied")
    UNDER_REVIEW = "under_review", _("Accepted, under formal review")
    RETURNED = "returned", _("Returned for completion")
    IN_NOTICE = "in_notice", _("Under public notice")
    ISSUED = "issued", _("Code issued")
    TERMINATED = "terminated", _("Terminated (objection upheld)")
    CANCELLED = "cancelled", _("Cancelled")
    REVOKED = "revoked", _("Revoked")

    @classmethod
    def terminal(cls) -> frozenset["RegistrationStatus"]:
        return frozenset({cls.TERMINATED, cls.CANCELLED, cls.REVOKED})


class RegistrationAction(models.TextChoices):
    """Actions on a registration (registrations.TRANSITIONS); each is an event with its effective day."""

    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return for completion")
    RESUBMIT = "resubmit", _("Resubmit")
    START_NOTICE = "start_notice", _("Start the public notice")
    ISSUE = "issue", _("Issue the code")
    TERMINATE = "terminate", _("Terminate (objection upheld)")
    CANCEL = "cancel", _("Cancel")
    REVOKE = "revoke", _("Revoke (false materials)")
    RENEW = "renew", _("Renew")


class RegistrationEventAction(models.TextChoices):
    """What a RegistrationEvent records: its creation, then every action."""

    APPLY = "apply", _("Apply")
    ACCEPT = RegistrationAction.ACCEPT.value, RegistrationAction.ACCEPT.label
    RETURN = RegistrationAction.RETURN.value, RegistrationAction.RETURN.label
    RESUBMIT = RegistrationAction.RESUBMIT.value, RegistrationAction.RESUBMIT.label
    START_NOTICE = RegistrationAction.START_NOTICE.value, RegistrationAction.START_NOTICE.label
    ISSUE = RegistrationAction.ISSUE.value, RegistrationAction.ISSUE.label
    TERMINATE = RegistrationAction.TERMINATE.value, RegistrationAction.TERMINATE.label
    CANCEL = RegistrationAction.CANCEL.value, RegistrationAction.CANCEL.label
    REVOKE = RegistrationAction.REVOKE.value, RegistrationAction.REVOKE.label
    RENEW = RegistrationAction.RENEW.value, RegistrationAction.RENEW.label


class ObjectionState(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class RegistrationReminderKind(models.TextChoices):
    """The emails the sweep owes about registrations (licensing.registration_reminders)."""

    RENEWAL_WINDOW = "renewal_window", _("Renewal window opens soon")
    EXPIRY = "expiry", _("Registration expires soon")
    ACCEPTANCE_OVERDUE = "acceptance_overdue", _("Acceptance overdue")
    REVIEW_OVERDUE = "review_overdue", _("Formal review overdue")


# Annual disclosures (licensing.disclosures) ----------------------------------------------------------


class DutyState(models.TextChoices):
    """Where an annual disclosure duty stands on a day (licensing.disclosures)."""

    DONE = "done", _("Disclosed")
    PENDING = "pending", _("Owed, not yet due")
    DUE = "due", _("Due by the end of March")
    OVERDUE = "overdue", _("Overdue")


# Email alerts (licensing.alerts) ---------------------------------------------------------------------


class AlertTarget(models.TextChoices):
    """What an email alert follows: the changes of one license, of an operator's licenses, of the licenses
    an authority granted, or of the licenses a saved search of the list finds."""

    LICENSE = "license", _("License")
    OPERATOR = "operator", _("Operator")
    AUTHORITY = "authority", _("Authority")
    SEARCH = "search", _("Saved search")
