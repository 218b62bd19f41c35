"""Forms of the store's stock pages: starting a count, uploading what was counted, approving differences."""

import csv
import io

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import SKU, CountedItem

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class StartCountForm(forms.Form):
    skus = forms.CharField(
        label=_("Only these SKUs (comma-separated; empty: the whole store)"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "TSH001-NER-M, TSH001-NER-L"}),
    )

    def clean_skus(self) -> list[str]:
        codes = sorted({code.strip() for code in self.cleaned_data["skus"].split(",") if code.strip()})
        known = set(SKU.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise forms.ValidationError(_("Unknown SKU: %(codes)s") % {"codes": ", ".join(unknown)})
        return codes


class CountUploadForm(forms.Form):
    """A CSV of what was counted: `sku,quantity` lines (a handheld's export), or `epc` lines (an RFID reader's)."""

    file = forms.FileField(label=_("Counted items (CSV: sku,quantity, or epc)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        reader = csv.DictReader(io.StringIO(text))
        columns = set(reader.fieldnames or [])
        epcs, quantities, errors = [], [], []
        if columns >= {"sku", "quantity"}:
            for number, row in enumerate(reader, start=2):
                code, quantity = (row.get("sku") or "").strip(), (row.get("quantity") or "").strip()
                if not code or not quantity.isdigit() or int(quantity) > 99999:
                    errors.append(_("line %(n)s: a SKU and a quantity from 0 to 99999") % {"n": number})
                    continue
                quantities.append((code, int(quantity)))
        elif "epc" in columns:
            epcs = [(row.get("epc") or "").strip() for row in reader if (row.get("epc") or "").strip()]
        else:
            raise forms.ValidationError(_("The first line names the columns: sku,quantity (or epc)."))
        if quantities:
            codes = {code for code, _quantity in quantities}
            unknown = sorted(codes - set(SKU.objects.filter(code__in=codes).values_list("code", flat=True)))
            if unknown:
                errors.append(_("unknown SKU: %(codes)s") % {"codes": ", ".join(unknown[:20])})
        if errors:
            raise forms.ValidationError(errors[:20])
        if not epcs and not quantities:
            raise forms.ValidationError(_("The file counts nothing."))
        return {"epcs": epcs, "quantities": quantities}


class ApproveCountForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CountedItem.AdjustmentReason.choices)
