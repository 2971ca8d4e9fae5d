"""Optional TOTP second factor for doctors and managers (django-otp).

A user with a confirmed TOTP device signs in in two steps: the password at `/`,
then a six-digit code at `/account/verify/`. Until the code, every page sends
them to the verify page and the API refuses their session. Users without a
device never notice any of this: the check reads one session flag, set when
they sign in, so it costs no query on their requests.
"""

import base64
import io

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in, user_login_failed
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import record
from .tokens import revoke_all_tokens
from .vocabulary import Role

ELIGIBLE_ROLES = (Role.DOCTOR, Role.MANAGER)
# Set at sign-in for a user with a confirmed device; whether the code was given
# since, OTPMiddleware's `is_verified()` tells from the session.
SESSION_FLAG = "clinic_otp_required"
DEVICE_NAME = "Authenticator app"
THROTTLED = "Too many wrong codes. Wait a moment before you try again."
WRONG_CODE = "That code is not right. Check the time on your phone and try the newest code."


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needs_code(user) -> bool:
    """The token endpoint's question: does this account have a second factor?"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def check_code(*, device, code: str, request=None) -> tuple[bool, str]:
    """Verify `code` on `device` under django-otp's throttle (which grows after each
    failure and survives new sign-ins). A wrong code also counts as a failed sign-in
    for django-axes, so the username+address pair locks like a wrong password."""
    code = (code or "").strip()
    well_formed = code.isdigit() and len(code) == 6
    with transaction.atomic():
        # locked, so two tries at once cannot both pass the throttle
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            problem = THROTTLED
        elif well_formed and device.verify_token(code):
            return True, ""
        else:
            problem = WRONG_CODE
            if not well_formed:
                device.throttle_increment(commit=True)  # malformed guesses are guesses too
    if request is not None:
        user_login_failed.send(
            sender=__name__, credentials={"username": device.user.username}, request=request
        )
    return False, problem


def _flag_on_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        if needs_code(user):
            request.session[SESSION_FLAG] = True
        else:
            request.session.pop(SESSION_FLAG, None)


user_logged_in.connect(_flag_on_sign_in, dispatch_uid="clinic.two_factor.flag_on_sign_in")


class TwoFactorMiddleware:
    """Between the password and the code, only the verify page and sign-out answer."""

    EXEMPT = ("/account/verify/", "/logout/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.waiting_for_code(request) and not request.path.startswith(self.EXEMPT):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "Enter your two-factor code at /account/verify/ first.",
                        "code": "otp_required",
                    },
                    status=403,
                )
            return redirect(f"{reverse('two_factor_verify')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def waiting_for_code(request) -> bool:
        session = getattr(request, "session", None)
        if session is None or not session.get(SESSION_FLAG):
            return False
        user = request.user
        return user.is_authenticated and not user.is_verified()


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Six-digit code",
        min_length=6,
        max_length=6,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
    )


def _safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@login_required
def verify(request):
    """The second sign-in step."""
    device = confirmed_device(request.user)
    if device is None or request.user.is_verified():
        # reset by the manager meanwhile, or already done: nothing to ask
        request.session.pop(SESSION_FLAG, None)
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, problem = check_code(device=device, code=form.cleaned_data["code"], request=request)
        if ok:
            otp_login(request, device)
            return redirect(_safe_next(request))
        if getattr(request, "axes_locked_out", False):
            # django-axes answers with its lockout page; the half-signed-in session ends
            logout(request)
            return render(request, "account/verify.html", {"form": form}, status=429)
        form.add_error("code", problem)
    return render(
        request,
        "account/verify.html",
        {"form": form, "next": _safe_next(request)},
        status=400 if form.errors else 200,
    )


def _qr_data_uri(text: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URI (the CSP allows data: images
    and no inline markup). Drawn by segno, pure Python: the qrcode package loaded
    Pillow's drawing modules with it, 3 MB kept by the worker (issue 17)."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", border=2, scale=5)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _secret_groups(device) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def enrol(request):
    """Turn the second factor on (scan, then confirm a code) or off (with a code)."""
    user = request.user
    if user.role not in ELIGIBLE_ROLES:
        raise PermissionDenied("Two-factor sign-in is for doctors and managers.")
    device = confirmed_device(user)
    form = CodeForm(request.POST or None)

    if device is not None:
        if request.method == "POST" and form.is_valid():
            ok, problem = check_code(device=device, code=form.cleaned_data["code"])
            if ok:
                record(actor=user, action="two_factor.disabled", target=user)
                TOTPDevice.objects.filter(user=user).delete()
                request.session.pop(SESSION_FLAG, None)
                request.session.pop(DEVICE_ID_SESSION_KEY, None)
                messages.success(request, "Two-factor sign-in is off.")
                return redirect("two_factor")
            form.add_error("code", problem)
        return render(
            request,
            "account/two_factor.html",
            {"form": form, "device": device, "enabled": True},
            status=400 if form.errors else 200,
        )

    # One pending device per person: a reload shows the same secret, not a new one.
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    if request.method == "POST" and form.is_valid():
        ok, problem = check_code(device=pending, code=form.cleaned_data["code"])
        if ok:
            pending.refresh_from_db()
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            record(actor=user, action="two_factor.enabled", target=user)
            # tokens issued on the password alone must not skip the new factor
            revoke_all_tokens(user=user, by=user, reason="two-factor enrolment")
            otp_login(request, pending)  # this session has just proven the code
            request.session[SESSION_FLAG] = True
            messages.success(request, "Two-factor sign-in is on. You will need a code each time.")
            return redirect("two_factor")
        form.add_error("code", problem)
    uri = pending.config_url
    return render(
        request,
        "account/two_factor.html",
        {
            "form": form,
            "enabled": False,
            "secret": _secret_groups(pending),
            "uri": uri,
            "qr": _qr_data_uri(uri),
        },
        status=400 if form.errors else 200,
    )
