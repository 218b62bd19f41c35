import re

from django import forms
from django.utils.translation import gettext_lazy as _


class RecountForm(forms.Form):
    counted = forms.IntegerField(
        label=_("Units counted on the shelf and in the stockroom"), min_value=0, max_value=100000
    )


class DoneForm(forms.Form):
    """Tasks without a count: the button is the confirmation."""


class CannotDoForm(forms.Form):
    reason = forms.CharField(label=_("Why it cannot be done"), max_length=200)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CloseCaseForm(forms.Form):
    reason = forms.CharField(label=_("Why the case is closed"), max_length=500)


class CaseFilterForm(forms.Form):
    """The care queue's filters (GET); unknown values are ignored rather than refused."""

    scenario = forms.ChoiceField(label=_("Scenario"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    store = forms.CharField(label=_("Store"), required=False, max_length=20)

    def __init__(self, *args, scenarios=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = [("", _("All"))] + list(scenarios)
        self.fields["status"].choices = [("", _("Open and waiting"))] + list(statuses)


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Email, phone, order or reservation number, or name"), max_length=120, required=False)


class ConfirmedForm(forms.Form):
    """Every console action: a reason (kept on the timeline and in the audit log) and an explicit confirmation."""

    reason = forms.CharField(label=_("Why (kept on the order's timeline)"), max_length=500)
    confirm = forms.BooleanField(label=_("I confirm"), required=True)


class AddressForm(ConfirmedForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address (more)"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=80)
    postcode = forms.CharField(label=_("Postcode"), max_length=12)
    country = forms.CharField(label=_("Country"), max_length=2, initial="IT")

    field_order = ["name", "line1", "line2", "city", "postcode", "country", "reason", "confirm"]


class CancelForm(ConfirmedForm):
    sku = forms.ChoiceField(label=_("What to cancel"), required=False)
    quantity = forms.IntegerField(label=_("Units"), min_value=1, max_value=1000, required=False)

    field_order = ["sku", "quantity", "reason", "confirm"]

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sku"].choices = [("", _("The whole order"))] + [
            (line.sku.code, f"{line.sku.code} · {line.quantity_open}") for line in lines if line.quantity_open
        ]


class AmountForm(ConfirmedForm):
    amount = forms.DecimalField(label=_("Amount"), min_value=0.01, max_digits=10, decimal_places=2)

    field_order = ["amount", "reason", "confirm"]


class ExtendPickupForm(ConfirmedForm):
    days = forms.IntegerField(label=_("Days longer"), min_value=1, max_value=30)

    field_order = ["days", "reason", "confirm"]


class ExtendReservationForm(ConfirmedForm):
    hours = forms.IntegerField(label=_("Hours longer"), min_value=1, max_value=240)

    field_order = ["hours", "reason", "confirm"]


class ContactForm(ConfirmedForm):
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    field_order = ["email", "phone", "reason", "confirm"]


class ResendForm(forms.Form):
    """Sending a message again needs no reason: the customer asked."""


PHONE_ORDER_LINE = re.compile(r"^\s*(?P<sku>[^\s×*]+)\s*(?:[x×*]\s*)?(?P<quantity>\d+)?\s*$", re.IGNORECASE)
PHONE_ORDER_MAX_LINES = 20
PHONE_ORDER_MAX_UNITS = 20


def phone_order_lines(text: str) -> tuple[list[dict], list[str]]:
    """ "MAG001-GRI-M 2" per line (or "MAG001-GRI-M × 2"; no number: one unit) → ([{"sku", "quantity"}], errors);
    the same SKU twice adds up."""
    quantities: dict[str, int] = {}
    errors = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        match = PHONE_ORDER_LINE.match(raw)
        quantity = int(match["quantity"] or 1) if match else 0
        if not match or not 1 <= quantity <= PHONE_ORDER_MAX_UNITS:
            errors.append(
                _("Line %(n)s: a SKU and a number of units from 1 to %(max)s.")
                % {"n": number, "max": PHONE_ORDER_MAX_UNITS}
            )
            continue
        quantities[match["sku"]] = quantities.get(match["sku"], 0) + quantity
    if len(quantities) > PHONE_ORDER_MAX_LINES:
        errors.append(_("At most %(max)s different items.") % {"max": PHONE_ORDER_MAX_LINES})
    return [{"sku": sku, "quantity": quantity} for sku, quantity in quantities.items()], errors


class OnBehalfForm(forms.Form):
    items = forms.CharField(
        label=_("Items: one SKU per line, then the units"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "MAG001-GRI-M 1"}),
    )
    method = forms.ChoiceField(
        label=_("How"),
        choices=[
            ("store_pickup", _("Click & collect")),
            ("home_delivery", _("Home delivery")),
            ("reserve", _("Click & reserve (no payment)")),
        ],
    )
    store = forms.CharField(label=_("Store (collect or reserve)"), max_length=20, required=False)
    line1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=12, required=False)
    pay_by_link = forms.CharField(label=_("Pay-by-link reference"), max_length=120, required=False)

    def clean_items(self):
        lines, errors = phone_order_lines(self.cleaned_data["items"])
        if errors:
            raise forms.ValidationError(errors)
        if not lines:
            raise forms.ValidationError(_("Add at least one item."))
        return lines

    def clean(self):
        data = super().clean()
        method = data.get("method")
        if method in ("store_pickup", "reserve") and not data.get("store"):
            self.add_error("store", _("Choose the store."))
        if method == "home_delivery":
            for name in ("line1", "city", "postcode"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a home delivery."))
        if method in ("store_pickup", "home_delivery") and not data.get("pay_by_link"):
            self.add_error("pay_by_link", _("Give the pay-by-link reference sent to the customer."))
        return data


class KpiTargetForm(forms.Form):
    """Head office sets a figure's target, for every location or for one."""

    key = forms.ChoiceField(label=_("Figure"))
    location = forms.ModelChoiceField(
        label=_("For"), queryset=None, required=False, empty_label=_("Every location"), to_field_name="code"
    )
    percent = forms.DecimalField(label=_("Target (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2)

    def __init__(self, *args, figures=(), locations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [(rate.key, rate.label) for rate in figures]
        self.fields["location"].queryset = locations
