"""Reminders that a risk is due for review, planned and delivered like uptake's reminders
(uptake.services.reminders): a row per (risk, review date) whose moment (09:00 on the review
date, on the programme's calendar) has come, at most MAX_LATE late; each claimed with a
conditional update inside the transaction that writes its notifications, whose e-mails go out
through uptake's outbox (notification_emails_send, retried by uptake.tasks.scan_reminders).

The text names the risk, its review date and the register; never a red line. A risk closed
or rescheduled meanwhile cancels its pending reminder (monitoring.services.risks does it on
the write too).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from dialogues.models import Membership, Participant
from dialogues.permissions import may_see_identity
from dialogues.services.attribution import Redactor
from monitoring.models import Risk, RiskReviewReminder
from uptake.models import Notification, ReminderKind, ReminderMute
from uptake.services.ladder import programme_zone
from uptake.services.reminders import MAX_LATE, ZONE_SLACK, local_moment, notification_emails_send

Role = Membership.Role
State = RiskReviewReminder.State


def review_moment(risk):
    """When the review of `risk` is announced: 09:00 on its review date in the programme's
    time zone, in UTC."""
    return local_moment(risk.review_on, programme_zone(risk.programme))


def risk_reviews_plan(now=None):
    """Write a pending RiskReviewReminder for every open risk whose review moment has come
    by `now`, at most MAX_LATE ago, and that has none for that date yet; returns how many
    rows it tried to add. Reads only the risks of a few days' window; safe to run at any
    time, by several workers at once (the unique constraint drops duplicates).
    Caller: the periodic scan (monitoring.tasks.scan_risk_reviews)."""
    now = now or timezone.now()
    utc_today = now.astimezone(datetime.UTC).date()
    planned_already = RiskReviewReminder.objects.filter(
        risk=OuterRef("pk"), due_on=OuterRef("review_on")
    )
    candidates = (
        Risk.objects.filter(
            status=Risk.Status.OPEN,
            review_on__gte=utc_today - MAX_LATE - ZONE_SLACK,
            review_on__lte=utc_today + ZONE_SLACK,
        )
        .filter(~Exists(planned_already))
        .select_related("programme")
    )
    planned = []
    for risk in candidates:
        fire_at = review_moment(risk)
        if fire_at <= now <= fire_at + MAX_LATE:
            planned.append(RiskReviewReminder(risk=risk, due_on=risk.review_on, fire_at=fire_at))
    RiskReviewReminder.objects.bulk_create(planned, ignore_conflicts=True)
    return len(planned)


def risk_reviews_due(now=None):
    """Ids of the pending review reminders whose moment has come, in order."""
    now = now or timezone.now()
    return list(
        RiskReviewReminder.objects.filter(state=State.PENDING, fire_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def review_recipients(risk):
    """Who is told that `risk` is due for review: its owner while they are an active
    non-donor member of the team, and the programme's officers; the facilitators when that
    is nobody. Active accounts only."""
    memberships = (
        Membership.objects.filter(programme=risk.programme, user__is_active=True)
        .exclude(role=Role.DONOR)
        .select_related("user")
        .order_by("user_id")
    )
    wanted = [
        m for m in memberships if m.user_id == risk.owner_id or m.role == Role.PROGRAMME_OFFICER
    ]
    if not wanted:
        wanted = [m for m in memberships if m.role == Role.FACILITATOR]
    return [membership.user for membership in wanted]


def _one_line(text):
    return " ".join((text or "").split())


def _review_text(risk, redact):
    values = {
        "risk": _one_line(redact(risk.title)),
        "date": formats.date_format(risk.review_on, "DATE_FORMAT"),
        "programme": _one_line(risk.programme.name),
    }
    title = _("Risk review due on %(date)s: %(risk)s") % values
    body = (
        _(
            "The risk “%(risk)s” of %(programme)s is due for review on %(date)s. Look again at "
            "its likelihood, impact and mitigation, then set its next review date or close it."
        )
        % values
    )
    url = reverse("monitoring:risk_register", args=[risk.programme.public_id])
    return title, body, f"{url}#risk-{risk.public_id}"


def _email_text(programme, title, body, url):
    """The subject and body of the e-mail, in uptake's reminder templates."""
    context = {
        "title": title,
        "body": body,
        "programme": programme.name,
        "link": f"{settings.PARLEY_BASE_URL}{url}",
        "settings_link": settings.PARLEY_BASE_URL + reverse("uptake:notification_settings"),
    }
    subject = _one_line(render_to_string("uptake/email/reminder_subject.txt", context))
    subject = Truncator(subject).chars(Notification._meta.get_field("email_subject").max_length)
    return subject, render_to_string("uptake/email/reminder.txt", context)


def risk_review_deliver(reminder_id, now=None):
    """Deliver the review reminder `reminder_id` if it is still pending and its moment has
    come: a notification (kind "risk review", muted per user like uptake's kinds) for each
    recipient, its e-mail in uptake's outbox; then send those e-mails. Returns how many
    recipients it reached. The text names the risk, its review date and the register; never
    a red line.

    The row is claimed with a conditional update in the transaction that writes the
    notifications, so a rerun or a second worker delivers nothing and a worker killed
    half-way leaves it pending. A risk closed or rescheduled meanwhile cancels it instead.
    An e-mail that fails is retried by uptake's outbox scan.
    Caller: the worker (monitoring.tasks.deliver_risk_reviews)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = RiskReviewReminder.objects.filter(
            pk=reminder_id, state=State.PENDING, fire_at__lte=now
        ).update(state=State.SENT, sent_at=now)
        if not claimed:
            return 0
        reminder = RiskReviewReminder.objects.select_related("risk__programme").get(pk=reminder_id)
        risk = reminder.risk
        if risk.status != Risk.Status.OPEN or risk.review_on != reminder.due_on:
            RiskReviewReminder.objects.filter(pk=reminder.pk).update(
                state=State.CANCELLED, sent_at=None
            )
            return 0
        kind = ReminderKind.RISK_REVIEW
        programme = risk.programme
        recipients = review_recipients(risk)
        muted = set(
            ReminderMute.objects.filter(
                kind=kind, user__in=[user.pk for user in recipients]
            ).values_list("user_id", flat=True)
        )
        redactors = {}
        notifications = []
        with translation.override(settings.LANGUAGE_CODE):
            for user in recipients:
                if user.pk in muted:
                    continue
                show_identity = may_see_identity(user, programme)
                if show_identity not in redactors:
                    redactors[show_identity] = (
                        Redactor()
                        if show_identity
                        else Redactor(Participant.objects.filter(programme=programme))
                    )
                title, body, url = _review_text(risk, redactors[show_identity])
                title = Truncator(title).chars(Notification._meta.get_field("title").max_length)
                subject, text = _email_text(programme, title, body, url) if user.email else ("", "")
                notifications.append(
                    Notification(
                        recipient=user,
                        programme=programme,
                        written_with_identity=show_identity,
                        kind=kind,
                        title=title,
                        body=body,
                        url=url,
                        email_subject=subject,
                        email_body=text,
                    )
                )
        created = Notification.objects.bulk_create(notifications)
    notification_emails_send([notification.pk for notification in created])
    return len(created)
