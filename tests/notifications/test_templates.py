import pytest

from notifications.models import MessageTemplate, Notification
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_active_override_replaces_the_built_in_text_for_its_language_only(net):  # noqa: F811
    MessageTemplate.objects.create(
        event="order_placed", channel="sms", locale="it", body="{{ brand }}: grazie! Ordine {{ number }} ricevuto."
    )
    MessageTemplate.objects.create(
        event="order_placed",
        channel="email",
        locale="it",
        subject="Grazie per l'ordine {{ number }}",
        body="Lo prepariamo con cura.",
    )
    MessageTemplate.objects.create(event="order_placed", channel="sms", locale="en", body="unused", active=False)
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    sms = Notification.objects.get(order=order, channel="sms")
    email = Notification.objects.get(order=order, channel="email")
    assert sms.body_text == f"Brunello: grazie! Ordine {order.number} ricevuto."
    assert email.subject == f"Grazie per l'ordine {order.number}"
    assert "Lo prepariamo con cura." in email.body_text and "Lo prepariamo con cura." in email.body_html
    assert "TEE-M" not in email.subject and "Maglia" in email.body_text  # the layout and lines stay

    english = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN, email="anna@example.com")
    english.contact_locale = "en"
    english.save()
    from notifications.services import queue_for_order_event

    sms_en = [n for n in queue_for_order_event(event=english.events.get(type="order_placed")) if n.channel == "sms"]
    assert sms_en[0].body_text.startswith("Brunello: we received order")  # inactive override: built-in text


def test_the_admin_refuses_a_broken_template_and_previews_a_good_one(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    broken = client.post(
        "/admin/notifications/messagetemplate/add/",
        {
            "event": "shipped",
            "channel": "sms",
            "locale": "it",
            "subject": "",
            "body": "{% if %}",
            "active": "on",
        },
    )
    assert broken.status_code == 200 and "Template error" in broken.content.decode()
    assert not MessageTemplate.objects.exists()
    good = client.post(
        "/admin/notifications/messagetemplate/add/",
        {
            "event": "shipped",
            "channel": "sms",
            "locale": "it",
            "subject": "",
            "body": "{{ brand }}: l'ordine {{ number }} è partito con {{ carrier }}.",
            "active": "on",
        },
    )
    assert good.status_code == 302
    template = MessageTemplate.objects.get()
    page = client.get(f"/admin/notifications/messagetemplate/{template.pk}/change/").content.decode()
    assert "Brunello: l&#x27;ordine BR-7KQ3X9M2 è partito con BRT." in page
