from django.urls import path

from uptake.views import documents, exports, readers, revisions

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
]
