"""The M&E pages of each programme kept rendered: the donors' results page and the team's
dashboard (issue 8: a page is served in a fraction of the time its aggregates take to
compute)."""

import uuid

from django.db import models


class ResultsSnapshot(models.Model):
    """The rendered bodies of a programme's results page and dashboard, per kind of reader
    and language, with the token of the programme's data they were rendered from.

    Any change to the data behind the pages gives the programme a new `token`, in the same
    transaction as the change (monitoring.services.results_snapshots), so a page rendered
    before the change is never served after it. Each page holds what its kind of reader
    sees and is served to them only: the results page what donors see (aggregates,
    suppressed and redacted), the dashboard participants' names only in the page kept for
    readers who may see identities. Any change to a participant drops the kept bodies
    with the token, so neither an erased name nor a changed one stays stored here."""

    programme = models.OneToOneField(
        "dialogues.Programme",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="results_snapshot",
    )
    token = models.UUIDField(default=uuid.uuid4)
    # {"<kind>/<language code>": {"token", "computed_at", "valid_until" (ISO 8601),
    #  "body" (HTML)}}; kinds in monitoring.services.results_snapshots.RENDERERS
    pages = models.JSONField(default=dict, blank=True)
    # When the pages need rendering again: the moment of the last change, or the earliest
    # moment one of them expires (a session ends, the programme's day turns, the age limit);
    # None when there is nothing to render.
    expires_at = models.DateTimeField(null=True, blank=True)
    # {"<kind>/<language code>": "YYYY-MM-DD"}: the day (UTC) each page was last viewed. A
    # page nobody has viewed for a while is dropped instead of rendered again.
    viewed = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            # The refresh task's scan: snapshots changed or expired.
            models.Index(fields=["expires_at"], name="monitoring_snapshot_due")
        ]

    def __str__(self):
        return f"Results snapshot of programme {self.programme_id}"
