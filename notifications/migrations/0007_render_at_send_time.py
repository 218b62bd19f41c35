from django.db import migrations, models
import django.db.models.deletion
from django.db.models import F


def written_rows_are_rendered(apps, schema_editor):
    """Rows written before carry their words already."""
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.update(rendered_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_verbose_names"),
        ("orders", "0011_care_console"),
    ]

    operations = [
        migrations.RenameField(model_name="notification", old_name="subject", new_name="subject_text"),
        migrations.RenameField(model_name="notification", old_name="body_text", new_name="text"),
        migrations.RenameField(model_name="notification", old_name="body_html", new_name="html"),
        migrations.AlterField(
            model_name="notification",
            name="text",
            field=models.TextField(blank=True, verbose_name="text"),
        ),
        migrations.AddField(
            model_name="notification",
            name="rendered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="rendered at"),
        ),
        migrations.AddField(
            model_name="notification",
            name="order_event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="orders.orderevent",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="reservation_event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="orders.reservationevent",
            ),
        ),
        migrations.RunPython(written_rows_are_rendered, migrations.RunPython.noop),
    ]
