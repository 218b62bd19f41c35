"""Phone numbers as people type them ("347 987 6543", "+39 347-987-6543", "0039 347…") to E.164, the one form
the product stores and matches (the `phonenumbers` library: Google's libphonenumber rules)."""

import phonenumbers
from django.conf import settings


def phone_in_query(text: str) -> str | None:
    """A search box's text as a phone number (E.164) when it has enough digits to be one, else None: what the
    care console and the store's order search both match phones by."""
    return to_e164(text) if sum(ch.isdigit() for ch in text or "") >= 6 else None


def to_e164(text: str, *, region: str | None = None) -> str | None:
    """The E.164 form of a possible phone number, read in `region` (the brand's, PHONE_REGION) when it has no
    country code; None when it is not a valid number."""
    text = (text or "").strip()
    if not text or len(text) > 40:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
