"""Forms of the store's reservation pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
