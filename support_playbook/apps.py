from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportPlaybookConfig(AppConfig):
    name = "support_playbook"
    verbose_name = _("Support playbook")

    def ready(self):
        from orders.signals import order_event
        from stores import shell
        from support_playbook import receivers

        order_event.connect(receivers.recount_after_short_pick, dispatch_uid="playbook-recount-after-short-pick")
        shell.register_menu_entry(
            shell.MenuEntry(key="tasks", title=_("Tasks"), url_name="tasks:list", order=20, badge=_open_tasks)
        )


def _open_tasks(location, user):
    from support_playbook.selectors import open_task_count

    return open_task_count(location=location)
