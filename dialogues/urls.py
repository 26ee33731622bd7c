from django.urls import path

from dialogues.views import (
    actor_map,
    audit,
    design,
    evidence,
    participant_records,
    participants,
    programmes,
    sessions,
)

app_name = "dialogues"

# Programmes and their teams.
urlpatterns = [
    path("", programmes.home, name="home"),
    path("programmes/", programmes.programme_list, name="programme_list"),
    path("programmes/<uuid:programme_id>/", programmes.programme_detail, name="programme_detail"),
    path(
        "programmes/<uuid:programme_id>/settings/",
        programmes.programme_settings,
        name="programme_settings",
    ),
    path("programmes/<uuid:programme_id>/team/", programmes.team, name="team"),
    path(
        "programmes/<uuid:programme_id>/team/<uuid:membership_id>/change/",
        programmes.member_change,
        name="member_change",
    ),
    path(
        "programmes/<uuid:programme_id>/team/<uuid:membership_id>/remove/",
        programmes.member_remove,
        name="member_remove",
    ),
    path("programmes/<uuid:programme_id>/team/history/", audit.team_history, name="team_history"),
]

# Dialogue design: scope, timing, status and the five rounds (dialogues.views.design).
urlpatterns += [
    path("dialogues/<uuid:dialogue_id>/", design.dialogue_detail, name="dialogue_detail"),
    path(
        "programmes/<uuid:programme_id>/dialogues/new/",
        design.dialogue_create,
        name="dialogue_create",
    ),
    path("dialogues/<uuid:dialogue_id>/edit/", design.dialogue_edit, name="dialogue_edit"),
    path(
        "dialogues/<uuid:dialogue_id>/status/",
        design.dialogue_transition,
        name="dialogue_transition",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/rounds/<slug:kind>/", design.round_detail, name="round_detail"
    ),
    path(
        "dialogues/<uuid:dialogue_id>/rounds/<slug:kind>/save/",
        design.round_update,
        name="round_update",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/rounds/<slug:kind>/agenda/",
        design.agenda_add,
        name="agenda_add",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/agenda/<uuid:item_id>/remove/",
        design.agenda_remove,
        name="agenda_remove",
    ),
    path("dialogues/<uuid:dialogue_id>/interests/add/", design.interest_add, name="interest_add"),
    path(
        "dialogues/<uuid:dialogue_id>/interests/<uuid:interest_id>/",
        design.interest_edit,
        name="interest_edit",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/interests/<uuid:interest_id>/remove/",
        design.interest_remove,
        name="interest_remove",
    ),
    path("dialogues/<uuid:dialogue_id>/options/add/", design.option_add, name="option_add"),
    path(
        "dialogues/<uuid:dialogue_id>/options/<uuid:option_id>/",
        design.option_edit,
        name="option_edit",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/options/<uuid:option_id>/remove/",
        design.option_remove,
        name="option_remove",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/options/<uuid:option_id>/consequences/",
        design.consequence_test,
        name="consequence_test",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/options/<uuid:option_id>/package/",
        design.package_add,
        name="package_add",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/package/<uuid:item_id>/move/",
        design.package_move,
        name="package_move",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/package/<uuid:item_id>/remove/",
        design.package_remove,
        name="package_remove",
    ),
]

# The conflict-and-dialogue map: actors, dated actor-pair relations, CSV (views.actor_map).
urlpatterns += [
    path("programmes/<uuid:programme_id>/actors/", actor_map.actor_list, name="actor_list"),
    path("programmes/<uuid:programme_id>/actors/new/", actor_map.actor_create, name="actor_create"),
    path(
        "programmes/<uuid:programme_id>/actors/<uuid:actor_id>/edit/",
        actor_map.actor_edit,
        name="actor_edit",
    ),
    path("programmes/<uuid:programme_id>/map/", actor_map.actor_map, name="actor_map"),
    path(
        "programmes/<uuid:programme_id>/map/record/",
        actor_map.relation_record,
        name="relation_record",
    ),
    path(
        "programmes/<uuid:programme_id>/map/pairs/<uuid:actor_one_id>/<uuid:actor_two_id>/",
        actor_map.relation_history,
        name="relation_history",
    ),
    path(
        "programmes/<uuid:programme_id>/map/export/",
        actor_map.actor_map_export,
        name="actor_map_export",
    ),
    path(
        "programmes/<uuid:programme_id>/map/import/",
        actor_map.actor_map_import,
        name="actor_map_import",
    ),
]

# Participants, consent, the mix and ground rules (dialogues.views.participants).
urlpatterns += [
    path(
        "programmes/<uuid:programme_id>/participants/",
        participants.participant_register,
        name="participant_register",
    ),
    path(
        "programmes/<uuid:programme_id>/participants/new/",
        participants.participant_create,
        name="participant_create",
    ),
    path(
        "programmes/<uuid:programme_id>/participants/<uuid:participant_id>/",
        participants.participant_detail,
        name="participant_detail",
    ),
    path(
        "programmes/<uuid:programme_id>/participants/<uuid:participant_id>/edit/",
        participants.participant_edit,
        name="participant_edit",
    ),
    path(
        "programmes/<uuid:programme_id>/participants/<uuid:participant_id>/history/",
        audit.participant_history,
        name="participant_history",
    ),
    # A participant's records on request: export everything, erase the identity.
    path(
        "programmes/<uuid:programme_id>/participants/<uuid:participant_id>/export/",
        participant_records.participant_export,
        name="participant_export",
    ),
    path(
        "programmes/<uuid:programme_id>/participants/<uuid:participant_id>/erase/",
        participant_records.participant_erase,
        name="participant_erase",
    ),
    path("dialogues/<uuid:dialogue_id>/participants/", participants.roster, name="roster"),
    path(
        "dialogues/<uuid:dialogue_id>/participants/invite/",
        participants.roster_invite,
        name="roster_invite",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/participants/<uuid:entry_id>/status/",
        participants.roster_set_status,
        name="roster_set_status",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/participants/<uuid:entry_id>/consent/",
        participants.roster_record_consent,
        name="roster_record_consent",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/ground-rules/",
        participants.ground_rules,
        name="ground_rules",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/ground-rules/add/",
        participants.ground_rule_add,
        name="ground_rule_add",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/ground-rules/<uuid:rule_id>/edit/",
        participants.ground_rule_edit,
        name="ground_rule_edit",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/ground-rules/acknowledgements/<uuid:entry_id>/",
        participants.acknowledgements_save,
        name="acknowledgements_save",
    ),
]

# Sessions, attendance, notes, the iCalendar file, and the evidence brief
# (dialogues.views.sessions, dialogues.views.evidence).
urlpatterns += [
    path("dialogues/<uuid:dialogue_id>/sessions/", sessions.session_list, name="session_list"),
    path(
        "dialogues/<uuid:dialogue_id>/sessions/new/",
        sessions.session_create,
        name="session_create",
    ),
    path("dialogues/<uuid:dialogue_id>/sessions.ics", sessions.sessions_ical, name="sessions_ical"),
    path(
        "dialogues/<uuid:dialogue_id>/sessions/<uuid:session_id>/",
        sessions.session_detail,
        name="session_detail",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/sessions/<uuid:session_id>/edit/",
        sessions.session_edit,
        name="session_edit",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/sessions/<uuid:session_id>/attendance/",
        sessions.session_attendance,
        name="session_attendance",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/sessions/<uuid:session_id>/notes/",
        sessions.session_notes,
        name="session_notes",
    ),
    path("dialogues/<uuid:dialogue_id>/evidence/", evidence.evidence_list, name="evidence_list"),
    path(
        "dialogues/<uuid:dialogue_id>/evidence/new/",
        evidence.evidence_create,
        name="evidence_create",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/evidence/<uuid:item_id>/edit/",
        evidence.evidence_edit,
        name="evidence_edit",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/evidence/<uuid:item_id>/delete/",
        evidence.evidence_delete,
        name="evidence_delete",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/evidence/<uuid:item_id>/download/",
        evidence.evidence_download,
        name="evidence_download",
    ),
]
