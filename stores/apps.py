from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("Store network")

    def ready(self):
        from stores import shell

        shell.register_menu_entry(shell.MenuEntry(key="home", title=_("Home"), url_name="stores:home", order=0))
