"""Reservation messages: every one renders in Italian and English, with the store and the end of the hold on
the store's clock; they go through the outbox and the real Twilio SDK like the order messages."""

from datetime import UTC, datetime

import pytest
import time_machine

from notifications import services
from notifications.messages import RESERVATION_MESSAGES
from notifications.models import MessageTemplate, Notification
from orders import services as orders
from orders.models import ReservationEvent
from tests.orders.conftest import customer, shops  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

MONDAY_MORNING = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # 11:00 in Milan


def reserve(shops, locale="it"):  # noqa: F811
    with time_machine.travel(MONDAY_MORNING, tick=False):
        return orders.reserve_items(
            channel=shops["web"],
            customer=customer(locale=locale),
            location="MI01",
            lines=[{"sku": "TEE-M", "quantity": 1}],
        )


def test_every_reservation_message_renders_in_both_languages(shops):  # noqa: F811
    reservation = reserve(shops)
    for locale in ("it", "en"):
        reservation.contact_locale = locale
        reservation.save()
        for event_type in RESERVATION_MESSAGES:
            event = ReservationEvent.objects.create(
                reservation=reservation, type=event_type.removeprefix("reservation_")
            )
            email, sms = services.queue_for_reservation_event(event=event)
            assert reservation.number in email.subject and reservation.number in sms.body_text, (locale, event_type)
            assert "%(" not in email.subject + sms.body_text + email.body_text
            assert email.body_html.startswith("<!DOCTYPE html>") and "Brunello Milano" in email.body_text
    italian = Notification.objects.filter(event="reservation_held", locale="it", channel="email").last()
    # Italian weekday and month names in lower case, as Italian writes them (Django's catalogue capitalizes).
    assert "mercoledì 18 novembre, 11:00" in italian.body_text and "Lunedì: 10:00–19:30" in italian.body_text
    assert "Mercoledì 18" not in italian.body_text + italian.subject
    expired = Notification.objects.filter(event="reservation_expired", locale="it", channel="sms").last()
    assert "è scaduta mercoledì 18 novembre" in expired.body_text  # no article before a weekday
    english = Notification.objects.filter(event="reservation_held", locale="en", channel="email").last()
    assert "Wednesday 18 November, 11:00" in english.body_text and italian.subject != english.subject


def test_purchased_and_declined_send_nothing(shops):  # noqa: F811
    reservation = reserve(shops)
    for event_type in ("purchased", "declined"):
        event = ReservationEvent.objects.create(reservation=reservation, type=event_type)
        assert services.queue_for_reservation_event(event=event) == []


def test_head_office_wording_replaces_the_reservation_sms(shops):  # noqa: F811
    MessageTemplate.objects.create(
        event="reservation_held",
        channel="sms",
        locale="it",
        body="{{ brand }}: {{ number }} ti aspetta da {{ store }} fino a {{ reserved_until }}.",
    )
    reservation = reserve(shops)
    sms = reservation.notifications.get(channel="sms")
    assert sms.body_text == (
        f"Brunello: {reservation.number} ti aspetta da Brunello Milano fino a mercoledì 18 novembre, 11:00."
    )


def test_a_reservation_made_at_night_is_confirmed_by_email_now_and_by_sms_in_the_morning(shops, twilio):  # noqa: F811
    with time_machine.travel(datetime(2026, 11, 16, 22, 30, tzinfo=UTC), tick=False):  # 23:30 in Milan
        reservation = orders.reserve_items(
            channel=shops["web"], customer=customer(), location="MI01", lines=[{"sku": "TEE-M", "quantity": 1}]
        )
        email = reservation.notifications.get(channel="email")
        sms = reservation.notifications.get(channel="sms")
        assert email.send_after == datetime(2026, 11, 16, 22, 30, tzinfo=UTC)
        assert sms.send_after == datetime(2026, 11, 17, 7, 0, tzinfo=UTC)  # 08:00 in Milan
        assert services.sweep()["sent"] == 1
    with time_machine.travel(datetime(2026, 11, 17, 7, 1, tzinfo=UTC), tick=False):
        assert services.sweep()["sent"] == 1
    assert len(twilio.requests) == 1 and reservation.number in twilio.requests[0]["data"]["Body"]
