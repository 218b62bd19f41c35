"""Payment adapters: capture and refund money the sales channel already authorized.

The OMS never sees card data: the channel's payment service authorized the amount and passes its reference.
An adapter turns "capture 29.90 of reference X" into that service's call. `manual` records the amounts and
is what the demo and the tests use; a real integration registers itself in PAYMENT_ADAPTERS.
"""

from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string


class PaymentAdapter:
    def capture(self, *, payment, amount: Decimal) -> str:
        """Capture `amount`; return the provider's reference of the operation."""
        raise NotImplementedError

    def refund(self, *, payment, amount: Decimal) -> str:
        """Give back `amount` of what was captured; return the operation's reference."""
        raise NotImplementedError

    def release(self, *, payment, amount: Decimal) -> str:
        """Let go of `amount` of the authorization that was never captured (the customer was never charged it);
        return the operation's reference."""
        raise NotImplementedError


class ManualAdapter(PaymentAdapter):
    """Records the operation only: money moves outside the OMS (bank transfer, cash on delivery, demo)."""

    def capture(self, *, payment, amount):
        return f"manual-capture-{payment.pk}-{amount}"

    def refund(self, *, payment, amount):
        return f"manual-refund-{payment.pk}-{amount}"

    def release(self, *, payment, amount):
        return f"manual-release-{payment.pk}-{amount}"


def adapter_for(provider: str) -> PaymentAdapter:
    adapters = settings.PAYMENT_ADAPTERS
    path = adapters.get(provider) or adapters["*"]
    return import_string(path)()
