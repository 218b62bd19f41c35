from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("Store network")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from stores import shell
        from stores.api import schema  # noqa: F401  (registers the API key scheme with drf-spectacular)
        from stores.models import Location, SalesChannel
        from stores.selectors import forget_network_snapshot

        # Hot read paths cache the network briefly; any change to it here is seen at once.
        for model in (Location, SalesChannel):
            post_save.connect(forget_network_snapshot, sender=model, dispatch_uid=f"network-save-{model.__name__}")
            post_delete.connect(forget_network_snapshot, sender=model, dispatch_uid=f"network-del-{model.__name__}")
        m2m_changed.connect(
            forget_network_snapshot, sender=SalesChannel.source_locations.through, dispatch_uid="network-sources"
        )

        shell.register_menu_entry(shell.MenuEntry(key="home", title=_("Home"), url_name="stores:home", order=0))
