"""The programme's M&E pages kept rendered (issue 8): the donors' results page, and the
team's dashboard as it first opens (no filter). Served from a snapshot while the data
behind them is unchanged, rendered live and kept otherwise, rendered again by a Celery task
(monitoring.tasks.refresh_results_snapshots) after a change or once a page expires.

Why a kept page is never wrong:

- Every write to a row the results read (the models in TRACKED) gives the programme's
  snapshot a new token, in the same transaction as the write (`results_changed`, called by
  the receivers below and by dialogues.signals.attendance_recorded for the bulk writes).
  A page is kept only under the token it read before it started rendering, so a render that
  may have read the data before a change is thrown away rather than kept: while the change
  is uncommitted its new token holds the snapshot's row lock, and `_keep` waits for it.
- Results also change with time alone: a session counts once it has ended, the current
  target period turns with the programme's day. A page expires at the first of those
  moments after it was rendered, and after MAX_AGE in any case, a bound on any write that
  bypasses the receivers (raw SQL, a restore).
- A kept page is what one class of reader sees, and is served only to that class: the
  results page is what donors see, whoever asks (aggregates, suppressed, texts through the
  donor redactor of monitoring.services.results.donor_results); the dashboard is kept
  twice, once with participants' names for readers who may see identities and once with
  them withheld (dialogues.services.attribution.programme_redactor), the only thing on it
  that depends on the reader. Callers check access first
  (monitoring.permissions.get_programme_for_results, get_programme_for_monitoring) and
  pass the reader's class.
- Each page is kept per language, under the key "<kind>/<language>" of the snapshot's
  pages.

A page nobody has viewed for IDLE_AFTER is dropped when it goes out of date rather than
rendered again, so the work of keeping pages follows what people read, not how many
programmes there have ever been.
"""

import datetime
import uuid
from dataclasses import dataclass
from functools import partial

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, QuerySet
from django.db.models.fields.json import KeyTransform
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from dialogues.models import Participant, Programme, Session
from dialogues.services.attribution import programme_redactor
from dialogues.signals import attendance_recorded
from monitoring.forms.indicators import ActivityFilterForm
from monitoring.models import ResultsSnapshot
from monitoring.services.dashboard import officer_dashboard
from monitoring.services.results import donor_results
from uptake.services.ladder import programme_zone

# The kinds of kept page: the donors' results, the team's dashboard with participants'
# names (for readers who may see identities) and with them withheld.
RESULTS = "results"
DASHBOARD_NAMED = "dashboard-named"
DASHBOARD_WITHHELD = "dashboard-withheld"
RESULTS_TEMPLATE = "monitoring/results/body.html"
DASHBOARD_TEMPLATE = "monitoring/dashboard_body.html"
# The longest a kept page is served: bounds the effect of a write no receiver saw.
MAX_AGE = datetime.timedelta(hours=1)
# How long a programme whose pages failed to render waits before the next try.
RETRY_AFTER = datetime.timedelta(minutes=15)
# A kept page nobody has viewed for this long is dropped when it goes out of date, not
# rendered again: the pages of a programme that ended years ago are not rendered every hour
# for ever. Its next view renders it live and keeps it again.
IDLE_AFTER = datetime.timedelta(days=7)

# The models whose rows the kept pages read (monitoring.services.results.donor_results and
# monitoring.services.dashboard.officer_dashboard), and how each row leads to its programme
# (attribute lookups: a parent not already loaded costs a query). Attendance is not here:
# it is written in bulk (dialogues.signals.attendance_recorded), and a receiver on it would
# turn every cascade through it into a query per row. The other bulk writes (the default
# ground rules of a new dialogue, the commitments of a delivered non-paper) happen in the
# transaction that saves their dialogue or document, which changes the token.
TRACKED = {
    "dialogues.Programme": lambda row: row.pk,
    "dialogues.Dialogue": lambda row: row.programme_id,
    "dialogues.Session": lambda row: row.dialogue.programme_id,
    "dialogues.Participant": lambda row: row.programme_id,
    "dialogues.DialogueParticipant": lambda row: row.dialogue.programme_id,
    "uptake.Document": lambda row: row.dialogue.programme_id,
    "uptake.Pilot": lambda row: row.document.dialogue.programme_id,
    "uptake.ProofPoint": lambda row: row.pilot.document.dialogue.programme_id,
    "monitoring.CommuniqueAdoption": lambda row: row.programme_id,
    "monitoring.Indicator": lambda row: row.programme_id,
    "monitoring.IndicatorTarget": lambda row: row.indicator.programme_id,
    "monitoring.IndicatorValue": lambda row: row.indicator.programme_id,
    "monitoring.OutcomeRecord": lambda row: row.programme_id,
    "monitoring.ExpectationStatement": lambda row: row.programme_id,
    # Read by the dashboard only.
    "dialogues.GroundRule": lambda row: row.dialogue.programme_id,
    "uptake.DocumentUserObjectPermission": lambda row: row.content_object.dialogue.programme_id,
    "uptake.Commitment": lambda row: row.document.dialogue.programme_id,
    "uptake.Vetting": lambda row: row.document.dialogue.programme_id,
    "uptake.VettingClearance": lambda row: row.document.dialogue.programme_id,
    "uptake.Briefing": lambda row: row.document.dialogue.programme_id,
    "uptake.Feedback": lambda row: row.briefing.document.dialogue.programme_id,
    "monitoring.LearningEntry": lambda row: row.programme_id,
    "monitoring.Risk": lambda row: row.programme_id,
}


@dataclass(frozen=True)
class ResultsPage:
    body: SafeString  # RESULTS_TEMPLATE or DASHBOARD_TEMPLATE, rendered
    computed_at: datetime.datetime
    served_from_snapshot: bool


def results_changed(programme_id, *, now=None, forget_pages=False):
    """Mark the data behind the kept pages of programme `programme_id` as changed: a new
    token (kept pages no longer serve), due for rendering now. `forget_pages`: drop the
    kept bodies as well, for a change to a participant, whose name a kept page for readers
    who see identities may hold (escaped as HTML, where an erasure's search for the name
    would not find it); those pages are rendered again when next viewed. One query; call
    it inside the transaction that writes the change."""
    ResultsSnapshot.objects.bulk_create(
        [
            ResultsSnapshot(
                programme_id=programme_id,
                token=uuid.uuid4(),
                pages={},
                expires_at=now or timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["programme"],
        update_fields=["token", "expires_at", *(["pages"] if forget_pages else [])],
    )


def results_page(programme, *, now=None):
    """The results page body of `programme` in the active language: the kept page when it
    is current (one query), else rendered now (the queries of donor_results, a few more to
    keep it). Callers check access first."""
    return _page(programme, RESULTS, now or timezone.now())


def dashboard_page(programme, *, show_identity, now=None):
    """The body of the team's dashboard of `programme` with no filter, in the active
    language, for a reader who may see participants' identities or not (`show_identity`,
    dialogues.services.attribution.actor_sees_identity): the kept page when it is current
    (one query), else rendered now (the queries of officer_dashboard and its filter form, a
    few more to keep it). Callers check access first."""
    kind = DASHBOARD_NAMED if show_identity else DASHBOARD_WITHHELD
    return _page(programme, kind, now or timezone.now())


def results_snapshot_refresh(programme_id, *, now=None):
    """Render again the kept pages of programme `programme_id` that are out of date, in
    their languages, and drop those nobody has viewed for IDLE_AFTER. Returns how many
    were rendered."""
    now = now or timezone.now()
    snapshot = ResultsSnapshot.objects.filter(programme_id=programme_id).first()
    if snapshot is None:
        return 0
    stale = [
        key
        for key, entry in snapshot.pages.items()
        if _known(key) and _served(entry, snapshot.token, now) is None
    ]
    idle = [key for key in stale if _idle(snapshot, key, now)]
    if idle:
        _forget(programme_id, snapshot.token, idle, now)
        stale = [key for key in stale if key not in idle]
    if not stale:
        if not idle:
            # Nothing to render (no page was ever asked for, or all are current): not due.
            ResultsSnapshot.objects.filter(pk=programme_id, token=snapshot.token).update(
                expires_at=_due(snapshot.pages, snapshot.token, now)
            )
        return 0
    programme = Programme.objects.get(pk=programme_id)
    for key in stale:
        kind, language = key.split("/")
        with translation.override(language):
            page, valid_until = _render(programme, kind, now)
            _keep(programme_id, key, snapshot.token, page, valid_until)
    return len(stale)


def results_snapshot_postpone(programme_id, *, now=None):
    """Put the pages of programme `programme_id` back in the refresh queue by RETRY_AFTER,
    after they failed to render."""
    ResultsSnapshot.objects.filter(pk=programme_id).update(
        expires_at=(now or timezone.now()) + RETRY_AFTER
    )


def snapshots_due(now=None, *, limit=100):
    """Ids of the programmes whose kept pages need rendering (changed or expired), the
    longest waiting first, at most `limit`."""
    return list(
        ResultsSnapshot.objects.filter(expires_at__lte=now or timezone.now())
        .order_by("expires_at")
        .values_list("programme_id", flat=True)[:limit]
    )


def _key(kind):
    return f"{kind}/{translation.get_language() or settings.LANGUAGE_CODE}"


def _known(key):
    """Whether `key` names a kind of page and a language this installation renders."""
    kind, _, language = key.partition("/")
    return kind in RENDERERS and language in dict(settings.LANGUAGES)


def _page(programme, kind, now):
    key = _key(kind)
    # The one page asked for, not every kind and language the snapshot keeps.
    snapshot = (
        ResultsSnapshot.objects.filter(programme=programme)
        .defer("pages")
        .annotate(page=KeyTransform(key, "pages"))
        .first()
    )
    served = _served(snapshot.page, snapshot.token, now) if snapshot else None
    if served is not None:
        _mark_viewed(snapshot, key, now)
        return served
    page, valid_until = _render(programme, kind, now)
    token = snapshot.token if snapshot else None
    _keep(programme.pk, key, token, page, valid_until, viewed_on=_day(now))
    return page


def _day(moment):
    return moment.astimezone(datetime.UTC).date().isoformat()


def _mark_viewed(snapshot, key, now):
    """Record that the page `key` was viewed today: one update, the first view of the day.
    Two first views of different pages at once may each write the marks without the
    other's; the cost of a lost mark is one page dropped early and rendered on its next
    view."""
    today = _day(now)
    if snapshot.viewed.get(key) != today:
        ResultsSnapshot.objects.filter(pk=snapshot.pk).update(
            viewed={**snapshot.viewed, key: today}
        )


def _idle(snapshot, key, now):
    """Whether nobody has viewed the page `key` for IDLE_AFTER."""
    return snapshot.viewed.get(key, "") < _day(now - IDLE_AFTER)


def _forget(programme_id, token, keys, now):
    """Drop the pages `keys` and their view marks, unless the data changed meanwhile (the
    next refresh sees them again)."""
    with transaction.atomic():
        snapshot = (
            ResultsSnapshot.objects.select_for_update()
            .filter(programme_id=programme_id, token=token)
            .first()
        )
        if snapshot is None:
            return
        for key in keys:
            snapshot.pages.pop(key, None)
            snapshot.viewed.pop(key, None)
        snapshot.expires_at = _due(snapshot.pages, token, now)
        snapshot.save(update_fields=["pages", "viewed", "expires_at"])


def _served(entry, token, now):
    """The kept page `entry` as a ResultsPage, if it was kept under `token` (the data has
    not changed since) and has not expired; else None."""
    if not entry or entry["token"] != str(token):
        return None
    if datetime.datetime.fromisoformat(entry["valid_until"]) <= now:
        return None
    return ResultsPage(
        # Rendered by _render from an autoescaped template: safe as it was then.
        body=mark_safe(entry["body"]),  # noqa: S308
        computed_at=datetime.datetime.fromisoformat(entry["computed_at"]),
        served_from_snapshot=True,
    )


def _render_results(programme, now):
    return render_to_string(RESULTS_TEMPLATE, {"results": donor_results(programme, now=now)})


def _render_dashboard(programme, now, *, show_identity):
    """The dashboard as it first opens: every dialogue, the programme to date, the filter
    form empty."""
    redact = programme_redactor(programme, show_identity=show_identity)
    dialogues = list(programme.dialogues.in_workflow_order().only("pk", "public_id", "title"))
    context = {
        "programme": programme,
        "form": ActivityFilterForm(dialogues=dialogues, redact=redact),
        "board": officer_dashboard(programme, redact=redact, now=now, dialogues=dialogues),
    }
    return render_to_string(DASHBOARD_TEMPLATE, context)


RENDERERS = {
    RESULTS: _render_results,
    DASHBOARD_NAMED: partial(_render_dashboard, show_identity=True),
    DASHBOARD_WITHHELD: partial(_render_dashboard, show_identity=False),
}


def _render(programme, kind, now):
    """The page of `kind` rendered now, in the active language, and the moment it
    expires."""
    body = RENDERERS[kind](programme, now)
    page = ResultsPage(body=body, computed_at=now, served_from_snapshot=False)
    return page, _valid_until(programme, now)


def _valid_until(programme, now):
    """The first moment the results can change with no write: the next session to end,
    the programme's next midnight, or MAX_AGE from now."""
    next_end = Session.objects.filter(dialogue__programme=programme, ends_at__gt=now).aggregate(
        first=Min("ends_at")
    )["first"]
    local = timezone.localtime(now, programme_zone(programme))
    midnight = datetime.datetime.combine(
        local.date() + datetime.timedelta(days=1), datetime.time.min, tzinfo=local.tzinfo
    )
    return min(moment for moment in (next_end, midnight, now + MAX_AGE) if moment is not None)


def _due(pages, token, now):
    """When the snapshot needs rendering again: now if a page is out of date, else the
    first page's expiry; None without pages. Pages this installation no longer renders (a
    kind or language since removed) are left out: refreshing would skip them, and counting
    them would keep the snapshot due for ever."""
    moments = [
        datetime.datetime.fromisoformat(entry["valid_until"])
        if entry["token"] == str(token)
        else now
        for key, entry in pages.items()
        if _known(key)
    ]
    return min(moments, default=None)


def _keep(programme_id, key, token, page, valid_until, *, viewed_on=None):
    """Keep `page` under `token`, the snapshot's token before rendering (None: there was
    no snapshot), unless the data has changed since: then the page is dropped. `viewed_on`:
    the day a reader viewed it, for a page rendered for a view (not by the refresh)."""
    entry = {
        "computed_at": page.computed_at.isoformat(),
        "valid_until": valid_until.isoformat(),
        "body": str(page.body),
    }
    try:
        with transaction.atomic():
            if token is None:
                token = uuid.uuid4()
                entry["token"] = str(token)
                pages = {key: entry}
                ResultsSnapshot.objects.create(
                    programme_id=programme_id,
                    token=token,
                    pages=pages,
                    expires_at=_due(pages, token, page.computed_at),
                    viewed={key: viewed_on} if viewed_on else {},
                )
                return
            snapshot = (
                ResultsSnapshot.objects.select_for_update()
                .filter(programme_id=programme_id, token=token)
                .first()
            )
            if snapshot is None:
                return  # changed while rendering
            entry["token"] = str(token)
            snapshot.pages[key] = entry
            snapshot.expires_at = _due(snapshot.pages, token, page.computed_at)
            if viewed_on:
                snapshot.viewed[key] = viewed_on
            snapshot.save(update_fields=["pages", "expires_at", "viewed"])
    except IntegrityError:
        return  # a change created the snapshot while rendering


# --- Receivers: every write to a tracked row changes its programme's token ------------------


def _origin_model(origin):
    return origin.model if isinstance(origin, QuerySet) else type(origin)


def _on_write(sender, instance, **kwargs):
    if kwargs.get("raw"):
        # A fixture or restore loads rows whose parents may not exist yet; MAX_AGE bounds it.
        return
    _changed(sender, instance)


def _on_delete(sender, instance, origin=None, **kwargs):
    origin_model = _origin_model(origin) if origin is not None else sender
    if origin_model is Programme:
        return  # the programme goes, and its snapshot with it
    if origin_model is not sender and origin_model._meta.label in TRACKED:
        return  # a cascade: the row it started from has changed the token already
    _changed(sender, instance)


def _changed(sender, instance):
    results_changed(TRACKED[sender._meta.label](instance), forget_pages=sender is Participant)


def _on_attendance_recorded(sender, session, **kwargs):
    results_changed(session.dialogue.programme_id)


def connect_receivers():
    """Called once, from monitoring.apps.MonitoringConfig.ready."""
    for label in TRACKED:
        model = apps.get_model(label)
        post_save.connect(_on_write, sender=model, dispatch_uid=f"results-snapshot-{label}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"results-snapshot-{label}")
    attendance_recorded.connect(_on_attendance_recorded, dispatch_uid="results-snapshot-attendance")
