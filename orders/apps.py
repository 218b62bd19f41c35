from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from stores import shell

        shell.register_menu_entry(
            shell.MenuEntry(key="orders", title=_("Orders"), url_name="orders:queue", order=10, badge=_open_work)
        )
        shell.register_panel(
            shell.Panel(
                key="orders_today",
                title=_("Orders to handle"),
                template="orders/panels/today.html",
                context=lambda location, user: _today(location),
                order=10,
            )
        )


def _today(location):
    from orders.selectors import store_queue_counts

    return store_queue_counts(location=location)


def _open_work(location, user):
    return sum(_today(location).values())
