import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def build_document_bundle(bundle_id):
    """Build a requested ZIP of a dialogue's documents. A failure marks the bundle failed
    (the page says so) instead of leaving it running forever."""
    from uptake.models import DocumentBundle
    from uptake.services.exports import bundle_build

    bundle = (
        DocumentBundle.objects.select_related("dialogue__programme", "requested_by")
        .filter(pk=bundle_id, status=DocumentBundle.Status.QUEUED)
        .first()
    )
    if bundle is None:
        return False
    try:
        bundle_build(bundle)
    except Exception:
        # Log the bundle id only: document text may name people.
        logger.exception("Building document bundle %s failed", bundle_id)
        DocumentBundle.objects.filter(pk=bundle_id).update(
            status=DocumentBundle.Status.FAILED,
            finished_at=timezone.now(),
        )
        raise
    return True


# Reminders go out in batches: small enough that a batch finishes well inside its time limit,
# large enough that a backlog does not become thousands of messages.
REMINDER_BATCH = 50


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def scan_reminders():
    """Beat, every minute: plan the reminders whose moment has come, then queue the pending
    ones for delivery in batches (after commit). Returns how many were queued. A batch queued
    twice (a slow worker, a rerun) is harmless: delivery claims each row once."""
    from uptake.services.reminders import emails_due, reminders_due, reminders_plan

    now = timezone.now()
    reminders_plan(now)
    due = reminders_due(now)
    for start in range(0, len(due), REMINDER_BATCH):
        deliver_reminders.delay_on_commit(due[start : start + REMINDER_BATCH])
    # E-mails a delivery could not send (mail server down, worker killed after its commit).
    unsent = emails_due(now)
    for start in range(0, len(unsent), REMINDER_BATCH):
        send_notification_emails.delay_on_commit(unsent[start : start + REMINDER_BATCH])
    return len(due)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def deliver_reminders(reminder_ids):
    """Deliver a batch of reminders (uptake.services.reminders.reminders_deliver): each in
    its own transaction, one that fails left pending for the next scan while the rest still
    go. Returns how many notifications were written."""
    from uptake.services.reminders import reminders_deliver

    reached, failed = reminders_deliver(reminder_ids)
    if failed:
        logger.warning("%s of %s reminders failed and stay pending", failed, len(reminder_ids))
    return reached


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_notification_emails(notification_ids):
    """Send the outbox e-mails of these notifications over one connection; each is claimed
    once, so a batch queued twice sends nothing twice. One that fails stays for the next scan
    (up to uptake.services.reminders.MAX_EMAIL_ATTEMPTS tries). Returns how many were sent."""
    from uptake.services.reminders import notification_emails_send

    return notification_emails_send(notification_ids)
