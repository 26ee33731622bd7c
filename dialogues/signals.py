"""Signals for what dialogues writes in bulk, which sends no post_save or post_delete: apps
that keep something derived from these rows listen here (monitoring's results snapshots)."""

from django.dispatch import Signal

# Sent by dialogues.services.sessions.session_record_attendance inside its transaction,
# with `session`, once the attendance of the session has been written.
attendance_recorded = Signal()
