import logging
from contextlib import contextmanager
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

# While the demo is loaded, the terminal shows its own summary only: not one "Enqueued" line per message queued,
# nor the warning of the SMS the demo makes fail on purpose (for a case). Both still reach a running worker's log.
QUIET_WHILE_SEEDING = {"django-q": logging.WARNING, "notifications.services": logging.ERROR}


@contextmanager
def _quiet(levels: dict[str, int]):
    loggers = {name: logging.getLogger(name) for name in levels}
    before = {name: logger.level for name, logger in loggers.items()}
    for name, logger in loggers.items():
        logger.setLevel(levels[name])
    try:
        yield
    finally:
        for name, logger in loggers.items():
            logger.setLevel(before[name])


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
            with _quiet(QUIET_WHILE_SEEDING), transaction.atomic():  # quiet until the commit has sent its tasks
                for module in settings.DEMO_SEEDERS:
                    import_module(module).seed(self.stdout)
        if not no_logins:
            import_module("stores.demo").print_logins(self.stdout)
