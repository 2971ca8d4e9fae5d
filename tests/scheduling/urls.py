"""Only the scheduling part's addresses, so these tests do not depend on the
pages and the API being importable while they are built; one test checks
that clinic/urls.py includes the same."""

from django.urls import include, path

urlpatterns = [
    path("calendar/", include("scheduling.calendar_urls")),
    path("visit/", include("scheduling.confirm_urls")),
]
