"""Who may do what: the four roles and their rights, in one table (DESIGN.md section 4).

Store associates and managers are store memberships (per store); customer care and head office are groups.
Services ask `require_right(user, right, location=...)`; pages ask `has_right` to show only what a person may do.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from omnichannel.errors import DomainError

HEAD_OFFICE_GROUP = "head_office"
CUSTOMER_CARE_GROUP = "customer_care"


class Role(models.TextChoices):
    ASSOCIATE = "associate", _("Store associate")
    MANAGER = "manager", _("Store manager")
    CUSTOMER_CARE = "customer_care", _("Customer care")
    HEAD_OFFICE = "head_office", _("Head office")


class Right(models.TextChoices):
    WORK_STORE_QUEUE = "work_store_queue", _("Prepare, ship, receive and hand over the store's orders")
    WORK_RESERVATIONS = "work_reservations", _("Work the store's reservations")
    WORK_RETURNS_DESK = "work_returns_desk", _("Start, receive and send on returns at the store's desk")
    RENEW_PICKUP_CODE = "renew_pickup_code", _("Send the customer a new pickup code")
    UNLOCK_PICKUP_CODE = "unlock_pickup_code", _("Unlock a pickup code after too many wrong attempts")
    APPROVE_COUNT_DISCREPANCY = "approve_count_discrepancy", _("Approve stock count discrepancies")
    APPROVE_REFUND_OVER_LIMIT = "approve_refund_over_limit", _("Approve refunds above the limit")
    WORK_CASES = "work_cases", _("Work customer-care cases")
    SEE_NETWORK = "see_network", _("See every store's work")
    SEE_STORE_FIGURES = "see_store_figures", _("See the store's figures: late work, overdue parcels, cases")


R = Role
# The table is the documentation: a right not listed for a role is refused.
RIGHTS: dict[str, frozenset] = {
    Right.WORK_STORE_QUEUE: frozenset({R.ASSOCIATE, R.MANAGER, R.HEAD_OFFICE}),
    Right.WORK_RESERVATIONS: frozenset({R.ASSOCIATE, R.MANAGER, R.HEAD_OFFICE}),
    Right.WORK_RETURNS_DESK: frozenset({R.ASSOCIATE, R.MANAGER, R.HEAD_OFFICE}),
    Right.RENEW_PICKUP_CODE: frozenset({R.ASSOCIATE, R.MANAGER, R.CUSTOMER_CARE, R.HEAD_OFFICE}),
    Right.UNLOCK_PICKUP_CODE: frozenset({R.MANAGER, R.HEAD_OFFICE}),
    Right.APPROVE_COUNT_DISCREPANCY: frozenset({R.MANAGER, R.HEAD_OFFICE}),
    Right.APPROVE_REFUND_OVER_LIMIT: frozenset({R.MANAGER, R.HEAD_OFFICE}),
    Right.WORK_CASES: frozenset({R.CUSTOMER_CARE, R.HEAD_OFFICE}),
    Right.SEE_NETWORK: frozenset({R.HEAD_OFFICE}),
    Right.SEE_STORE_FIGURES: frozenset({R.MANAGER, R.HEAD_OFFICE}),
}


class NotAllowed(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("Your role does not allow this.")


def roles_of(user, *, location=None) -> frozenset:
    """The user's roles; store roles only for `location` (a manager of MI01 is nobody at RM01)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return frozenset()
    roles = set()
    # Read once per request's user object: a page asks several rights (menu, desks, buttons).
    groups = getattr(user, "_role_groups", None)
    if groups is None:
        groups = user._role_groups = frozenset(user.groups.values_list("name", flat=True))
    if user.is_superuser or HEAD_OFFICE_GROUP in groups:
        roles.add(R.HEAD_OFFICE)
    if CUSTOMER_CARE_GROUP in groups:
        roles.add(R.CUSTOMER_CARE)
    if location is not None:
        roles.update(user.store_memberships.filter(location=location).values_list("role", flat=True))
    return frozenset(roles)


def rights_of(user, *, location=None) -> frozenset:
    """Every right the user's roles give (at `location`), read once for a page that asks several."""
    roles = roles_of(user, location=location)
    return frozenset(right for right, allowed in RIGHTS.items() if roles & allowed)


def has_right(user, right: str, *, location=None) -> bool:
    return right in rights_of(user, location=location)


def require_right(user, right: str, *, location=None) -> None:
    """For services called by people: NotAllowed (403) unless one of the user's roles has `right`."""
    if not has_right(user, right, location=location):
        raise NotAllowed(details={"right": str(right)})
