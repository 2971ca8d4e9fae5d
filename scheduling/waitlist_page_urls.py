"""The waitlist page's routes, under /waitlist/ (clinic/page_urls.py): named
flat, as the other pages are."""

from django.urls import path

from . import waitlist_pages

urlpatterns = [
    path("", waitlist_pages.waitlist_list, name="waitlist"),
    path("new/", waitlist_pages.waitlist_new, name="waitlist_new"),
    path("<uuid:entry_id>/", waitlist_pages.waitlist_edit, name="waitlist_edit"),
    path("<uuid:entry_id>/withdraw/", waitlist_pages.waitlist_withdraw, name="waitlist_withdraw"),
]
