from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Catalog and stock")

    def ready(self):
        from stores import shell

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
