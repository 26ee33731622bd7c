from django.db import migrations


def forget_pages_kept_by_language_alone(apps, schema_editor):
    """Pages were kept under their language alone ("en"); they are now kept under
    "<kind>/<language>". The old ones would never be served again: drop them, and the next
    view renders and keeps each page under its new key. Backwards the same, for the same
    reason."""
    ResultsSnapshot = apps.get_model("monitoring", "ResultsSnapshot")
    ResultsSnapshot.objects.update(pages={}, expires_at=None)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0005_results_snapshot")]

    operations = [
        migrations.RunPython(forget_pages_kept_by_language_alone, forget_pages_kept_by_language_alone)
    ]
