from django.urls import path

from monitoring.views import dashboards as dashboard_views
from monitoring.views import exports as export_views
from monitoring.views import indicators as views
from monitoring.views import outputs as output_views
from monitoring.views import risks as risk_views

app_name = "monitoring"

urlpatterns = [
    path("programmes/<uuid:programme_id>/dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("programmes/<uuid:programme_id>/results/", dashboard_views.results, name="results"),
    path(
        "programmes/<uuid:programme_id>/results/report.pdf",
        dashboard_views.results_pdf,
        name="results_pdf",
    ),
    path("programmes/<uuid:programme_id>/activity/", views.activity, name="activity"),
    path("programmes/<uuid:programme_id>/indicators/", views.indicator_list, name="indicator_list"),
    path(
        "programmes/<uuid:programme_id>/indicators/add/",
        views.indicator_create,
        name="indicator_create",
    ),
    path(
        "programmes/<uuid:programme_id>/indicators/values.csv",
        export_views.indicator_values_csv,
        name="indicator_values_csv",
    ),
    path(
        "programmes/<uuid:programme_id>/indicators/values.xlsx",
        export_views.indicator_values_xlsx,
        name="indicator_values_xlsx",
    ),
    path(
        "programmes/<uuid:programme_id>/indicators/results-iati.xml",
        export_views.indicators_iati,
        name="indicators_iati",
    ),
    path("indicators/<uuid:indicator_id>/", views.indicator_detail, name="indicator_detail"),
    path(
        "indicators/<uuid:indicator_id>/targets/",
        views.indicator_target_set,
        name="indicator_target_set",
    ),
    path(
        "indicators/<uuid:indicator_id>/values/",
        views.indicator_value_record,
        name="indicator_value_record",
    ),
    path("programmes/<uuid:programme_id>/outcomes/", views.outcome_list, name="outcome_list"),
    path(
        "programmes/<uuid:programme_id>/outcomes/add/",
        views.outcome_create,
        name="outcome_create",
    ),
    path(
        "programmes/<uuid:programme_id>/outcomes.csv",
        export_views.outcomes_csv,
        name="outcomes_csv",
    ),
    path(
        "programmes/<uuid:programme_id>/outcomes.xlsx",
        export_views.outcomes_xlsx,
        name="outcomes_xlsx",
    ),
    path("outcomes/<uuid:outcome_id>/", views.outcome_detail, name="outcome_detail"),
    path("programmes/<uuid:programme_id>/learning/", views.learning_list, name="learning_list"),
    path(
        "programmes/<uuid:programme_id>/learning/add/",
        views.learning_create,
        name="learning_create",
    ),
    path("programmes/<uuid:programme_id>/outputs/", output_views.outputs, name="outputs"),
    path(
        "programmes/<uuid:programme_id>/communiques/add/",
        output_views.communique_create,
        name="communique_create",
    ),
    path(
        "communiques/<uuid:adoption_id>/",
        output_views.communique_detail,
        name="communique_detail",
    ),
    path("programmes/<uuid:programme_id>/risks/", risk_views.risk_register, name="risk_register"),
    path("programmes/<uuid:programme_id>/risks/add/", risk_views.risk_create, name="risk_create"),
    path("risks/<uuid:risk_id>/", risk_views.risk_detail, name="risk_detail"),
    path("risks/<uuid:risk_id>/edit/", risk_views.risk_update, name="risk_update"),
    path("risks/<uuid:risk_id>/close/", risk_views.risk_close, name="risk_close"),
    path(
        "programmes/<uuid:programme_id>/red-lines/add/",
        risk_views.red_line_create,
        name="red_line_create",
    ),
    path(
        "programmes/<uuid:programme_id>/expectations/add/",
        risk_views.expectation_statement_create,
        name="expectation_statement_create",
    ),
]
