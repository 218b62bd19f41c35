from django.apps import AppConfig


class OmnichannelConfig(AppConfig):
    name = "omnichannel"
    verbose_name = "Omnichannel OMS"

    def ready(self):
        from django.db.models.signals import post_migrate

        from omnichannel.jobs import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="omnichannel-schedules")
