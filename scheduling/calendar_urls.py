from django.urls import path

from . import calendars

app_name = "calendar"

urlpatterns = [
    path("therapist/<str:token>.ics", calendars.therapist_feed, name="therapist_feed"),
    path("patient/<str:token>.ics", calendars.patient_feed, name="patient_feed"),
]
