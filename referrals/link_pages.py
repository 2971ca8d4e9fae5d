"""The outside physician's page (API.md, Outside physicians and documents): no
account, only the secret link, a 6-digit code sent to the same address, then
approve with a typed name and a drawn signature, or ask for changes. Built for a
phone. The code, once entered, holds for this browser's session only."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic.errors import DomainConflict, Invalid, NotAllowed

from . import signature_links
from .models import LinkPurpose
from .printing import certification_period

VERIFIED = "verified_signature_links"


def link_or_gone(request, token, purpose=None):
    """The waiting link (of this purpose, when given), or the page saying it is gone.
    Asking for the code and entering it are the same steps for every purpose."""
    link = signature_links.open_link(token, purpose)
    if link is None:
        response = render(request, "referrals/physician_sign_gone.html", status=410)
        response["Referrer-Policy"] = "same-origin"
        return None, response
    return link, None


def is_verified(request, link) -> bool:
    return str(link.pk) in request.session.get(VERIFIED, [])


def _back(link, token):
    return redirect(signature_links.PAGE_OF[link.purpose], token=token)


@never_cache
def physician_sign(request, token):
    link, gone = link_or_gone(request, token, LinkPurpose.PLAN_OF_CARE)
    if gone:
        return gone
    plan = link.plan
    context = {
        "link": link,
        "plan": plan,
        "referral": plan.referral,
        "certification": certification_period(plan),
        "verified": is_verified(request, link),
        "code_sent": bool(link.code_hash),
        "token": token,
    }
    response = render(request, "referrals/physician_sign.html", context)
    response["Referrer-Policy"] = "same-origin"  # the token never leaves in a Referer
    return response


@require_POST
def physician_code(request, token):
    link, gone = link_or_gone(request, token)
    if gone:
        return gone
    signature_links.send_code(link=link)
    messages.success(request, f"We sent a 6-digit code to {link.email}.")
    return _back(link, token)


@require_POST
def physician_verify(request, token):
    link, gone = link_or_gone(request, token)
    if gone:
        return gone
    try:
        good = signature_links.verify_code(link=link, code=request.POST.get("code", ""))
    except Invalid as error:
        messages.error(request, error.errors["code"][0])
        return _back(link, token)
    if not good:
        messages.error(request, "This is not the code we sent.")
        return _back(link, token)
    request.session[VERIFIED] = [*request.session.get(VERIFIED, []), str(link.pk)]
    return _back(link, token)


@require_POST
def physician_answer(request, token):
    link, gone = link_or_gone(request, token, LinkPurpose.PLAN_OF_CARE)
    if gone:
        return gone
    if not is_verified(request, link):
        messages.error(request, "Enter the code we emailed you first.")
        return redirect("physician_sign", token=token)
    try:
        if request.POST.get("answer") == "approve":
            answered = signature_links.approve(
                link=link,
                typed_name=request.POST.get("typed_name", ""),
                signature=request.POST.get("signature", ""),
            )
        else:
            answered = signature_links.ask_for_changes(
                link=link, comment=request.POST.get("comment", "")
            )
    except Invalid as error:
        for problems in error.errors.values():
            messages.error(request, problems[0])
        return redirect("physician_sign", token=token)
    except (DomainConflict, NotAllowed) as error:
        messages.error(request, str(getattr(error, "detail", error)))
        return redirect("physician_sign", token=token)
    return render(request, "referrals/physician_signed.html", {"link": answered})
