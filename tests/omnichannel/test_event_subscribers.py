"""The one visible list of who reacts to what (docs/architecture.md, "Events and their subscribers") is the list of
receivers connected at run time: a subscriber added, removed or renamed without the table fails here."""

import re
from pathlib import Path

from inventory.signals import stock_changed, stock_discrepancy
from notifications.signals import notification_failed
from orders.signals import order_event, order_status_changed, reservation_event, return_event

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
SIGNALS = {
    "orders.signals.order_event": order_event,
    "orders.signals.order_status_changed": order_status_changed,
    "orders.signals.reservation_event": reservation_event,
    "orders.signals.return_event": return_event,
    "inventory.signals.stock_discrepancy": stock_discrepancy,
    "inventory.signals.stock_changed": stock_changed,
    "notifications.signals.notification_failed": notification_failed,
}


def documented() -> set[tuple[str, str]]:
    section = DOC.read_text(encoding="utf-8").split("## Events and their subscribers", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([\w.]+)` \| `([\w.]+)` \|", section, flags=re.M))


def connected() -> set[tuple[str, str]]:
    found = set()
    for name, signal in SIGNALS.items():
        for receiver in signal.receivers:
            reference = receiver[1]
            function = reference() if hasattr(reference, "__callback__") else reference  # a weak reference
            found.add((name, f"{function.__module__}.{function.__qualname__}"))
    return found


def test_the_documented_subscribers_are_the_connected_ones():
    assert len(documented()) >= 11
    assert documented() == connected()
