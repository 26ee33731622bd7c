"""The second factor's pages (dialogues.second_factor): Parley's log-in with its code step, and
the account page where a person sets up or turns off their authenticator app."""

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialogues import second_factor
from dialogues.forms.second_factor import CODE_CHECK_ERRORS, CodeForm, TurnOffForm
from dialogues.second_factor import CodeCheck


class PasswordThenCodeLoginView(auth_views.LoginView):
    """Parley's log-in. Someone without a device is logged in by the password, as before;
    someone with one is not: the password starts a pending log-in and the code page finishes
    it."""

    def form_valid(self, form):
        user = form.get_user()
        if second_factor.confirmed_device(user) is None:
            return super().form_valid(form)
        second_factor.pending_login_start(self.request, user, self.get_success_url())
        return redirect(second_factor.CODE_PAGE)


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The code step of a log-in: after the password on Parley's log-in (the person is not
    logged in yet), or for a signed-in session that owes a code (an accepted invitation)."""
    if request.user.is_authenticated:
        user, pending = request.user, None
        if user.is_verified() or second_factor.confirmed_device(user) is None:
            request.session[second_factor.SECOND_FACTOR_DUE] = False
            return redirect(second_factor.safe_next(request, request.GET.get("next")))
        redirect_to = request.POST.get("next") or request.GET.get("next") or ""
    else:
        pending = second_factor.pending_login(request)
        if pending is None:
            second_factor.pending_login_end(request)
            messages.info(request, _("Log in with your password first; then enter the code."))
            return redirect("login")
        user, backend, redirect_to = pending

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome, device = second_factor.check_code(user, form.cleaned_data["code"])
        if outcome is CodeCheck.ACCEPTED:
            if pending is None:
                second_factor.second_factor_settled(request, device)
            else:
                second_factor.pending_login_end(request)
                # django-otp records the device that verified this log-in in the session.
                user.otp_device = device
                auth_login(request, user, backend=backend)
            return redirect(second_factor.safe_next(request, redirect_to))
        form.add_error("code", CODE_CHECK_ERRORS[outcome])
    return render(
        request,
        "registration/login_code.html",
        {"form": form, "next": redirect_to, "signed_in": pending is None},
    )


@login_required
@require_GET
def second_factor_status(request):
    """Whether the signed-in person's second factor is on, with the way to set it up or turn
    it off."""
    return _status_page(request, TurnOffForm(request=request, user=request.user))


def _status_page(request, form):
    device = second_factor.confirmed_device(request.user)
    context = {
        "device": device,
        "required": second_factor.second_factor_required(request.user),
        "form": form,
    }
    return render(request, "accounts/second_factor.html", context)


@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request):
    """Set up an authenticator app: scan the QR code (or type the key), then enter a code to
    show the app holds the secret. Only then is the device saved, confirmed. Someone who has a
    device already is sent to the account page: a session that owes a code never gets here
    (SecondFactorMiddleware), so setting up cannot stand in for the code."""
    user = request.user
    if second_factor.confirmed_device(user) is not None:
        messages.info(request, _("Your second factor is already on."))
        return redirect("second_factor")
    key = second_factor.enrolment_key(request.session)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.device_enrol(user=user, key=key, code=form.cleaned_data["code"])
        if device is not None:
            request.session.pop(second_factor.ENROLMENT_KEY, None)
            second_factor.second_factor_settled(request, device)
            messages.success(
                request, _("Your second factor is on. Each log-in will now ask for a code.")
            )
            return redirect("second_factor")
        form.add_error("code", _("That code is not right. Check the key and try the next code."))
    device = second_factor.unsaved_device(user, key)
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "required": second_factor.second_factor_required(user),
        "qr_svg": _qr_code_svg(device.config_url),
        # In groups of four, as authenticator apps accept it typed.
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
    }
    return render(request, "accounts/second_factor_enrol.html", context)


def _qr_code_svg(address):
    """The QR code of `address` as inline SVG markup. Safe to insert as it is: segno draws
    modules as paths (the address, username included, becomes black and white squares, never
    text), with presentation attributes the CSP allows (no style attribute)."""
    svg = segno.make(address, error="m").svg_inline(scale=4, light="#fff")
    return mark_safe(svg)  # noqa: S308


@sensitive_post_parameters("code", "password")
@login_required
@require_POST
def second_factor_turn_off(request):
    """Turn the second factor off, with a current code or the password. Staff and
    superusers must keep it (403)."""
    user = request.user
    if second_factor.second_factor_required(user):
        raise PermissionDenied(_("Staff accounts must keep their second factor."))
    if second_factor.confirmed_device(user) is None:
        messages.info(request, _("Your second factor is already off."))
        return redirect("second_factor")
    form = TurnOffForm(request.POST, request=request, user=user)
    if not form.is_valid():
        return _status_page(request, form)
    second_factor.devices_remove(user=user)
    second_factor.second_factor_forget(request)
    messages.success(
        request, _("Your second factor is off. Log-ins now ask for the password only.")
    )
    return redirect("second_factor")
