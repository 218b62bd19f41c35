"""Domain events of the orders app. Upper apps (notifications, support playbook) connect receivers in their
AppConfig.ready; receivers run inside the transaction that wrote the event, so what they write (an outbox
row, a case) commits or rolls back with it.

`order_event` is sent for every OrderEvent row: kwargs `event` (the row).
"""

from django.dispatch import Signal

order_event = Signal()

# Sent for every ReservationEvent row: kwargs `event` (the row).
reservation_event = Signal()

# Sent for every ReturnEvent row: kwargs `event` (the row).
return_event = Signal()

# Sent when an order's derived status changes: kwargs `order` (the row), `previous` and `status` (values).
order_status_changed = Signal()
