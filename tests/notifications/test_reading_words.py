"""Reading a queued message's words writes nothing (issue 26, item 6): a page or the admin that shows a message
before the worker sends it renders its words in memory; the worker stores them when it sends."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import services as outbox
from notifications.models import Notification
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db


def test_reading_a_queued_messages_words_writes_nothing_and_sending_stores_them(net):  # noqa: F811
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    email = Notification.objects.get(order=order, channel="email")
    with CaptureQueriesContext(connection) as queries:
        assert order.number in email.subject and order.number in email.body_text and email.body_html
    assert not [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert Notification.objects.filter(pk=email.pk, rendered_at__isnull=True, text="").exists()
    assert outbox.send_notification(email.pk) == "sent"
    stored = Notification.objects.get(pk=email.pk)
    assert stored.rendered_at is not None and order.number in stored.text
