from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inventory import services
from inventory.models import (
    SKU,
    ChannelListing,
    CountedItem,
    CountSession,
    PosReceiptLine,
    Product,
    StockHold,
    StockLevel,
    StockMovement,
    TillRegister,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only services write: visible to head office, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SKUInline(admin.TabularInline):
    model = SKU
    extra = 0
    fields = ["code", "gtin", "colour", "size", "active"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["style", "name", "brand", "category"]
    list_filter = ["brand", "category"]
    search_fields = ["style", "name", "skus__code", "skus__gtin"]
    inlines = [SKUInline]


class ChannelListingInline(admin.TabularInline):
    model = ChannelListing
    extra = 0


@admin.register(SKU)
class SKUAdmin(admin.ModelAdmin):
    list_display = ["code", "product", "colour", "size", "gtin", "active"]
    list_filter = ["active", "product__category", "size"]
    search_fields = ["code", "gtin", "product__name", "product__style"]
    list_select_related = ["product"]
    autocomplete_fields = ["product"]
    inlines = [ChannelListingInline]


@admin.register(ChannelListing)
class ChannelListingAdmin(admin.ModelAdmin):
    """A SKU on a channel; its page explains the number the channel publishes now (the API's `?explain=1`)."""

    list_display = ["sku", "channel", "price", "currency", "published"]
    readonly_fields = ["published_number"]

    @admin.display(description=_("published number, explained"))
    def published_number(self, obj):
        if obj.pk is None:
            return "–"
        from inventory.selectors import explain_listing

        return explain_listing(listing=obj)

    list_filter = ["channel", "published", "currency"]
    search_fields = ["sku__code", "sku__product__name"]
    list_select_related = ["sku", "channel"]
    autocomplete_fields = ["sku"]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    """On hand and committed change only through stock services (receipts, counts, holds); safety stock here."""

    list_display = ["sku", "location", "on_hand", "committed", "safety_stock", "available_display"]
    list_filter = ["location"]
    search_fields = ["sku__code", "sku__gtin", "sku__product__name", "location__code"]
    list_select_related = ["sku", "location"]
    fields = ["location", "sku", "on_hand", "committed", "safety_stock"]
    readonly_fields = ["location", "sku", "on_hand", "committed"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("available"))
    def available_display(self, obj):
        return obj.available

    def save_model(self, request, obj, form, change):
        services.set_safety_stock(location=obj.location, sku=obj.sku, safety_stock=obj.safety_stock)


@admin.register(StockHold)
class StockHoldAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "status", "quantity", "released_quantity", "consumed_quantity", "expires_at"]
    list_filter = ["kind", "status", "stock_level__location"]
    search_fields = ["reference", "stock_level__sku__code"]
    list_select_related = ["stock_level"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["at", "location", "sku", "reason", "delta_on_hand", "on_hand_after", "reference", "actor"]
    list_filter = ["reason", "location", ("at", admin.DateFieldListFilter)]
    search_fields = ["sku__code", "reference", "note"]
    list_select_related = ["location", "sku", "actor"]
    date_hierarchy = "at"


@admin.register(TillRegister)
class TillRegisterAdmin(ReadOnlyAdmin):
    """Each location's tills, recorded the first time one sends receipts, with its last receipt."""

    list_display = ["location", "code", "last_receipt", "last_receipt_at", "created_at"]
    list_filter = ["location"]
    search_fields = ["code", "location__code", "last_receipt"]
    list_select_related = ["location"]


@admin.register(PosReceiptLine)
class PosReceiptLineAdmin(ReadOnlyAdmin):
    list_display = [
        "sold_at",
        "location",
        "register",
        "receipt",
        "line",
        "item",
        "quantity",
        "unit_price",
        "non_stock",
        "reservation",
        "quantity_unbooked",
    ]
    list_filter = ["location", "non_stock", ("sold_at", admin.DateFieldListFilter)]
    search_fields = ["receipt", "item", "reservation"]
    list_select_related = ["location"]


class CountedItemInline(admin.TabularInline):
    model = CountedItem
    extra = 0
    fields = ["sku", "book_at_start", "counted", "adjustment", "value", "status", "reason", "decided_by", "decided_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CountSession)
class CountSessionAdmin(ReadOnlyAdmin):
    """Every store's counts with their accuracy; differences are approved on the store's count page."""

    list_display = [
        "code",
        "location",
        "source",
        "status",
        "started_at",
        "counted_skus",
        "exact_skus",
        "accuracy_display",
    ]
    list_filter = ["status", "source", "location"]
    search_fields = ["code", "location__code"]
    list_select_related = ["location"]
    inlines = [CountedItemInline]

    @admin.display(description=_("accuracy"))
    def accuracy_display(self, obj):
        return "–" if obj.accuracy is None else f"{obj.accuracy:.0%}"
