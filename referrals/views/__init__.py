"""Referral and plan pages, split by job (each under ~200 lines)."""

from .plan_pages import (
    intake_queue,
    my_plans,
    plan_approve,
    plan_detail,
    plan_edit,
    plan_new,
    plan_propose,
    plan_request_signature,
    plan_send_back,
    plans_to_review,
)
from .referral_pages import (
    icd10_pick,
    icd10_search,
    referral_detail,
    referral_edit,
    referral_new,
    referral_sign,
)

__all__ = [
    "icd10_pick",
    "icd10_search",
    "intake_queue",
    "my_plans",
    "plan_approve",
    "plan_detail",
    "plan_edit",
    "plan_new",
    "plan_propose",
    "plan_request_signature",
    "plan_send_back",
    "plans_to_review",
    "referral_detail",
    "referral_edit",
    "referral_new",
    "referral_sign",
    "series_new",
    "series_preview",
]
