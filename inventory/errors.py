from django.utils.translation import gettext_lazy as _

from omnichannel.errors import DomainError, Retryable


class InsufficientStock(DomainError):
    """Not enough available units for one or more lines; `lines` has per-line requested/available."""

    code = "insufficient_stock"
    status_code = 409
    default_message = _("Not enough stock for one or more lines.")

    def __init__(self, lines: list[dict], message=None):
        self.lines = lines
        super().__init__(message, details={"lines": lines})


class InvalidStockChange(DomainError):
    code = "invalid_stock_change"
    status_code = 422
    default_message = _("This stock change is not allowed.")


class HoldNotOpen(DomainError):
    code = "hold_not_open"
    status_code = 409
    default_message = _("This hold has already been released or consumed.")


class StockMoved(InsufficientStock, Retryable):
    """A hold was refused although the stock read a moment before covered it: another sale took the units in
    between. The transaction is rolled back and the request can be run once more from the top (a second refusal
    is an `InsufficientStock` answer, 409)."""

    def settled(self) -> Exception:
        return InsufficientStock(self.lines)
