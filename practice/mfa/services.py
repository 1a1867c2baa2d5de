"""Two-step sign-in for staff: an authenticator app (TOTP) and ten single-use recovery codes."""

from __future__ import annotations

import io
from base64 import b32encode
from urllib.parse import quote, urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..auditlog.services import audit, client_ip
from ..models import Practice, User

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed app device being set up (a new secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_for_people(device: TOTPDevice) -> str:
    """The secret as an app expects it typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(device: TOTPDevice, practice: Practice) -> str:
    issuer = practice.name.replace(":", "")
    label = quote(f"{issuer}:{device.user.email}")
    params = urlencode(
        {
            "secret": b32encode(device.bin_key).decode(),
            "issuer": issuer,
            "digits": device.digits,
            "period": device.step,
        }
    )
    return f"otpauth://totp/{label}?{params}"


def qr_code_svg(data: str) -> bytes:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def mfa_enrol(*, user: User, device: TOTPDevice, code: str, request=None) -> list[str]:
    """Confirm the app with a code from it; returns the recovery codes, shown once."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(_digits(code)):
        raise ValidationError(
            {
                "code": _(
                    "That code did not match. Check the app shows this account, and try the "
                    "newest code."
                )
            }
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    if request is not None:
        django_otp.login(request, device)
    audit(actor=user, action="auth.mfa_enrol", target=user, ip_address=client_ip(request))
    return codes


@transaction.atomic
def mfa_recovery_codes_renew(*, user: User, ip_address: str | None = None) -> list[str]:
    codes = _new_recovery_codes(user)
    audit(actor=user, action="auth.mfa_recovery_codes", target=user, ip_address=ip_address)
    return codes


def _digits(code: str) -> str:
    return "".join(code.split())


def mfa_verify(*, user: User, code: str, request=None) -> Device:
    """The second step: a code from the app or an unused recovery code."""
    code = _digits(code)
    if code.isdigit():
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
        code = code.lower()
    for device in devices:
        allowed, _detail = device.verify_is_allowed()
        if not allowed:
            raise ValidationError(
                {"code": _("Too many wrong codes. Wait a minute, then try the newest code.")}
            )
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            method = "app" if isinstance(verified, TOTPDevice) else "recovery_code"
            if request is not None:
                request.session.cycle_key()
                django_otp.login(request, verified)
            audit(
                actor=user,
                action="auth.mfa_verify",
                target=user,
                ip_address=client_ip(request),
                method=method,
            )
            return verified
    audit(actor=user, action="auth.mfa_fail", target=user, ip_address=client_ip(request))
    raise ValidationError(
        {
            "code": _(
                "That code did not work. Use the newest code from your app, or a recovery "
                "code you have not used before."
            )
        }
    )


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def mfa_remove(*, user: User, removed_by: User, ip_address: str | None = None) -> None:
    """Turn two-step sign-in off (the user, where not required) or reset it (a practice admin,
    for a lost phone). Afterwards the user enrols again where the practice requires it."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    action = "auth.mfa_disable" if removed_by == user else "auth.mfa_reset"
    audit(actor=removed_by, action=action, target=user, ip_address=ip_address)
