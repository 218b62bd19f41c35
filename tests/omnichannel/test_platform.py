import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from inventory.models import SKU, Product, StockHold, StockLevel, StockMovement
from orders.models import Order, Reservation, ReservationLine
from orders.reservations.selectors import reservation_kpis, store_reservation_summary
from stores.models import Location, SalesChannel, StoreMembership


def test_healthz_answers_once_the_database_is_reachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_openapi_schema_documents_every_endpoint(db):
    response = APIClient().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/locations/", "/api/v1/products/", "/api/v1/products/{sku}/", "/api/v1/availability/"):
        assert path in paths
    assert response.json()["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "Authorization"


def test_api_docs_load_their_assets_from_this_server(client, db):
    page = client.get("/api/v1/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui" in asset for asset in assets)
    assert all(not asset.startswith(("http://", "https://", "//")) for asset in assets), assets
    asset = next(a for a in assets if a.endswith("swagger-ui-bundle.js"))
    assert client.get(asset).status_code == 200


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # a Monday morning in Milan: the stores are open
def test_seed_demo_builds_a_realistic_brand_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Location.objects.count(), SKU.objects.count(), StockLevel.objects.count(), StockMovement.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert (
        Location.objects.count(),
        SKU.objects.count(),
        StockLevel.objects.count(),
        StockMovement.objects.count(),
    ) == counts

    stores = Location.objects.filter(kind="store")
    assert stores.count() >= 8 and Location.objects.filter(kind="warehouse").count() == 1
    assert Location.objects.filter(kind="locker").exists()
    assert len({tuple(sorted(s.capabilities)) for s in stores}) >= 3  # not every store does everything
    assert set(SalesChannel.objects.values_list("code", flat=True)) == {"web", "marketplace", "pos", "call_center"}
    assert Product.objects.count() >= 40 and SKU.objects.count() >= 250
    warehouse_skus = set(
        StockLevel.objects.filter(location__kind="warehouse", on_hand__gt=0).values_list("sku", flat=True)
    )
    store_only = SKU.objects.exclude(pk__in=warehouse_skus).filter(stock_levels__on_hand__gt=0).distinct()
    assert store_only.exists()
    for store in stores:
        assert set(StoreMembership.objects.filter(location=store).values_list("role", flat=True)) == {
            "manager",
            "associate",
        }
    assert "mi01.associate" in out.getvalue() and "care.agent" in out.getvalue()
    # A no-show's expiry message names when its window ended, on the store's clock (not when the demo loaded).
    from django.utils import translation

    from notifications.models import Notification
    from omnichannel.localtime import long_date

    # Today's demo, not the 90 days of history before it (written as finished rows, without messages).
    no_show = (
        Reservation.objects.filter(status="expired")
        .exclude(number__startswith="PR-H-")
        .select_related("location")
        .first()
    )
    message = Notification.objects.filter(reservation=no_show, event="reservation_expired").first()
    # The past messages the demo marks sent carry their words (the console and the outbox show them).
    told = Notification.objects.filter(reservation__status="expired", status="sent")
    assert told.exists() and not told.filter(text="").exists()
    with translation.override(message.locale):
        assert long_date(no_show.expires_at, no_show.location.tz_name) in message.body_text
    quiet = io.StringIO()
    call_command("seed_demo", "--no-logins", stdout=quiet)
    assert "Loading the demo brand" in quiet.getvalue() and "Demo logins" not in quiet.getvalue()
    # Staff have names of their own: MI01's and MI02's associates do not look alike.
    staff = StoreMembership.objects.select_related("user", "location")
    names = [membership.user.get_full_name() for membership in staff]
    assert len(set(names)) == len(names)
    assert not any(membership.location.city in membership.user.get_full_name() for membership in staff)

    # Click & reserve in every state, in every store that offers it, with KPIs that mean something.
    reservations = Reservation.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Reservation.objects.count() == reservations
    assert set(Reservation.objects.values_list("status", flat=True)) == set(Reservation.Status.values)
    reserving = Location.objects.with_capability("click_and_reserve")
    assert set(Reservation.objects.values_list("location", flat=True)) == set(reserving.values_list("pk", flat=True))
    kpis = reservation_kpis()
    assert kpis["closed"] >= 20 and 0.3 < kpis["conversion_rate"] < 0.9 and kpis["show_up"] > timedelta(hours=1)
    assert store_reservation_summary(location=Location.objects.get(code="MI01"))["ending_today"] >= 1
    # The past was told at the time: no message of a closed demo reservation waits in the outbox.
    from notifications.models import Notification

    history = Notification.objects.filter(reservation__closed_at__isnull=False)
    assert history.exists() and not history.exclude(status="sent").exists()
    held = StockHold.objects.filter(kind="reservation", status="active")
    assert held.count() == ReservationLine.objects.filter(reservation__status="held").count()
    # Returns: one expected at the Milan counter, one by courier on its way (an exchange held), one refunded.
    from orders.models import Return

    today = Return.objects.exclude(number__startswith="RS-H-")  # not the 90 days of history
    assert set(today.values_list("status", flat=True)) == {"requested", "in_transit", "closed"}
    assert today.get(status="requested").location.code == "MI01"
    assert today.get(status="closed").refunded_amount > 0
    # The 90 days before: finished orders every day, some returned, and the figures already computed.
    from support_playbook.models import KpiDay

    assert Order.objects.filter(number__startswith="BR-H-").count() > 1000
    assert Return.objects.filter(number__startswith="RS-H-", status="closed").exists()
    assert KpiDay.objects.filter(location__isnull=True).values("day").distinct().count() >= 90


def test_every_italian_string_is_translated():
    po = (Path(settings.BASE_DIR) / "locale/it/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = re.findall(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', po)
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries if msgid.strip() != '""' and msgstr.strip() == '""']
    assert not untranslated
    assert "fuzzy" not in po  # compilemessages skips fuzzy entries: they would show in English
    mo = Path(settings.BASE_DIR) / "locale/it/LC_MESSAGES/django.mo"
    assert mo.stat().st_mtime >= 0 and mo.stat().st_size > 1000


@pytest.mark.django_db(transaction=True)  # the messages' tasks are sent after the commit, as under `make run`
def test_seed_demo_prints_its_summary_only(monkeypatch, caplog, return_reasons):
    # `make run` printed one "django-q Enqueued" line per queued message and the warning of the SMS the demo fails
    # on purpose before the URL table (issue 25, item 22). The tasks are still queued for the worker.
    from django_q.conf import Conf
    from django_q.models import OrmQ

    monkeypatch.setattr(Conf, "SYNC", False)  # as under `make run`: queued for the worker, not run here
    out = io.StringIO()
    with caplog.at_level("INFO"):
        call_command("seed_demo", "--no-logins", stdout=out)
    noisy = [r for r in caplog.records if r.name == "django-q" or r.levelname in ("WARNING", "ERROR")]
    assert not noisy, [f"{r.name} {r.levelname} {r.getMessage()}" for r in noisy[:3]]
    assert out.getvalue().startswith("Loading the demo brand:")
    assert OrmQ.objects.exists()
