"""The orders app's admin pages, one module per aggregate (Django's autodiscovery imports this one)."""

from orders.fulfillment import admin as fulfillment_admin
from orders.placement import admin as placement_admin
from orders.reservations import admin as reservations_admin
from orders.returns import admin as returns_admin

__all__ = ["fulfillment_admin", "placement_admin", "reservations_admin", "returns_admin"]
