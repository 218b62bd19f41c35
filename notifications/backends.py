"""Delivery: email through Django's email backends, SMS through the Twilio SDK (or the log, offline)."""

import logging
import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Twilio error codes that no retry will fix: invalid / non-mobile / unsubscribed / unreachable numbers.
PERMANENT_TWILIO_CODES = {21211, 21214, 21217, 21219, 21401, 21407, 21408, 21421, 21606, 21610, 21612, 21614}


class PermanentDeliveryError(Exception):
    """Retrying will not help (bad address or number): the row is marked failed."""


class TemporaryDeliveryError(Exception):
    """Try again later (provider down, rate limited, network)."""


class EmailBackend:
    def send(self, notification) -> str:
        message_id = make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost")
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
            headers={"Message-ID": message_id},
        )
        if notification.body_html:
            message.attach_alternative(notification.body_html, "text/html")
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"recipient refused: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryDeliveryError(f"email not sent: {exc}") from exc
        return message_id.strip("<>")


class ConsoleSmsBackend:
    """No Twilio credentials: the SMS goes to the log and counts as sent (the demo works offline)."""

    def send(self, notification) -> str:
        logger.info("SMS to %s: %s", notification.recipient, notification.body_text)
        return f"console-{notification.pk}"


class TwilioSmsBackend:
    def __init__(self):
        from twilio.rest import Client

        if settings.TWILIO_HTTP_CLIENT:
            http_client = import_string(settings.TWILIO_HTTP_CLIENT)()
        else:
            from twilio.http.http_client import TwilioHttpClient

            # Bounded: a send that hangs would otherwise outlive the outbox's "sending" timeout and go twice.
            http_client = TwilioHttpClient(timeout=settings.PROVIDER_TIMEOUT_SECONDS)
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)

    def send(self, notification) -> str:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        base = settings.PUBLIC_BASE_URL.rstrip("/")
        extra = {"status_callback": f"{base}/notifications/twilio/status/"} if base else {}
        try:
            message = self.client.messages.create(
                to=notification.recipient, from_=settings.TWILIO_FROM, body=notification.body_text, **extra
            )
        except TwilioRestException as exc:
            if exc.code in PERMANENT_TWILIO_CODES or (exc.status == 400 and exc.code not in (20429,)):
                raise PermanentDeliveryError(f"Twilio {exc.code}: {exc.msg}") from exc
            raise TemporaryDeliveryError(f"Twilio {exc.status}/{exc.code}: {exc.msg}") from exc
        except (TwilioException, OSError) as exc:
            raise TemporaryDeliveryError(f"Twilio unreachable: {exc}") from exc
        return message.sid


def email_backend() -> EmailBackend:
    return EmailBackend()


def sms_backend():
    if settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM:
        return TwilioSmsBackend()
    return ConsoleSmsBackend()
