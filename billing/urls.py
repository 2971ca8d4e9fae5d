"""Billing's pages (the API's routes are in clinic/api_urls.py)."""

from django.urls import path

from . import pages

urlpatterns = [
    path("patients/<uuid:patient_id>/billing/", pages.patient_billing, name="patient_billing"),
    path("patients/<uuid:patient_id>/billing/coverage/", pages.coverage_new, name="coverage_new"),
    path(
        "patients/<uuid:patient_id>/billing/authorization/",
        pages.authorization_new,
        name="authorization_new",
    ),
    path("patients/<uuid:patient_id>/billing/payment/", pages.payment_new, name="payment_new"),
    path("billing/", pages.billing_queue, name="billing_queue"),
    path("billing/charges/<uuid:charge_id>/void/", pages.charge_void, name="charge_void"),
    path("billing/claims/new/", pages.claim_new, name="claim_new"),
    path("billing/claims/<uuid:claim_id>/", pages.claim_detail, name="claim_detail"),
    path("billing/claims/<uuid:claim_id>/submit/", pages.claim_submit, name="claim_submit"),
    path(
        "billing/claims/<uuid:claim_id>/secondary/", pages.claim_secondary, name="claim_secondary"
    ),
    path("billing/claims/<uuid:claim_id>/deny/", pages.claim_deny, name="claim_deny"),
    path("billing/claims/<uuid:claim_id>/paid/", pages.claim_paid, name="claim_paid"),
    path("notes/<uuid:note_id>/billing/", pages.note_billing, name="note_billing"),
]
