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
                template="orders/fulfillment/panels/today.html",
                context=lambda location, user: _today(location),
                order=10,
            )
        )
        shell.register_menu_entry(
            shell.MenuEntry(
                key="reservations",
                title=_("Reservations"),
                url_name="reservations:list",
                order=15,
                badge=_held_reservations,
                capability="click_and_reserve",
            )
        )
        shell.register_menu_entry(
            shell.MenuEntry(
                key="returns",
                title=_("Returns"),
                url_name="returns:desk",
                order=17,
                badge=_expected_returns,
                capability="accepts_returns",
            )
        )
        shell.register_panel(
            shell.Panel(
                key="reservations",
                title=_("Click & reserve"),
                template="orders/reservations/panels/reservations.html",
                context=lambda location, user: _reservation_summary(location),
                order=15,
                capability="click_and_reserve",
            )
        )


def _today(location):
    from orders.fulfillment.selectors import store_queue_counts

    return store_queue_counts(location=location)


def _open_work(location, user):
    return sum(_today(location).values())


def _held_reservations(location, user):
    from orders.reservations.selectors import held_reservation_count

    return held_reservation_count(location=location)


def _reservation_summary(location):
    from orders.reservations.selectors import store_reservation_summary

    return store_reservation_summary(location=location)


def _expected_returns(location, user):
    from orders.returns.selectors import expected_returns

    return expected_returns(location=location).count()
