"""Catalog writes: products, SKUs and channel listings in bulk."""

from django.db import transaction

from inventory.models import SKU
from inventory.services.levels import log_policy_change


@transaction.atomic
def upsert_catalog(*, products: list[dict], skus: list[dict], listings: list[dict]) -> int:
    """Create or update products (by style), SKUs (by code) and channel listings (by SKU and channel) in bulk.

    `skus` items name their product by `style`; `listings` items name their SKU by `sku` code.
    Returns the number of SKUs written.
    """
    from inventory.models import ChannelListing, Product

    Product.objects.bulk_create(
        [Product(**product) for product in products],
        update_conflicts=True,
        unique_fields=["style"],
        update_fields=["name", "brand", "category", "description", "updated_at"],
        batch_size=1000,
    )
    product_ids: dict[str, int] = {}
    styles = list({product["style"] for product in products})
    for start in range(0, len(styles), 5000):
        product_ids.update(Product.objects.filter(style__in=styles[start : start + 5000]).values_list("style", "id"))
    SKU.objects.bulk_create(
        [SKU(product_id=product_ids[sku["style"]], **{k: v for k, v in sku.items() if k != "style"}) for sku in skus],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["product", "gtin", "colour", "size", "active", "updated_at"],
        batch_size=1000,
    )
    if listings:
        codes = list({listing["sku"] for listing in listings})
        sku_ids: dict[str, int] = {}
        for start in range(0, len(codes), 5000):
            sku_ids.update(SKU.objects.filter(code__in=codes[start : start + 5000]).values_list("code", "id"))
        ChannelListing.objects.bulk_create(
            [
                ChannelListing(
                    sku_id=sku_ids[listing["sku"]],
                    channel_id=listing["channel_id"],
                    price=listing["price"],
                    currency=listing["currency"],
                    published=True,
                )
                for listing in listings
            ],
            update_conflicts=True,
            unique_fields=["sku", "channel"],
            update_fields=["price", "currency", "published", "updated_at"],
            batch_size=1000,
        )
    # Bulk writes send no save signals: the channels' change log hears of the SKUs (active, listed) here, and the
    # availability API's per-process list of withdrawn listings is read again.
    from inventory.selectors import forget_withheld_codes

    forget_withheld_codes()
    written = [sku["code"] for sku in skus]
    for start in range(0, len(written), 5000):
        log_policy_change(
            sku_ids=SKU.objects.filter(code__in=written[start : start + 5000]).values_list("id", flat=True)
        )
    return len(skus)
