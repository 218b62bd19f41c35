"""The customer's own forms (no login: the tracking link is the key)."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from orders.models import Return
from orders.returns.forms import add_exchange_fields, chosen_exchange, chosen_return_lines
from stores.models import Location


class CustomerReturnForm(forms.Form):
    """Send items back: how many of each, why, money or another size or colour, and where to bring them."""

    how = forms.ChoiceField(
        label=_("How will you send them back?"), choices=Return.How.choices, widget=forms.RadioSelect
    )
    store = forms.ModelChoiceField(
        label=_("Store"),
        queryset=Location.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Choose…"),
    )
    locker = forms.ModelChoiceField(
        label=_("Locker"),
        queryset=Location.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Choose…"),
    )

    def __init__(self, *args, returnables, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.returnables = [r for r in returnables if r.returnable]
        self.refused = [r for r in returnables if not r.returnable]
        stores = Location.objects.active().filter(kind=Location.Kind.STORE).with_capability("accepts_returns")
        self.fields["store"].queryset = stores.order_by("city", "name")
        self.fields["locker"].queryset = Location.objects.active().filter(kind=Location.Kind.LOCKER).order_by("name")
        language = get_language()
        reason_choices = [("", _("Choose…"))] + [(reason.code, reason.name_for(language)) for reason in reasons]
        for r in self.returnables:
            pk = r.line.pk
            self.fields[f"quantity_{pk}"] = forms.TypedChoiceField(
                label=_("How many"), coerce=int, choices=[(n, n) for n in range(r.returnable + 1)], initial=0
            )
            self.fields[f"reason_{pk}"] = forms.ChoiceField(label=_("Why"), choices=reason_choices, required=False)
        add_exchange_fields(self, self.returnables, money_back=_("My money back"))

    def rows(self):
        return [
            (r, self[f"quantity_{r.line.pk}"], self[f"reason_{r.line.pk}"], self[f"exchange_{r.line.pk}"])
            for r in self.returnables
        ]

    def clean(self):
        data = super().clean()
        chosen = [r for r in self.returnables if data.get(f"quantity_{r.line.pk}")]
        if not chosen:
            raise forms.ValidationError(_("Choose at least one item to send back."))
        for r in chosen:
            if not data.get(f"reason_{r.line.pk}"):
                self.add_error(f"reason_{r.line.pk}", _("Tell us why, so we can do better."))
        if data.get("how") == Return.How.IN_STORE and not data.get("store"):
            self.add_error("store", _("Choose the store you will go to."))
        if data.get("how") == Return.How.LOCKER and not data.get("locker"):
            self.add_error("locker", _("Choose the locker you will use."))
        return data

    def lines(self) -> list[dict]:
        return chosen_return_lines(self.returnables, self.cleaned_data)

    def exchange(self) -> list[dict]:
        return chosen_exchange(self.returnables, self.cleaned_data)
