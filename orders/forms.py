from django import forms
from django.utils.translation import gettext_lazy as _


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=40)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=80)


class HandOverForm(forms.Form):
    pickup_code = forms.CharField(label=_("Customer's pickup code"), max_length=6, min_length=6)


class MissingForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Missing units"), min_value=1)


class TrackingUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("What the carrier says"),
        choices=[
            ("in_transit", _("In transit")),
            ("out_for_delivery", _("Out for delivery")),
            ("delivered", _("Delivered")),
            ("delivery_exception", _("Delivery problem")),
        ],
    )
    location = forms.CharField(label=_("Where"), max_length=120, required=False)


class PurchaseForm(forms.Form):
    """ "Customer bought it": the till receipt (optional) and, per item, how many units were bought."""

    pos_receipt = forms.CharField(label=_("Till receipt number (optional)"), max_length=40, required=False)

    def __init__(self, *args, reservation, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(reservation.lines.all())
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{line.sku.code} · {line.sku.product.name}",
                min_value=0,
                max_value=line.quantity,
                initial=line.quantity,
                required=False,
            )

    def bought(self) -> dict[int, int]:
        """line id → units bought; a line left empty counts as all its units."""
        return {
            line.pk: line.quantity
            if self.cleaned_data[f"line_{line.pk}"] is None
            else self.cleaned_data[f"line_{line.pk}"]
            for line in self.lines
        }

    def line_fields(self):
        return [(line, self[f"line_{line.pk}"]) for line in self.lines]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)
