"""Sessions of a dialogue: list, schedule, detail with attendance and non-attributed notes, and
the iCalendar download. Every page belongs to the programme team (view_dialogues); changes
need design_dialogues."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues import permissions
from dialogues.forms import add_service_errors
from dialogues.forms.sessions import (
    TIME_ZONE_SUGGESTIONS_ID,
    AttendanceForm,
    SessionForm,
    SessionNotesForm,
)
from dialogues.models import Attendance, DialogueParticipant, Session
from dialogues.services import sessions as services
from dialogues.services.attribution import programme_redactor

Status = Attendance.Status


def _can_change(user, dialogue):
    """Whether to offer `user` the controls that change the dialogue's sessions: they may
    design dialogues, and the dialogue is not closed or abandoned (the services refuse any
    change to those anyway)."""
    if dialogue.is_frozen:
        return False
    checker = permissions.programme_permission_checker(user, [dialogue.programme])
    return checker.has_perm(permissions.DESIGN_DIALOGUES, dialogue.programme)


def _redactor(user, dialogue):
    """The dialogue's texts and its sessions' as `user` may see them: with the names of every
    participant of the programme withheld unless they may see identities."""
    show_identity = permissions.may_see_identity(user, dialogue.programme)
    return programme_redactor(dialogue.programme, show_identity=show_identity)


def _show(session, redact):
    """What the reader may see of the session's free texts, as session.shown_*."""
    session.shown_title = redact(session.title)
    session.shown_location = redact(session.location)
    session.shown_agenda = redact(session.agenda)
    return session


def _session_in(dialogue, session_id):
    try:
        session = dialogue.sessions.prefetch_related("rounds").get(public_id=session_id)
    except Session.DoesNotExist as missing:
        raise Http404 from missing
    session.zone = services.session_zone(session)
    return session


def _form_context(dialogue, form, redact, session=None, *, withheld=False):
    return {
        "dialogue": dialogue,
        "redact": redact,
        "session": session,
        "form": form,
        "withheld": withheld,
        "time_zone_names": services.time_zone_names(),
        "time_zone_suggestions_id": TIME_ZONE_SUGGESTIONS_ID,
    }


@login_required
@require_GET
def session_list(request, dialogue_id):
    """The dialogue's sessions in time order with rounds and attendance counts. Queries:
    dialogue, permission checks, the identity check, for those without identity the
    programme's participants, sessions with their counts, their rounds."""
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    redact = _redactor(request.user, dialogue)
    sessions = list(
        dialogue.sessions.annotate(
            present=Count("attendance", filter=Q(attendance__status=Status.PRESENT)),
            partial=Count("attendance", filter=Q(attendance__status=Status.PARTIAL)),
            absent=Count("attendance", filter=Q(attendance__status=Status.ABSENT)),
        )
        .prefetch_related("rounds")
        .order_by("starts_at", "pk")
    )
    for session in sessions:
        session.zone = services.session_zone(session)
        _show(session, redact)
    context = {
        "dialogue": dialogue,
        "redact": redact,
        "sessions": sessions,
        "can_change": _can_change(request.user, dialogue),
    }
    return render(request, "dialogues/sessions/session_list.html", context)


@login_required
def session_create(request, dialogue_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    latest = dialogue.sessions.order_by("-starts_at").first()
    form = SessionForm(
        request.POST or None,
        dialogue=dialogue,
        initial={"time_zone": latest.time_zone if latest else "UTC"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                dialogue=dialogue, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session “%(title)s” scheduled.") % {"title": session})
            return redirect(
                "dialogues:session_detail",
                dialogue_id=dialogue.public_id,
                session_id=session.public_id,
            )
    return render(
        request,
        "dialogues/sessions/session_form.html",
        _form_context(dialogue, form, _redactor(request.user, dialogue)),
    )


@login_required
def session_edit(request, dialogue_id, session_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    redact = _redactor(request.user, dialogue)
    session = _show(_session_in(dialogue, session_id), redact)
    # Without identity, a session whose texts name a participant is not theirs to edit: the
    # form would show the names. The service refuses the change too.
    withheld = (session.shown_title, session.shown_location, session.shown_agenda) != (
        session.title,
        session.location,
        session.agenda,
    )
    form = SessionForm(
        request.POST or None,
        dialogue=dialogue,
        initial={} if withheld else SessionForm.initial_for(session, session.zone),
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(
                session=session, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session “%(title)s” saved.") % {"title": session})
            return redirect(
                "dialogues:session_detail",
                dialogue_id=dialogue.public_id,
                session_id=session.public_id,
            )
    return render(
        request,
        "dialogues/sessions/session_form.html",
        _form_context(dialogue, form, redact, session, withheld=withheld),
    )


def _attendance_context(request, dialogue, session, *, attendance_form=None):
    """The attendance table or form. Queries: the roster with its participants, the marks."""
    show_identity = permissions.may_see_identity(request.user, dialogue.programme)
    roster = list(dialogue.roster.select_related("participant"))
    marks = {mark.dialogue_participant_id: mark for mark in session.attendance.all()}
    markable = [
        place
        for place in roster
        if place.status == DialogueParticipant.Status.CONFIRMED or place.pk in marks
    ]
    for place in roster:
        place.shown_as = place.participant.label(show_identity=show_identity)
        place.mark = marks.get(place.pk)
    if attendance_form is None:
        attendance_form = AttendanceForm(
            places=markable,
            show_identity=show_identity,
            initial={
                AttendanceForm.field_name(place): place.mark.status
                for place in markable
                if place.mark
            },
        )
    counts = dict.fromkeys(Status.values, 0)
    for mark in marks.values():
        counts[mark.status] += 1
    return {
        "dialogue": dialogue,
        "session": session,
        "show_identity": show_identity,
        "roster": roster,
        "markable": markable,
        "not_yet_confirmed": sum(
            1
            for place in roster
            if place.status == DialogueParticipant.Status.INVITED and place.pk not in marks
        ),
        "attendance_form": attendance_form,
        "attendance_counts": [(Status(status).label, n) for status, n in counts.items()],
    }


def _detail_context(request, dialogue, session, *, attendance_form=None, notes_form=None):
    context = _attendance_context(request, dialogue, session, attendance_form=attendance_form)
    show_identity = context["show_identity"]
    context["can_change"] = _can_change(request.user, dialogue)
    redact = programme_redactor(dialogue.programme, show_identity=show_identity)
    context["redact"] = redact
    _show(session, redact)
    notes_shown = redact(session.notes)
    context["notes_shown"] = notes_shown
    # Someone who may not see names cannot edit notes that hold one: the form would show it.
    context["notes_withheld"] = notes_shown != session.notes
    if notes_form is None and not context["notes_withheld"]:
        notes_form = SessionNotesForm(
            initial={"notes": session.notes}, ask_confirmation=not show_identity
        )
    context["notes_form"] = notes_form
    return context


@login_required
@require_GET
def session_detail(request, dialogue_id, session_id):
    """A session: when, where, rounds, agenda, attendance and notes. Queries: dialogue,
    permission checks, session and its rounds, the roster, the marks."""
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    session = _session_in(dialogue, session_id)
    return render(
        request,
        "dialogues/sessions/session_detail.html",
        _detail_context(request, dialogue, session),
    )


@require_POST
@login_required
def session_attendance(request, dialogue_id, session_id):
    """Save every mark of the session at once. With htmx, answers with the attendance section
    only."""
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    session = _session_in(dialogue, session_id)
    context = _attendance_context(request, dialogue, session)
    form = AttendanceForm(
        request.POST, places=context["markable"], show_identity=context["show_identity"]
    )
    saved = False
    if form.is_valid():
        try:
            services.session_record_attendance(
                session=session, marks=form.marks(), actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            saved = True

    if request.htmx:
        if saved:
            context = _attendance_context(request, dialogue, session)
            context["attendance_message"] = _("Attendance saved.")
        else:
            context = _attendance_context(request, dialogue, session, attendance_form=form)
        # They hold design_dialogues (or this would be 403): only a frozen dialogue stops them.
        context["can_change"] = not dialogue.is_frozen
        return render(request, "dialogues/sessions/session_detail.html#attendance", context)
    if saved:
        messages.success(request, _("Attendance saved."))
        return redirect(_detail_url(dialogue, session, "attendance"))
    return render(
        request,
        "dialogues/sessions/session_detail.html",
        _detail_context(request, dialogue, session, attendance_form=form),
    )


@require_POST
@login_required
def session_notes(request, dialogue_id, session_id):
    """Save the notes once the writer confirms that they attribute nothing to anyone: when
    they name a participant, or always for a writer who may not see identities (see
    services.session_record_notes). Names and codes are shown with the warning only to users
    who may see identities."""
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    session = _session_in(dialogue, session_id)
    form = SessionNotesForm(request.POST, ask_confirmation=True)
    mentions = None
    if form.is_valid():
        try:
            services.session_record_notes(
                session=session,
                notes=form.cleaned_data["notes"],
                attribution_checked=form.cleaned_data["attribution_checked"],
                actor=request.user,
            )
        except services.AttributionUnconfirmed as warning:
            # The warning panel says it all: no second, generic error above the form.
            mentions = warning.mentions
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Notes saved."))
            return redirect(_detail_url(dialogue, session, "notes"))
    context = _detail_context(request, dialogue, session, notes_form=form)
    context["attribution_warning"] = mentions is not None
    if mentions and context["show_identity"]:
        context["mentions"] = [
            {"who": m.participant.label(show_identity=True), "term": m.term, "context": m.context}
            for m in mentions
        ]
    return render(request, "dialogues/sessions/session_detail.html", context)


def _detail_url(dialogue, session, fragment):
    url = reverse("dialogues:session_detail", args=[dialogue.public_id, session.public_id])
    return f"{url}#{fragment}"


@login_required
@require_GET
def sessions_ical(request, dialogue_id):
    """The dialogue's sessions as an iCalendar file, for the team's calendars."""
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    filename, content = services.sessions_calendar_download(dialogue=dialogue)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
