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
