from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportPlaybookConfig(AppConfig):
    name = "support_playbook"
    verbose_name = _("Support playbook")

    def ready(self):
        from inventory.signals import stock_discrepancy
        from notifications.signals import notification_failed
        from orders.signals import order_event, reservation_event, return_event
        from stores import shell
        from stores.roles import Right
        from support_playbook import receivers

        order_event.connect(receivers.on_order_event, dispatch_uid="playbook-order-events")
        reservation_event.connect(receivers.on_reservation_event, dispatch_uid="playbook-reservation-events")
        return_event.connect(receivers.on_return_event, dispatch_uid="playbook-return-events")
        notification_failed.connect(receivers.on_notification_failed, dispatch_uid="playbook-failed-messages")
        stock_discrepancy.connect(receivers.on_stock_discrepancy, dispatch_uid="playbook-stock-discrepancies")
        shell.register_menu_entry(
            shell.MenuEntry(key="tasks", title=_("Tasks"), url_name="tasks:list", order=20, badge=_open_tasks)
        )
        shell.register_desk(
            shell.Desk(key="cases", title=_("Cases"), url_name="care:queue", right=Right.WORK_CASES, order=10)
        )
        shell.register_desk(
            shell.Desk(key="network", title=_("Network"), url_name="care:network", right=Right.SEE_NETWORK, order=5)
        )
        shell.register_panel(
            shell.Panel(
                key="store_figures",
                title=_("This store today"),
                template="support_playbook/panels/store_figures.html",
                context=_store_figures,
                order=5,
                right=Right.SEE_STORE_FIGURES,
            )
        )
        shell.register_menu_entry(shell.MenuEntry(key="manual", title=_("Playbook"), url_name="tasks:manual", order=90))


def _open_tasks(location, user):
    from support_playbook.selectors import open_task_count

    return open_task_count(location=location)


def _store_figures(location, user):
    from stores.models import Location
    from support_playbook.network_selectors import network_figures

    figures = network_figures(locations=Location.objects.filter(pk=location.pk))
    return {"row": figures["rows"][0] if figures["rows"] else {}, "location": location}
