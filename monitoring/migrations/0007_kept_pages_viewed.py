from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0006_kept_pages_by_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="resultssnapshot",
            name="viewed",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
