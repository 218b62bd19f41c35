from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from omnichannel.jobs import job_function


class Command(BaseCommand):
    help = "Run one scheduled job once, now (the same function the task worker runs on schedule)."

    def add_arguments(self, parser):
        parser.add_argument("name", help=f"One of: {', '.join(sorted(settings.SCHEDULED_JOBS))}")

    def handle(self, *args, name, **options):
        try:
            func = job_function(name)
        except KeyError as exc:
            raise CommandError(str(exc)) from None
        result = func()
        self.stdout.write(f"{name}: {result}")
