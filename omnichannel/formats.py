"""Numbers as people read them, in the active language: "1.234,50 EUR" and "3,1" in Italian, "1,234.50 EUR" and
"3.1" in English. Every amount a page, a flash, a suggestion or a message shows goes through `money`."""

from decimal import Decimal

from django.utils.formats import number_format


def money(amount, currency: str = "") -> str:
    """An amount with two decimals and its currency code, in the active language's format."""
    formatted = number_format(Decimal(str(amount or 0)), 2, force_grouping=True)
    return f"{formatted} {currency}".strip()


def decimal_number(value, places: int = 1) -> str:
    """A measure such as a distance in km, in the active language's format ("3,1")."""
    return number_format(value, places)
