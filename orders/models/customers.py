"""Customers and the contact details an order, a reservation or a return keeps (DESIGN.md section 4)."""

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from omnichannel.models import TimeStampedModel
from stores.models import SalesChannel

E164 = RegexValidator(r"^\+[1-9]\d{6,14}$", _("Phone numbers are in international form, e.g. +393331234567."))


class NotifyBy(models.TextChoices):
    EMAIL_AND_SMS = "email_and_sms", _("Email and SMS")
    EMAIL = "email", _("Email only")
    SMS = "sms", _("SMS only")


class Customer(TimeStampedModel):
    """One customer across channels, matched by email.

    The record belongs to the channel that first brought the customer (`owner_channel`): only that channel
    changes its details and marketing consent through the API. Another channel's order with the same email is
    linked to the customer but keeps its own contact details on the order (`ContactDetails`), and messages about
    that order go there, so one channel can never redirect another channel's messages."""

    email = models.EmailField(_("email"), unique=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[E164])
    name = models.CharField(_("name"), max_length=120, blank=True)
    locale = models.CharField(_("language"), max_length=5, default="it", choices=settings.LANGUAGES)
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    # Where and when consent was last given or withdrawn (GDPR: consent must be demonstrable).
    marketing_consent_at = models.DateTimeField(_("consent changed at"), null=True, blank=True)
    marketing_consent_source = models.CharField(_("consent changed through"), max_length=40, blank=True)
    owner_channel = models.ForeignKey(
        SalesChannel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owning channel"),
    )

    NotifyBy = NotifyBy
    # How the customer wants to hear from us; without a phone number SMS is impossible and email is used.
    notify_by = models.CharField(
        _("notify by"), max_length=15, choices=NotifyBy.choices, default=NotifyBy.EMAIL_AND_SMS
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.name else self.email


class ContactDetails(models.Model):
    """The contact details given with an order or a reservation: messages about it go here, whatever the shared
    customer record says later (DESIGN.md section 4)."""

    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[E164])
    contact_name = models.CharField(_("name"), max_length=120, blank=True)
    contact_locale = models.CharField(_("language"), max_length=5, default="it", choices=settings.LANGUAGES)
    notify_by = models.CharField(
        _("notify by"), max_length=15, choices=NotifyBy.choices, default=NotifyBy.EMAIL_AND_SMS
    )

    class Meta:
        abstract = True

    @property
    def contact_label(self) -> str:
        return self.contact_name or self.contact_email


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)
