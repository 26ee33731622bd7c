import datetime

from django.db import migrations, models


def mark_kept_pages_viewed_today(apps, schema_editor):
    """Pages kept before views were recorded count as viewed on the day of the migration:
    otherwise the first refresh would take every one of them for idle and drop it."""
    ResultsSnapshot = apps.get_model("monitoring", "ResultsSnapshot")
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    for snapshot in ResultsSnapshot.objects.exclude(pages={}).only("pk", "pages"):
        ResultsSnapshot.objects.filter(pk=snapshot.pk).update(
            viewed=dict.fromkeys(snapshot.pages, today)
        )


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
        migrations.RunPython(mark_kept_pages_viewed_today, migrations.RunPython.noop),
    ]
