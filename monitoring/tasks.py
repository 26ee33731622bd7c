import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

logger = logging.getLogger(__name__)

# Reviews go out in batches, as uptake's reminders do (uptake.tasks.REMINDER_BATCH).
REVIEW_BATCH = 50


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def scan_risk_reviews():
    """Beat: plan the review reminders of risks whose review moment has come, then queue the
    pending ones for delivery in batches (after commit). Returns how many were queued. A batch
    queued twice is harmless: delivery claims each row once. E-mails a delivery could not send
    are retried by uptake's scan (uptake.tasks.scan_reminders), which sends the whole outbox."""
    from monitoring.services.risk_reviews import risk_reviews_due, risk_reviews_plan

    now = timezone.now()
    risk_reviews_plan(now)
    due = risk_reviews_due(now)
    for start in range(0, len(due), REVIEW_BATCH):
        deliver_risk_reviews.delay_on_commit(due[start : start + REVIEW_BATCH])
    return len(due)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def deliver_risk_reviews(reminder_ids):
    """Deliver each review reminder in turn, each in its own transaction. One that fails stays
    pending for the next scan and the rest still go. Returns how many notifications were
    written."""
    from monitoring.services.risk_reviews import risk_review_deliver

    reached, failed = 0, 0
    for reminder_id in reminder_ids:
        try:
            reached += risk_review_deliver(reminder_id)
        except SoftTimeLimitExceeded:
            raise
        except Exception as error:
            # The id and the error's type only, no traceback: a message may hold an address.
            failed += 1
            logger.error(
                "Delivering risk review %s failed (%s); it stays pending",
                reminder_id,
                type(error).__name__,
            )
    if failed:
        logger.warning("%s of %s risk reviews failed and stay pending", failed, len(reminder_ids))
    return reached


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def refresh_results_snapshots():
    """Beat: render again the kept pages (results, dashboards) that a change or the passing
    of time has put out of date, the longest waiting first, so readers are served a kept
    page. Returns how many pages were rendered. A programme whose pages fail to render is
    put back by RETRY_AFTER and the rest still go: otherwise it would stay first in line
    and hold up every other. Stops at the soft time limit; the next run goes on."""
    from monitoring.services.results_snapshots import (
        results_snapshot_postpone,
        results_snapshot_refresh,
        snapshots_due,
    )

    rendered = 0
    try:
        for programme_id in snapshots_due():
            try:
                rendered += results_snapshot_refresh(programme_id)
            except SoftTimeLimitExceeded:
                raise
            except Exception as error:
                # The id and the error's type only: a message may hold a participant's name.
                logger.error(
                    "Rendering the kept pages of programme %s failed (%s); retried later",
                    programme_id,
                    type(error).__name__,
                )
                results_snapshot_postpone(programme_id)
    except SoftTimeLimitExceeded:
        logger.warning("Results snapshots: stopped at the time limit after %s pages", rendered)
    return rendered
