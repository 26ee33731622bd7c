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
