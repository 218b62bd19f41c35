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
