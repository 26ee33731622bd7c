from datetime import UTC
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogues.models import Attendance
from dialogues.services.sessions import canonical_time_zone

TIME_ZONE_SUGGESTIONS_ID = "time-zone-names"


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as read on a clock where the session happens. It stays naive here:
    only the form as a whole knows the zone to read it in."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        # DateTimeField reads the input in the server's zone; reading it in UTC and dropping
        # the zone gives back exactly the clock time typed, whatever the server's zone.
        with timezone.override(UTC):
            parsed = super().to_python(value)
        return None if parsed is None else timezone.make_naive(parsed, UTC)


class SessionForm(forms.Form):
    """A session's schedule and contents. Times are typed as local times in the session's zone;
    cleaned_data holds them as aware datetimes."""

    title = forms.CharField(label=_("Title"), max_length=200)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("Where the session happens, as an IANA name such as Asia/Yangon or UTC."),
        widget=forms.TextInput(
            attrs={
                "list": TIME_ZONE_SUGGESTIONS_ID,
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    starts_at = WallClockDateTimeField(
        label=_("Starts"), help_text=_("Local time in the session's time zone.")
    )
    ends_at = WallClockDateTimeField(
        label=_("Ends"), help_text=_("Local time in the session's time zone.")
    )
    location = forms.CharField(
        label=_("Location"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Visible to the programme team only."),
    )
    rounds = forms.ModelMultipleChoiceField(
        label=_("Rounds covered"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, dialogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rounds"].queryset = dialogue.rounds.order_by("position")

    def clean_time_zone(self):
        name = canonical_time_zone(self.cleaned_data["time_zone"])
        if name is None:
            raise forms.ValidationError(
                _("Unknown time zone: use an IANA name such as Asia/Yangon or Europe/Zurich."),
                code="unknown_time_zone",
            )
        return name

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("time_zone")
        if zone_name is None:
            return cleaned
        zone = ZoneInfo(zone_name)
        for field in ("starts_at", "ends_at"):
            local = cleaned.get(field)
            if local is None:
                continue
            aware = local.replace(tzinfo=zone)
            try:
                in_utc = aware.astimezone(UTC)
                round_trip = in_utc.astimezone(zone).replace(tzinfo=None)
            except OverflowError:
                # In UTC it would fall before year 1 or after year 9999.
                self.add_error(field, _("This time is too far in the past or the future."))
                continue
            # A time skipped when the clocks go forward does not survive the round trip.
            if round_trip != local:
                self.add_error(
                    field,
                    _("This time does not exist in %(zone)s: the clocks change then.")
                    % {"zone": zone_name},
                )
            else:
                cleaned[field] = in_utc
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        return cleaned

    @staticmethod
    def initial_for(session, zone):
        """The form's initial data for `session`, its times as local times in `zone`."""
        return {
            "title": session.title,
            "time_zone": session.time_zone,
            "starts_at": timezone.make_naive(session.starts_at, zone),
            "ends_at": timezone.make_naive(session.ends_at, zone),
            "location": session.location,
            "rounds": list(session.rounds.all()),
            "agenda": session.agenda,
        }


class AttendanceForm(forms.Form):
    """One choice per participant place, named after its public id; blank clears a mark."""

    def __init__(self, *args, places, show_identity, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places
        choices = [("", _("Not recorded")), *Attendance.Status.choices]
        for place in places:
            self.fields[self.field_name(place)] = forms.ChoiceField(
                label=_("Attendance of %(participant)s")
                % {"participant": place.participant.label(show_identity=show_identity)},
                choices=choices,
                required=False,
            )

    @staticmethod
    def field_name(place):
        return f"mark-{place.public_id}"

    def rows(self):
        """(place, bound field) per participant, in roster order, for the table."""
        return [(place, self[self.field_name(place)]) for place in self.places]

    def marks(self):
        return {place: self.cleaned_data[self.field_name(place)] or None for place in self.places}


class SessionNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("What was said and proposed, never who said it."),
    )
    attribution_checked = forms.BooleanField(
        label=_("I have checked: this note attributes nothing to anyone."), required=False
    )

    def __init__(self, *args, ask_confirmation, **kwargs):
        super().__init__(*args, **kwargs)
        # Someone who may see identities is asked to confirm once a name is found in the
        # note; anyone else is always asked, so the question never tells who takes part.
        if not ask_confirmation:
            del self.fields["attribution_checked"]
