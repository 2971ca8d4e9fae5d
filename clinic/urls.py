from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("clinic.api_urls")),
    path("calendar/", include("scheduling.calendar_urls")),
    path("visit/", include("scheduling.confirm_urls")),
    path("webhooks/", include("messaging.urls")),  # the providers' (issue 14, item 7)
    path("", include("portal.urls")),  # the patient pages and the sign-in link
    path("", include("sessions_log.supervision_urls")),  # reports, clearances (issue 5)
    path("", include("billing.urls")),  # billing helper: the biller's and front desk's pages
    path("", include("clinic.page_urls")),
]

handler404 = "clinic.api_errors.not_found"
