"""Webhook fan-out: 1 000 availability changes × 3 channels to a receiving server on loopback.

    PG_OPTIONS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on" \\
        scripts/with-postgres.sh .venv/bin/python bench/webhooks.py [--changes 1000] [--channels 3]

Three channels sell from the same 5 stores and list the same 1 000 SKUs, each with an endpoint subscribed to
`availability.changed` on a local receiver (a threading HTTP server that verifies every signature). 1 000 SKUs
change (one receipt each, set-based), then the push job runs (one delivery per SKU and channel) and the deliveries
are sent by the sweep, in this process, one after another as one worker sends them: end-to-end seconds from the
changes' commit to the last accepted delivery. Writes bench/results/webhooks.json. Not run in CI.
"""

import argparse
import http.server
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from network import durability, setup_django, write_result  # noqa: E402


class Receiver(http.server.ThreadingHTTPServer):
    def __init__(self, secrets):
        from standardwebhooks import Webhook

        self.verifiers = [Webhook(secret) for secret in secrets]
        self.accepted = 0
        self.bad = 0
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                ok = False
                for verifier in server.verifiers:
                    try:
                        verifier.verify(body, dict(self.headers))
                        ok = True
                        break
                    except Exception:  # another channel's secret
                        continue
                with server.lock:
                    if ok:
                        server.accepted += 1
                    else:
                        server.bad += 1
                self.send_response(200 if ok else 400)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=3)
    args = parser.parse_args()
    import os

    os.environ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true"
    setup_django()
    from standardwebhooks import Webhook

    from inventory import services as stock
    from inventory.models import SKU, ChannelListing, Product
    from notifications import webhooks
    from notifications.webhook_models import WebhookDelivery, WebhookEndpoint
    from stores.models import Location, SalesChannel
    from stores.selectors import forget_network_snapshot

    webhooks._enqueue = lambda ids: None  # the sweep below sends them, as one worker would
    product, _ = Product.objects.get_or_create(style="HOOK", defaults={"name": "Bench hook item"})
    SKU.objects.bulk_create(
        [SKU(product=product, code=f"HOOK-{n:05d}") for n in range(args.changes)], ignore_conflicts=True
    )
    skus = list(SKU.objects.filter(code__startswith="HOOK-").order_by("code")[: args.changes])
    stores = [
        Location.objects.get_or_create(
            code=f"H{n:02d}",
            defaults={"name": f"Hook store {n}", "kind": "store", "city": "Hook", "latitude": 45.0, "longitude": 9.0},
        )[0]
        for n in range(5)
    ]
    channels = []
    for n in range(args.channels):
        channel, _ = SalesChannel.objects.get_or_create(code=f"hook-{n}", defaults={"name": f"Hook {n}", "kind": "web"})
        channel.source_locations.set(stores)
        ChannelListing.objects.bulk_create(
            [ChannelListing(sku=sku, channel=channel, price=10) for sku in skus], ignore_conflicts=True
        )
        channels.append(channel)
    forget_network_snapshot()
    receiver = Receiver([])
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hooks"
    endpoints = [
        WebhookEndpoint.objects.create(channel=channel, url=url, event_types=["availability.changed"])
        for channel in channels
    ]
    receiver.verifiers = [Webhook(endpoint.secret) for endpoint in endpoints]
    webhooks.push_availability_changes()  # subscriptions start now
    started = time.perf_counter()
    stock.receive_units(location=stores[0], lines=[(sku.pk, 5) for sku in skus], reason="receipt")
    changed = time.perf_counter()
    pushed = 0
    while True:
        batch = webhooks.push_availability_changes()
        pushed += batch
        if not batch:
            break
    queued = time.perf_counter()
    sent = 0
    while True:
        batch = webhooks.sweep_webhooks(limit=1000)
        sent += batch
        if not batch:
            break
    finished = time.perf_counter()
    receiver.shutdown()
    write_result(
        "webhooks",
        {
            "postgresql": durability(),
            "changes": args.changes,
            "channels": args.channels,
            "deliveries_queued": pushed,
            "deliveries_sent": sent,
            "accepted_by_receiver": receiver.accepted,
            "refused_by_receiver": receiver.bad,
            "delivered": WebhookDelivery.objects.filter(status="delivered").count(),
            "changes_seconds": round(changed - started, 2),
            "push_job_seconds": round(queued - changed, 2),
            "sending_seconds": round(finished - queued, 2),
            "end_to_end_seconds": round(finished - started, 2),
        },
    )


if __name__ == "__main__":
    main()
