"""Forms of returns: the customer's return start and the store desk's receipt."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from inventory.models import SKU


def chosen_return_lines(returnables, data: dict) -> list[dict]:
    """The lines for `orders.services.request_return` from a return form's cleaned data: per returnable order line,
    `quantity_<id>` units (none: not returned), `reason_<id>` and, when the form has one, `note_<id>`."""
    return [
        {
            "order": r.line.order.number,
            "sku": r.line.sku.code,
            "quantity": data[f"quantity_{r.line.pk}"],
            "reason": data.get(f"reason_{r.line.pk}") or "",
            "note": data.get(f"note_{r.line.pk}") or "",
        }
        for r in returnables
        if data.get(f"quantity_{r.line.pk}")
    ]


def add_exchange_fields(form, returnables, *, money_back) -> None:
    """Per returnable line an `exchange_<id>` choice: `money_back` (the refund), or another active size or colour of
    the same product at the price paid (one query for every product of the lines)."""
    others: dict[int, list] = {}
    for sku in SKU.objects.filter(product_id__in={r.line.sku.product_id for r in returnables}, active=True).order_by(
        "code"
    ):
        others.setdefault(sku.product_id, []).append(sku)
    for r in returnables:
        choices = [("", money_back)] + [
            (sku.code, _("Exchange for %(colour)s, size %(size)s") % {"colour": sku.colour, "size": sku.size})
            for sku in others.get(r.line.sku.product_id, [])
            if sku.pk != r.line.sku_id
        ]
        form.fields[f"exchange_{r.line.pk}"] = forms.ChoiceField(label=_("Instead"), choices=choices, required=False)


def chosen_exchange(returnables, data: dict) -> list[dict]:
    """The replacements for `orders.services.request_return(exchange=…)`: as many units of the chosen size or colour
    as come back of each line that asked for one."""
    return [
        {"sku": data[f"exchange_{r.line.pk}"], "quantity": data[f"quantity_{r.line.pk}"]}
        for r in returnables
        if data.get(f"quantity_{r.line.pk}") and data.get(f"exchange_{r.line.pk}")
    ]


class ReturnStartForm(forms.Form):
    """A customer at the counter: per item of the order still returnable, how many units come back and why."""

    def __init__(self, *args, returnables, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.returnables = [r for r in returnables if r.returnable]
        self.refused = [r for r in returnables if not r.returnable]
        choices = [(reason.code, reason.name_for(get_language())) for reason in reasons]
        for r in self.returnables:
            self.fields[f"quantity_{r.line.pk}"] = forms.IntegerField(
                label=_("Units back"), min_value=0, max_value=r.returnable, initial=0, required=False
            )
            self.fields[f"reason_{r.line.pk}"] = forms.ChoiceField(label=_("Why"), choices=choices, required=False)
            self.fields[f"note_{r.line.pk}"] = forms.CharField(label=_("Note"), max_length=500, required=False)
        # Another size or colour instead of the money: held now, handed over here when the return is received.
        add_exchange_fields(self, self.returnables, money_back=_("Money back"))

    def rows(self):
        return [
            (
                r,
                self[f"quantity_{r.line.pk}"],
                self[f"reason_{r.line.pk}"],
                self[f"exchange_{r.line.pk}"],
                self[f"note_{r.line.pk}"],
            )
            for r in self.returnables
        ]

    def clean(self):
        data = super().clean()
        if not self.lines():
            raise forms.ValidationError(_("Say how many units of at least one item come back."))
        for r in self.returnables:
            if data.get(f"quantity_{r.line.pk}") and not data.get(f"reason_{r.line.pk}"):
                self.add_error(f"reason_{r.line.pk}", _("Choose why it comes back."))
        return data

    def lines(self) -> list[dict]:
        return chosen_return_lines(self.returnables, self.cleaned_data)

    def exchange(self) -> list[dict]:
        return chosen_exchange(self.returnables, self.cleaned_data)


class ReceiveReturnForm(forms.Form):
    """Receiving at the counter or the returns desk: per line, where each unit that arrived goes. The units
    received are the sum; a unit not given a destination did not arrive."""

    DISPOSITIONS = (
        ("restock_here", _("Back on sale here")),
        ("send_to_warehouse", _("Send to the warehouse")),
        ("quarantine", _("Quarantine")),
        ("write_off", _("Write off (damaged)")),
    )

    def __init__(self, *args, return_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.return_lines = list(return_request.lines.all())
        self.dispositions = [
            (name, label)
            for name, label in self.DISPOSITIONS
            if name != "send_to_warehouse" or return_request.location.kind != "warehouse"
        ]
        for line in self.return_lines:
            for name, _label in self.dispositions:
                self.fields[f"{name}_{line.pk}"] = forms.IntegerField(
                    min_value=0,
                    max_value=line.quantity,
                    initial=line.quantity if name == "restock_here" else 0,
                    required=False,
                )
        self.fields["confirm"] = forms.BooleanField(
            label=_("I counted the items and checked their condition"), required=True
        )
        # At a store's desk the associate decides on the spot for damaged units; elsewhere customer care does.
        self.at_store_desk = return_request.location.kind == "store"
        if self.at_store_desk:
            self.fields["damaged_refund"] = forms.ChoiceField(
                label=_("Damaged units (quarantine, write off)"),
                choices=[("now", _("Refund now")), ("care", _("Let customer care decide"))],
                widget=forms.RadioSelect,
                required=False,
            )

    def rows(self):
        return [
            (line, [(label, self[f"{name}_{line.pk}"]) for name, label in self.dispositions])
            for line in self.return_lines
        ]

    def clean(self):
        data = super().clean()
        for line in self.return_lines:
            units = sum(data.get(f"{name}_{line.pk}") or 0 for name, _label in self.dispositions)
            if units > line.quantity:
                self.add_error(
                    None,
                    _("%(sku)s: %(units)s units given a destination, but %(announced)s announced.")
                    % {"sku": line.order_line.sku.code, "units": units, "announced": line.quantity},
                )
        damaged = sum(
            (data.get(f"quarantine_{line.pk}") or 0) + (data.get(f"write_off_{line.pk}") or 0)
            for line in self.return_lines
        )
        if self.at_store_desk and damaged and not data.get("damaged_refund"):
            self.add_error("damaged_refund", _("Damaged units: refund them now, or let customer care decide."))
        return data

    def counts(self) -> list[dict]:
        """The receipt for `orders.services.receive_return`."""
        data = self.cleaned_data
        rows = []
        for line in self.return_lines:
            dispositions = {name: data.get(f"{name}_{line.pk}") or 0 for name, _label in self.dispositions}
            rows.append(
                {
                    "order": line.order_line.order.number,
                    "sku": line.order_line.sku.code,
                    "received": sum(dispositions.values()),
                    "dispositions": dispositions,
                }
            )
        return rows
