"""The return reasons customers choose from (merchandisers edit the list in the admin)."""

from django.db import migrations

REASONS = [
    # code, Italian, English, damaged
    ("too_small", "Troppo piccolo", "Too small", False),
    ("too_big", "Troppo grande", "Too big", False),
    ("not_as_pictured", "Diverso dalla foto", "Not as pictured", False),
    ("quality", "Qualità non all'altezza", "Quality not as expected", False),
    ("damaged", "Arrivato danneggiato", "Arrived damaged", True),
    ("wrong_item", "Articolo sbagliato", "Wrong item sent", False),
    ("changed_mind", "Non mi piace più", "Changed my mind", False),
    ("other", "Altro", "Other", False),
]


def add_reasons(apps, schema_editor):
    ReturnReason = apps.get_model("orders", "ReturnReason")
    for position, (code, name_it, name_en, damaged) in enumerate(REASONS):
        ReturnReason.objects.get_or_create(
            code=code,
            defaults={"name_it": name_it, "name_en": name_en, "means_damaged": damaged, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("orders", "0012_returns")]

    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
