"""The floor ladder, below the app's own URLs: what a request costs with no
work at all, then with one query. `/api/v1/me/` (token auth, one query) is the
third rung and belongs to the app."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/plain/", views.plain, name="bench-plain"),
    path("bench/select1/", views.select_one, name="bench-select1"),
    path("", include("clinic.urls")),
]
