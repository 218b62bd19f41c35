from django.apps import AppConfig


class OmnichannelConfig(AppConfig):
    name = "omnichannel"
    verbose_name = "Omnichannel OMS"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.urls import register_converter

        from omnichannel.converters import RowIdConverter

        # `<id:…>` in every app's URLs: row ids that always fit the database's 64-bit columns.
        register_converter(RowIdConverter, "id")

        from omnichannel.jobs import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="omnichannel-schedules")
