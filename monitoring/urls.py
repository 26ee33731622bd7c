from django.urls import path

from monitoring.views import indicators as views

app_name = "monitoring"

urlpatterns = [
    path("programmes/<uuid:programme_id>/activity/", views.activity, name="activity"),
    path("programmes/<uuid:programme_id>/indicators/", views.indicator_list, name="indicator_list"),
    path(
        "programmes/<uuid:programme_id>/indicators/add/",
        views.indicator_create,
        name="indicator_create",
    ),
    path(
        "programmes/<uuid:programme_id>/indicators/values.csv",
        views.indicator_values_csv,
        name="indicator_values_csv",
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
    path("programmes/<uuid:programme_id>/outcomes.csv", views.outcomes_csv, name="outcomes_csv"),
    path("outcomes/<uuid:outcome_id>/", views.outcome_detail, name="outcome_detail"),
    path("programmes/<uuid:programme_id>/learning/", views.learning_list, name="learning_list"),
    path(
        "programmes/<uuid:programme_id>/learning/add/",
        views.learning_create,
        name="learning_create",
    ),
]
