"""Admin pages of reservations."""

from django.contrib import admin
from django.utils import timezone

from orders.admin_inlines import ReadableEventInline, ReadOnlyInline
from orders.models import (
    Reservation,
    ReservationEvent,
    ReservationLine,
)
from orders.reservations import selectors


class ReservationLineInline(ReadOnlyInline):
    model = ReservationLine
    fields = ["sku", "quantity", "quantity_purchased", "hold"]


class ReservationEventInline(ReadableEventInline):
    model = ReservationEvent


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    """Head office reads reservations and their KPIs here (last 30 days, per store and network); stores act on
    them in their dashboard, customers through the API."""

    list_display = ["number", "location", "customer", "status", "created_at", "expires_at", "closed_at"]
    list_filter = ["status", "location", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["number", "customer__email", "customer__name", "customer__phone", "pos_receipt"]
    list_select_related = ["location", "customer"]
    readonly_fields = [f.name for f in Reservation._meta.fields]
    inlines = [ReservationLineInline, ReservationEventInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        since = timezone.now() - selectors.KPI_PERIOD
        extra_context = {
            **(extra_context or {}),
            "kpis_by_store": selectors.reservation_kpis_by_store(since=since),
            "kpis_network": selectors.reservation_kpis(since=since),
        }
        return super().changelist_view(request, extra_context=extra_context)
