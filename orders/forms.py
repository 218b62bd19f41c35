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
