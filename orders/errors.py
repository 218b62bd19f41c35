from django.utils.translation import gettext_lazy as _

from omnichannel.errors import DomainError


class InvalidOrder(DomainError):
    code = "invalid"
    status_code = 400


class MethodNotOffered(DomainError):
    """The chosen location lacks the capability the fulfillment method needs."""

    code = "method_not_offered"
    status_code = 422


class PaymentMismatch(DomainError):
    code = "payment_mismatch"
    status_code = 422
    default_message = _("The payment does not match the order total.")


class PriceMismatch(DomainError):
    """A line priced below the channel's listing: reductions come as the order's `discount`. `details.lines`
    names each line's listing price."""

    code = "price_mismatch"
    status_code = 422


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status_code = 422
    default_message = _("This Idempotency-Key was used with a different request body.")


class WrongPickupCode(DomainError):
    code = "wrong_pickup_code"
    status_code = 422
    default_message = _("The pickup code does not match this order.")


class PickupCodeLocked(DomainError):
    """Too many wrong codes for one pickup: the store unlocks it, or the customer is sent a new code."""

    code = "pickup_code_locked"
    status_code = 423
    default_message = _(
        "Too many wrong pickup codes for this order: a manager can unlock it, or send the customer a new code."
    )


class OrderNotChangeable(DomainError):
    code = "order_not_changeable"
    status_code = 409


class ReservationLimit(DomainError):
    """A per-customer limit of click & reserve; `details.limit` names it."""

    code = "reservation_limit"
    status_code = 422


class SourceNoLongerAvailable(DomainError):
    """A source chosen for missing units cannot send them any more (sold meanwhile, or it stopped shipping)."""

    code = "source_no_longer_available"
    status_code = 409
    default_message = _("That location can no longer send these units: stock changed meanwhile.")


class NotReturnable(DomainError):
    """A unit that cannot come back: not delivered yet, past the return window, or of a category the policy
    excludes. `details` says which and why."""

    code = "not_returnable"
    status_code = 422


class AlreadyReturned(DomainError):
    """More units asked back than the customer still has: each unit is returned at most once."""

    code = "already_returned"
    status_code = 409
    default_message = _("These units are already on a return.")


class TrackingNumberInUse(DomainError):
    """A carrier's tracking number already on another parcel still travelling: its scans would move the wrong
    order."""

    code = "tracking_number_in_use"
    status_code = 409
