from django.core.management.base import BaseCommand, CommandError

from omnichannel.errors import DomainError
from stores.models import ApiKey, Location, SalesChannel
from stores.services import create_api_key


class Command(BaseCommand):
    help = (
        "Create an API key: for a sales channel (`create_api_key web`), a location (`--location WH01`), a carrier "
        "(`--carrier BRT`), customer care (`--care`) or head office (`--head-office`, read only). "
        "The key is printed once, as the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("channel", nargs="?", help="Sales channel code, e.g. web")
        owner = parser.add_mutually_exclusive_group()
        owner.add_argument("--location", help="Location code: the key acts for that location's work")
        owner.add_argument("--carrier", help="Carrier code as on parcels, e.g. BRT: tracking events of its parcels")
        owner.add_argument("--care", action="store_true", help="Customer care (cases)")
        owner.add_argument("--head-office", action="store_true", help="Head office: reads across channels")
        parser.add_argument("--name", default="", help="What the key is for, e.g. 'storefront production'")

    def handle(self, *args, channel, location, carrier, care, head_office, name, **options):
        owners = [bool(channel), bool(location), bool(carrier), care, head_office]
        if sum(owners) != 1:
            raise CommandError(
                "Name exactly one owner: a channel code, --location, --carrier, --care or --head-office."
            )
        kwargs = {"name": name}
        if channel:
            kwargs.update(kind=ApiKey.Kind.CHANNEL, channel=SalesChannel.objects.filter(code=channel).first())
            if kwargs["channel"] is None:
                codes = ", ".join(SalesChannel.objects.values_list("code", flat=True)) or "none yet (run seed_demo)"
                raise CommandError(f"Unknown sales channel '{channel}'. Channels: {codes}")
        elif location:
            kwargs.update(kind=ApiKey.Kind.LOCATION, location=Location.objects.filter(code=location).first())
            if kwargs["location"] is None:
                codes = ", ".join(Location.objects.values_list("code", flat=True)) or "none yet (run seed_demo)"
                raise CommandError(f"Unknown location '{location}'. Locations: {codes}")
        elif carrier:
            kwargs.update(kind=ApiKey.Kind.CARRIER, carrier=carrier)
        else:
            kwargs.update(kind=ApiKey.Kind.CARE if care else ApiKey.Kind.HEAD_OFFICE)
        try:
            api_key, raw_key = create_api_key(**kwargs)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(f"API key {api_key.prefix}… for {api_key.owner_label}. Store it now: it is not shown again.")
        self.stdout.write(raw_key)
