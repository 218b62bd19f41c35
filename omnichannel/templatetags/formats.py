from django import template

from omnichannel import formats

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    """`{{ amount|money:order.currency }}` → "139,80 EUR" on an Italian page."""
    return "–" if amount is None or amount == "" else formats.money(amount, currency)
