from django.core.management.base import BaseCommand, CommandError

from stores.models import SalesChannel
from stores.services import create_api_key


class Command(BaseCommand):
    help = "Create an API key for a sales channel. The key is printed once, as the last line."

    def add_arguments(self, parser):
        parser.add_argument("channel", help="Sales channel code, e.g. web")
        parser.add_argument("--name", default="", help="What the key is for, e.g. 'storefront production'")

    def handle(self, *args, channel, name, **options):
        sales_channel = SalesChannel.objects.filter(code=channel).first()
        if sales_channel is None:
            codes = ", ".join(SalesChannel.objects.values_list("code", flat=True)) or "none yet (run seed_demo)"
            raise CommandError(f"Unknown sales channel '{channel}'. Channels: {codes}")
        api_key, raw_key = create_api_key(channel=sales_channel, name=name)
        self.stderr.write(
            f"API key {api_key.prefix}… for channel {sales_channel.code}. Store it now: it is not shown again."
        )
        self.stdout.write(raw_key)
