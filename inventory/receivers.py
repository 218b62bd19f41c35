"""What a channel may sell also moves without a stock write: a listing published or withdrawn, a SKU or a location
(de)activated, a channel's safety buffer or source locations changed (head office, in the admin). Each writes the
SKUs it touches to the channels' change log, in the saving transaction (connected in InventoryConfig.ready)."""

from inventory import services
from inventory.selectors import forget_withheld_codes


def listing_saved(sender, instance, **kwargs):
    forget_withheld_codes()
    services.log_policy_change(sku_ids=[instance.sku_id])


def sku_saved(sender, instance, created=False, **kwargs):
    if created:
        return  # listed nowhere yet: nothing published moves
    forget_withheld_codes()
    services.log_policy_change(sku_ids=[instance.pk])


def location_saved(sender, instance, created=False, **kwargs):
    if created:
        return
    from inventory.models import StockLevel

    services.log_policy_change(
        sku_ids=StockLevel.objects.filter(location_id=instance.pk).values_list("sku_id", flat=True),
        location_id=instance.pk,
    )


def channel_changed(sender, instance, created=False, **kwargs):
    """The channel's buffer or sources: every SKU it lists may publish another number."""
    if created:
        return
    from inventory.models import ChannelListing

    services.log_policy_change(
        sku_ids=ChannelListing.objects.filter(channel_id=instance.pk).values_list("sku_id", flat=True)
    )


def channel_sources_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        channel_changed(sender, instance)
