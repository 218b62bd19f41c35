from django import forms
from django.utils.translation import gettext_lazy as _


class RecountForm(forms.Form):
    counted = forms.IntegerField(
        label=_("Units counted on the shelf and in the stockroom"), min_value=0, max_value=100000
    )


class CannotDoForm(forms.Form):
    reason = forms.CharField(label=_("Why it cannot be done"), max_length=200)
