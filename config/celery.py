import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("parley")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one beat schedule. Deadlines live in the database; periodic tasks only scan for them.
app.conf.beat_schedule = {
    # Expired login sessions are dead weight and, once stolen, useless: drop them nightly.
    "purge-expired-sessions": {
        "task": "dialogues.tasks.purge_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    # Reminders (ladder commitments, briefings awaiting feedback, pilots ending, sessions
    # starting): plan what has come due and queue it for delivery. Every minute; a scan not
    # started within that minute is dropped, the next one does its work.
    "scan-reminders": {
        "task": "uptake.tasks.scan_reminders",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    # Risk reviews: plan the reminders of risks whose review date has come (09:00 on the
    # programme's calendar) and queue them for delivery. Every five minutes is close enough
    # for a date; a scan not started in time is dropped, the next one does its work.
    "scan-risk-reviews": {
        "task": "monitoring.tasks.scan_risk_reviews",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 290},
    },
    # Kept results pages (monitoring.services.results_snapshots) out of date after a change
    # or as time passes: render them again, so donors seldom wait for a live render.
    "refresh-results-snapshots": {
        "task": "monitoring.tasks.refresh_results_snapshots",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 290},
    },
}
