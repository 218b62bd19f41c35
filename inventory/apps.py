from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Catalog and stock")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_save

        from inventory import receivers
        from inventory.models import SKU, ChannelListing
        from stores import shell
        from stores.models import Location, SalesChannel

        post_save.connect(receivers.listing_saved, sender=ChannelListing, dispatch_uid="feed-listing")
        post_save.connect(receivers.sku_saved, sender=SKU, dispatch_uid="feed-sku")
        post_save.connect(receivers.location_saved, sender=Location, dispatch_uid="feed-location")
        post_save.connect(receivers.channel_changed, sender=SalesChannel, dispatch_uid="feed-channel")
        m2m_changed.connect(
            receivers.channel_sources_changed,
            sender=SalesChannel.source_locations.through,
            dispatch_uid="feed-channel-sources",
        )

        shell.register_menu_entry(
            shell.MenuEntry(key="stock", title=_("Stock lookup"), url_name="inventory:stock_lookup", order=80)
        )
        shell.register_menu_entry(
            shell.MenuEntry(
                key="counts", title=_("Counts"), url_name="inventory:counts", order=85, badge=_counts_waiting
            )
        )
        shell.register_panel(
            shell.Panel(
                key="stock_summary",
                title=_("Stock in this store"),
                template="inventory/panels/stock_summary.html",
                context=lambda location, user: _stock_summary(location),
                order=80,
            )
        )


def _stock_summary(location):
    from inventory.selectors import stock_summary

    return stock_summary(location=location)


def _counts_waiting(location, user):
    from inventory.models import CountSession

    return CountSession.objects.filter(location=location, status=CountSession.Status.AWAITING_APPROVAL).count()
