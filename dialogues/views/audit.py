"""The audit trail of a participant and of a programme's team (dialogues.audit): who created,
changed or deleted what, when, and which values changed.

Read by the programme's facilitators and officers (design_dialogues); legal reviewers, who
see the programme's people but do not run them, get 403; donors and strangers 404. A reader
without view_identity sees codes: the identity fields' values, and consent scopes (free text
that may name someone), are withheld from the history as from the live pages."""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from guardian.models import UserObjectPermission

from dialogues import permissions
from dialogues.audit import history_entries, merged
from dialogues.models import (
    DialogueParticipant,
    Membership,
    Participant,
    Programme,
    RuleAcknowledgement,
)
from dialogues.services.attribution import programme_redactor

PERMISSION_KINDS = {
    "+": gettext_lazy("Granted"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Revoked"),
}

PARTICIPANT_FIELDS = (
    "code",
    *Participant.IDENTITY_FIELDS,
    "category",
    "gender",
    "region",
    "languages",
    "is_authoritative_proxy",
)
PLACE_FIELDS = ("status", "consent_given_on", "consent_scope", "consent_recorded_by")
ACKNOWLEDGEMENT_FIELDS = ("acknowledged_on", "recorded_by")
MEMBERSHIP_FIELDS = ("user", "role", "is_admin", "identity_granted")
PROGRAMME_FIELDS = (
    "name",
    "country",
    "funders",
    "starts_on",
    "ends_on",
    "officers_see_identity",
    "time_zone",
)


def _programme_for_audit(user, programme_id):
    """The programme if `user` may read its audit trail, and whether they see identities."""
    programme = permissions.get_programme_for_user(
        user, programme_id, permissions.DESIGN_DIALOGUES, visible_with=permissions.VIEW_DIALOGUES
    )
    return programme, permissions.may_see_identity(user, programme)


def _name(user):
    return (user.get_full_name() or user.get_username()) if user else _("a deleted account")


@login_required
@require_GET
def participant_history(request, programme_id, participant_id):
    """A participant's record, their places in dialogues with their consent, and their
    acknowledgements of ground rules, as the audit trail holds them. Queries: programme,
    permissions (twice), participant, without identity the participants whose names to
    withhold from dialogue and rule titles, and one per kind of history, however long."""
    programme, show_identity = _programme_for_audit(request.user, programme_id)
    try:
        participant = programme.participants.get(public_id=participant_id)
    except Participant.DoesNotExist as missing:
        raise Http404 from missing
    withheld = frozenset() if show_identity else frozenset(Participant.IDENTITY_FIELDS)
    redact = programme_redactor(programme, show_identity=show_identity)
    record = history_entries(
        Participant.history.filter(id=participant.pk).select_related("history_user"),
        fields=PARTICIPANT_FIELDS,
        subject=lambda r: _("Register entry"),
        withheld=withheld,
    )
    places_history = DialogueParticipant.history.filter(participant_id=participant.pk)
    places = history_entries(
        places_history.select_related("history_user", "dialogue", "consent_recorded_by"),
        fields=PLACE_FIELDS,
        subject=lambda r: redact(r.dialogue.title) if r.dialogue else _("a deleted dialogue"),
        withheld=frozenset() if show_identity else frozenset({"consent_scope"}),
    )
    acknowledgements = history_entries(
        RuleAcknowledgement.history.filter(
            dialogue_participant_id__in=places_history.values("id")
        ).select_related("history_user", "recorded_by", "rule__dialogue"),
        fields=ACKNOWLEDGEMENT_FIELDS,
        subject=lambda r: (
            f"{redact(r.rule.dialogue.title)} · {redact(r.rule.title)}"
            if r.rule
            else _("a deleted ground rule")
        ),
    )
    return render(
        request,
        "dialogues/audit/participant_history.html",
        {
            "programme": programme,
            "participant": participant,
            "show_identity": show_identity,
            "record": record,
            "places": merged(places, acknowledgements),
        },
    )


@login_required
@require_GET
def team_history(request, programme_id):
    """Who joined, changed role or left the team, which permissions on the programme each
    change granted or revoked, and changes to the programme's settings (identity access for
    officers among them). Queries: programme, permissions (twice), and one per kind of
    history, however long."""
    programme, _show_identity = _programme_for_audit(request.user, programme_id)
    memberships = history_entries(
        Membership.history.filter(programme_id=programme.pk).select_related("history_user", "user"),
        fields=MEMBERSHIP_FIELDS,
        subject=lambda r: _name(r.user),
    )
    grants = history_entries(
        UserObjectPermission.history.filter(
            content_type=ContentType.objects.get_for_model(Programme),
            object_pk=str(programme.pk),
        ).select_related("history_user", "user", "permission"),
        fields=(),
        subject=lambda r: f"{_name(r.user)} · {r.permission.name}",
        kind_labels=PERMISSION_KINDS,
    )
    settings_history = history_entries(
        Programme.history.filter(id=programme.pk).select_related("history_user"),
        fields=PROGRAMME_FIELDS,
        subject=lambda r: _("Programme settings"),
    )
    return render(
        request,
        "dialogues/audit/team_history.html",
        {
            "programme": programme,
            "memberships": merged(memberships, settings_history),
            "grants": grants,
        },
    )
