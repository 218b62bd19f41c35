from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from twilio.request_validator import RequestValidator

from inventory.errors import InsufficientStock
from notifications import services
from notifications.messages import ORDER_MESSAGES
from notifications.models import Notification
from notifications.signals import notification_failed
from orders import services as orders
from orders.models import OrderEvent
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


def at_rome(*args):
    return datetime(*args, tzinfo=ROME)


def test_an_order_writes_its_messages_in_the_same_transaction(net):  # noqa: F811
    with time_machine.travel(at_rome(2026, 11, 23, 10, 0), tick=False):
        order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    rows = {n.channel: n for n in Notification.objects.filter(order=order)}
    assert set(rows) == {"email", "sms"}
    assert rows["email"].recipient == "giulia@example.com" and rows["email"].locale == "it"
    assert rows["email"].subject == f"Abbiamo ricevuto il tuo ordine {order.number}"
    assert order.number in rows["sms"].body_text and "/track/" in rows["sms"].body_text
    with pytest.raises(InsufficientStock):
        place(net, [("TEE-M", 99, "19.90")], HOME_MILAN)
    assert Notification.objects.count() == 2  # a refused order tells nobody anything


def test_every_event_renders_in_both_languages(net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    orders.start_picking(fulfillment=fulfillment)
    orders.mark_ready_for_pickup(fulfillment=fulfillment)
    for locale in ("it", "en"):
        Notification.objects.update(fact="")  # each language tells the same once-only facts again
        order.contact_locale = locale  # the language given with the order
        order.save()
        for event_type in ORDER_MESSAGES:
            event = OrderEvent.objects.create(
                order=order, fulfillment=fulfillment, type=event_type, data={"refund": "19.90", "sku": "TEE-M"}
            )
            email, sms = services.queue_for_order_event(event=event)
            assert order.number in email.subject and order.number in sms.body_text, (locale, event_type)
            assert "%(" not in email.subject + sms.body_text + email.body_text
            assert "&#x27;" not in email.body_text and "&amp;" not in email.body_text  # plain text, not HTML
            assert email.body_html.startswith("<!DOCTYPE html>") and order.number in email.body_text
        ready = Notification.objects.filter(event="ready_for_pickup", locale=locale, channel="sms").last()
        assert fulfillment.pickup_code in ready.body_text and "Via Roma 1" in ready.body_text
    it = Notification.objects.filter(event="shipped", locale="it", channel="email").last().subject
    en = Notification.objects.filter(event="shipped", locale="en", channel="email").last().subject
    assert it != en and "in viaggio" in it and "on its way" in en


def test_the_sweep_sends_email_and_sms_through_the_real_sdk(net, twilio):  # noqa: F811
    with time_machine.travel(at_rome(2026, 11, 23, 10, 0), tick=False):
        order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
        result = services.sweep()
    assert result["sent"] == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["giulia@example.com"]
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    (request,) = twilio.requests
    assert request["method"] == "POST"
    assert request["uri"].endswith(f"/Accounts/AC{'0' * 32}/Messages.json")
    assert request["data"]["To"] == "+393331234567" and request["data"]["From"] == "+390212345678"
    assert order.number in request["data"]["Body"]
    assert request["data"]["StatusCallback"] == "https://oms.example.com/notifications/twilio/status/"
    sms = Notification.objects.get(order=order, channel="sms")
    assert sms.status == "sent" and sms.provider_message_id.startswith("SM") and sms.attempts == 1
    assert services.sweep()["sent"] == 0  # nothing is sent twice


def test_an_invalid_number_fails_for_good_and_says_so(net, twilio):  # noqa: F811
    failed = []
    notification_failed.connect(
        lambda sender, notification, **kw: failed.append(notification.pk), weak=False, dispatch_uid="t-failed"
    )
    twilio.replies.append(
        (400, {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400})
    )
    try:
        with time_machine.travel(at_rome(2026, 11, 23, 10, 0), tick=False):
            place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
            services.sweep()
            services.sweep()
    finally:
        notification_failed.disconnect(dispatch_uid="t-failed")
    sms = Notification.objects.get(channel="sms")
    assert sms.status == "failed" and "21211" in sms.last_error and sms.attempts == 1
    assert failed == [sms.pk] and len(twilio.requests) == 1


def test_a_temporary_error_is_retried_with_backoff(net, twilio):  # noqa: F811
    twilio.replies += [(503, {"code": 20503, "message": "Service unavailable", "status": 503})] * 2
    start = at_rome(2026, 11, 23, 10, 0)
    with time_machine.travel(start, tick=False) as traveller:
        place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
        services.sweep()
        sms = Notification.objects.get(channel="sms")
        assert (sms.status, sms.attempts, sms.send_after) == ("pending", 1, timezone.now() + timedelta(minutes=1))
        assert services.sweep()["sent"] == 0  # not due yet
        traveller.shift(timedelta(minutes=1))
        services.sweep()
        sms.refresh_from_db()
        assert (sms.status, sms.attempts, sms.send_after) == ("pending", 2, timezone.now() + timedelta(minutes=2))
        traveller.shift(timedelta(minutes=2))
        services.sweep()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 3) and len(twilio.requests) == 3


@pytest.mark.parametrize(
    ("placed", "expected"),
    [
        (at_rome(2026, 11, 23, 14, 0), at_rome(2026, 11, 23, 14, 0)),  # daytime: now
        (at_rome(2026, 11, 23, 22, 30), at_rome(2026, 11, 24, 8, 0)),  # evening: tomorrow 08:00
        (at_rome(2026, 11, 24, 3, 0), at_rome(2026, 11, 24, 8, 0)),  # night: this morning 08:00
        # DST ends in Rome on 25 October 2026: 08:00 is 07:00 UTC after the change, 06:00 UTC before it.
        (at_rome(2026, 10, 24, 23, 0), at_rome(2026, 10, 25, 8, 0)),
        (at_rome(2026, 3, 28, 23, 0), at_rome(2026, 3, 29, 8, 0)),  # DST starts 29 March 2026
    ],
)
def test_no_sms_at_night_in_the_stores_timezone(net, placed, expected):  # noqa: F811
    with time_machine.travel(placed, tick=False):
        place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    sms = Notification.objects.get(channel="sms")
    email = Notification.objects.get(channel="email")
    assert sms.send_after == expected
    assert email.send_after == placed  # email is not held back
    assert services.after_quiet_hours(placed, "Europe/Rome") == expected


def test_twilio_status_callback_needs_a_valid_signature(client, net, twilio):  # noqa: F811
    with time_machine.travel(at_rome(2026, 11, 23, 10, 0), tick=False):
        place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
        services.sweep()
    sms = Notification.objects.get(channel="sms")
    url = "https://oms.example.com/notifications/twilio/status/"
    params = {"MessageSid": sms.provider_message_id, "MessageStatus": "delivered"}
    bad = client.post("/notifications/twilio/status/", params, HTTP_X_TWILIO_SIGNATURE="forged")
    assert bad.status_code == 403
    sms.refresh_from_db()
    assert sms.status == "sent"
    signature = RequestValidator("test-auth-token").compute_signature(url, params)
    good = client.post("/notifications/twilio/status/", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert good.status_code == 204
    sms.refresh_from_db()
    assert sms.status == "delivered" and sms.delivered_at is not None


@pytest.mark.parametrize(
    ("notify_by", "phone", "channels"),
    [
        ("email_and_sms", "+393331234567", {"email", "sms"}),
        ("email_and_sms", "", {"email"}),  # no phone: email only
        ("sms", "+393331234567", {"sms"}),
        ("email", "+393331234567", {"email"}),
        ("sms", "", {"email"}),  # asked for SMS only but gave no number: email rather than nothing
    ],
)
def test_customers_choose_how_they_are_told(net, notify_by, phone, channels):  # noqa: F811
    from tests.orders.conftest import payload

    data = payload([("TEE-M", 1, "19.90")], HOME_MILAN, email=f"{notify_by}{len(phone)}@example.com")
    data["customer"].update(phone=phone, notify_by=notify_by)
    order = orders.place_order(
        channel=net["web"],
        customer=data["customer"],
        lines=data["lines"],
        fulfillment=data["fulfillment"],
        payment=data["payment"],
    )
    assert set(Notification.objects.filter(order=order).values_list("channel", flat=True)) == channels


def test_messages_are_rendered_when_sent_not_while_the_order_is_written(net, twilio):  # noqa: F811
    with time_machine.travel(at_rome(2026, 11, 23, 10, 0), tick=False):  # daytime: the SMS may leave
        order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
        rows = Notification.objects.filter(order=order)
        assert rows.count() == 2 and all(row.rendered_at is None for row in rows)  # queued with the event only
        services.sweep()
    for row in Notification.objects.filter(order=order):
        assert row.status == "sent" and row.rendered_at is not None and order.number in row.text
    assert order.number in twilio.requests[-1]["data"]["Body"]


def test_a_message_left_sending_by_a_dead_worker_goes_a_minute_later_not_five(net, twilio):  # noqa: F811
    # A worker killed mid-send leaves its row in `sending`; the outbox's sweep (every minute) takes it back after
    # OUTBOX_SENDING_TIMEOUT_SECONDS (60 s), above the providers' bounded timeout (issue 25, item 15).
    with time_machine.travel(at_rome(2026, 11, 23, 10, 0), tick=False):
        order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
        email = Notification.objects.get(order=order, channel="email")
        assert services.claim(email.pk) is not None  # the worker took it ... and died
    with time_machine.travel(at_rome(2026, 11, 23, 10, 0, 30), tick=False):
        assert services.sweep()["taken_back"] == 0  # still possibly being sent
    with time_machine.travel(at_rome(2026, 11, 23, 10, 1, 5), tick=False):
        assert services.sweep()["taken_back"] == 1
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 2


def test_provider_calls_are_bounded(settings):
    from notifications.backends import TwilioSmsBackend

    settings.TWILIO_HTTP_CLIENT = ""
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC" + "0" * 32, "token"
    assert TwilioSmsBackend().client.http_client.timeout == settings.PROVIDER_TIMEOUT_SECONDS == 20
    assert settings.EMAIL_TIMEOUT == 20 and settings.OUTBOX_SENDING_TIMEOUT_SECONDS >= 2 * 20
