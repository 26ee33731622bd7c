from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("programmes/<uuid:programme_id>/activity/", views.activity, name="activity"),
]
