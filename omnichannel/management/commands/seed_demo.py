from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo brand (stores, channels, staff, catalog, stock, ...). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")
        parser.add_argument(
            "--no-logins", action="store_true", help="Do not print the logins (make run prints them once, last)."
        )

    def handle(self, *args, logins=False, no_logins=False, **options):
        if not logins:
            self.stdout.write("Loading the demo brand:")
            # Each app's part, in dependency order (settings.DEMO_SEEDERS); every part is idempotent. One
            # transaction: messages queued by one part (sent after commit) already see what later parts settled,
            # e.g. the past reservations' messages marked sent by notifications.demo.
            with transaction.atomic():
                for module in settings.DEMO_SEEDERS:
                    import_module(module).seed(self.stdout)
        if not no_logins:
            import_module("stores.demo").print_logins(self.stdout)
