from django.urls import path

from uptake.views import (
    audit,
    briefings,
    carriers,
    documents,
    exports,
    ladder,
    notifications,
    pilots,
    readers,
    revisions,
    timeline,
    vetting,
)

app_name = "uptake"

urlpatterns = [
    path("dialogues/<uuid:dialogue_id>/documents/", documents.document_list, name="document_list"),
    path(
        "dialogues/<uuid:dialogue_id>/documents/non-paper/",
        documents.non_paper_create,
        name="non_paper_create",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/documents/aide-memoire/",
        documents.aide_memoire_create,
        name="aide_memoire_create",
    ),
    path(
        "dialogues/<uuid:dialogue_id>/documents/zip/",
        exports.bundle_request,
        name="bundle_request",
    ),
    path(
        "programmes/<uuid:programme_id>/shared-documents/",
        documents.shared_documents,
        name="shared_documents",
    ),
    path("documents/<uuid:document_id>/", documents.document_detail, name="document_detail"),
    path("documents/<uuid:document_id>/edit/", documents.document_edit, name="document_edit"),
    path("documents/<uuid:document_id>/history/", audit.document_history, name="document_history"),
    path("documents/<uuid:document_id>/move/", documents.document_move, name="document_move"),
    path(
        "documents/<uuid:document_id>/override/",
        documents.guard_override,
        name="guard_override",
    ),
    path(
        "documents/<uuid:document_id>/iterate/",
        documents.document_iterate,
        name="document_iterate",
    ),
    path("documents/<uuid:document_id>/share/", documents.document_share, name="document_share"),
    path("documents/<uuid:document_id>/comments/", documents.comment_add, name="comment_add"),
    path(
        "documents/<uuid:document_id>/revisions/",
        revisions.revision_list,
        name="revision_list",
    ),
    path(
        "documents/<uuid:document_id>/revisions/compare/",
        revisions.revision_compare,
        name="revision_compare",
    ),
    path(
        "documents/<uuid:document_id>/revisions/<int:number>/",
        revisions.revision_detail,
        name="revision_detail",
    ),
    path(
        "documents/<uuid:document_id>/revisions/<int:number>/restore/",
        revisions.revision_restore,
        name="revision_restore",
    ),
    path("documents/<uuid:document_id>/readers/", readers.reader_list, name="reader_list"),
    path(
        "documents/<uuid:document_id>/readers/remove/",
        readers.reader_remove,
        name="reader_remove",
    ),
    path("documents/<uuid:document_id>/pdf/", exports.pdf_export, name="pdf_export"),
    path(
        "documents/<uuid:document_id>/pdf/<uuid:export_id>/",
        exports.pdf_download,
        name="pdf_download",
    ),
    path("document-zips/<uuid:bundle_id>/", exports.bundle_detail, name="bundle_detail"),
    path(
        "document-zips/<uuid:bundle_id>/download/",
        exports.bundle_download,
        name="bundle_download",
    ),
    # The uptake chain: carriers, settings, vetting, briefings, feedback.
    path("programmes/<uuid:programme_id>/carriers/", carriers.carrier_list, name="carrier_list"),
    path("carriers/<uuid:carrier_id>/", carriers.carrier_edit, name="carrier_edit"),
    path(
        "programmes/<uuid:programme_id>/uptake/settings/",
        carriers.uptake_settings,
        name="uptake_settings",
    ),
    path("documents/<uuid:document_id>/vetting/", vetting.vetting_page, name="vetting"),
    path("documents/<uuid:document_id>/briefings/", briefings.briefing_list, name="briefing_list"),
    path(
        "documents/<uuid:document_id>/briefings/new/",
        briefings.briefing_create,
        name="briefing_create",
    ),
    path("briefings/<uuid:briefing_id>/", briefings.briefing_detail, name="briefing_detail"),
    path(
        "briefings/<uuid:briefing_id>/outcome/",
        briefings.briefing_outcome,
        name="briefing_outcome",
    ),
    path("briefings/<uuid:briefing_id>/feedback/", briefings.feedback_add, name="feedback_add"),
    path(
        "feedback/<uuid:feedback_id>/iterate/",
        briefings.feedback_iterate,
        name="feedback_iterate",
    ),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path(
        "notifications/<uuid:notification_id>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("documents/<uuid:document_id>/pilots/", pilots.pilot_list, name="pilot_list"),
    path("pilots/<uuid:pilot_id>/", pilots.pilot_detail, name="pilot_detail"),
    path("pilots/<uuid:pilot_id>/do-no-harm/", pilots.pilot_do_no_harm, name="pilot_do_no_harm"),
    path("pilots/<uuid:pilot_id>/move/", pilots.pilot_move, name="pilot_move"),
    path("pilots/<uuid:pilot_id>/proof-points/", pilots.proof_point_add, name="proof_point_add"),
    path("pilots/<uuid:pilot_id>/edit/", pilots.pilot_edit, name="pilot_edit"),
    path("documents/<uuid:document_id>/ladder/", ladder.ladder, name="ladder"),
    path("commitments/<uuid:commitment_id>/", ladder.commitment_edit, name="commitment_edit"),
    path("documents/<uuid:document_id>/timeline/", timeline.non_paper_timeline, name="timeline"),
    path("programmes/<uuid:programme_id>/uptake/", timeline.chain_overview, name="chain_overview"),
]
