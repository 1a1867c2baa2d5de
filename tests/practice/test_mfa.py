"""Two-step sign-in for staff: enrolment with an app (TOTP), the second step after the password,
single-use recovery codes, the practice's requirement for all staff; families never asked."""

import time
from binascii import unhexlify

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from practice.models import AuditEvent
from tests.factories import PASSWORD, TOTPDeviceFactory

KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, as hex


def code_now(key: str = KEY, offset: int = 0) -> str:
    totp = TOTP(unhexlify(key))
    totp.time = time.time() + offset * 30
    return f"{totp.token():06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDeviceFactory(user=user, name="app", key=KEY, confirmed=True)


def sign_in(client, user):
    return client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD, "next": "/caseload/"}
    )


@pytest.fixture
def with_recovery_codes(cast):
    from practice.mfa.services import _new_recovery_codes

    enrolled(cast.clinician)
    return _new_recovery_codes(cast.clinician)


def test_enrolment_shows_the_secret_and_a_qr_code_and_confirms_with_a_code(client, cast):
    client.force_login(cast.clinician)
    page = client.get(reverse("mfa_setup")).content.decode()
    device = TOTPDevice.objects.get(user=cast.clinician, confirmed=False)
    assert reverse("mfa_qr_code") in page
    qr = client.get(reverse("mfa_qr_code"))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    response = client.post(reverse("mfa_setup"), {"code": code_now(device.key)})
    assert response.status_code == 302 and response.url == reverse("mfa_recovery_codes")
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(reverse("mfa_recovery_codes")).content.decode()
    codes = list(StaticToken.objects.filter(device__user=cast.clinician))
    assert len(codes) == 10 and all(token.token in codes_page for token in codes)
    # Shown once only.
    assert client.get(reverse("mfa_recovery_codes")).status_code == 302
    assert AuditEvent.objects.filter(actor=cast.clinician, action="auth.mfa_enrol").exists()


def test_a_wrong_enrolment_code_gets_a_clear_error_and_keeps_it(client, cast):
    client.force_login(cast.clinician)
    client.get(reverse("mfa_setup"))
    page = client.post(reverse("mfa_setup"), {"code": "000 000"}).content.decode()
    assert "That code did not match" in page and 'value="000 000"' in page
    page = client.post(reverse("mfa_setup"), {"code": "12ab"}).content.decode()
    assert "Type the 6 digits" in page and 'value="12ab"' in page
    assert not TOTPDevice.objects.filter(user=cast.clinician, confirmed=True).exists()


def test_login_asks_for_the_code_after_the_password(client, cast, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a person takes longer than the wait to retype
    enrolled(cast.clinician)
    response = sign_in(client, cast.clinician)
    assert response.status_code == 302
    blocked = client.get("/caseload/")
    assert blocked.status_code == 302 and blocked.url.startswith(reverse("mfa_verify"))
    assert client.get(reverse("child_detail", args=[cast.child.pk])).status_code == 302
    page = client.post(reverse("mfa_verify"), {"code": "123456", "next": "/caseload/"})
    assert "That code did not work" in page.content.decode()
    response = client.post(reverse("mfa_verify"), {"code": code_now(), "next": "/caseload/"})
    assert response.status_code == 302 and response.url == "/caseload/"
    assert client.get("/caseload/").status_code == 200
    assert AuditEvent.objects.filter(actor=cast.clinician, action="auth.mfa_verify").exists()


def test_wrong_codes_in_quick_succession_are_slowed_down(client, cast):
    enrolled(cast.clinician)
    sign_in(client, cast.clinician)
    client.post(reverse("mfa_verify"), {"code": "123456"})
    page = client.post(reverse("mfa_verify"), {"code": code_now()}).content.decode()
    assert "Too many wrong codes" in page
    assert client.get("/caseload/").status_code == 302


def test_a_code_cannot_be_used_twice(client, cast):
    enrolled(cast.clinician)
    code = code_now()
    sign_in(client, cast.clinician)
    client.post(reverse("mfa_verify"), {"code": code})
    client.post(reverse("logout"))
    sign_in(client, cast.clinician)
    client.post(reverse("mfa_verify"), {"code": code})
    assert client.get("/caseload/").status_code == 302


def test_a_recovery_code_works_once(client, cast, with_recovery_codes):
    code = with_recovery_codes[0]
    sign_in(client, cast.clinician)
    response = client.post(reverse("mfa_verify"), {"code": code.upper(), "next": "/caseload/"})
    assert response.url == "/caseload/"
    assert client.get("/caseload/").status_code == 200
    client.post(reverse("logout"))
    sign_in(client, cast.clinician)
    page = client.post(reverse("mfa_verify"), {"code": code}).content.decode()
    assert "That code did not work" in page
    assert client.get("/caseload/").status_code == 302
    assert StaticToken.objects.filter(device__user=cast.clinician).count() == 9


def test_requiring_it_sends_staff_without_it_to_enrolment_and_nowhere_else(client, cast):
    cast.practice.require_staff_mfa = True
    cast.practice.save()
    for user in (cast.clinician, cast.admin):
        client.force_login(user)
        for url in ("/caseload/", reverse("practice_settings"), reverse("emergency_search")):
            response = client.get(url)
            assert response.status_code == 302 and response.url.startswith(reverse("mfa_setup"))
        assert client.get(reverse("mfa_setup")).status_code == 200
    # Once enrolled (and verified by the enrolment itself), every page opens.
    client.force_login(cast.clinician)
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=cast.clinician, confirmed=False)
    client.post(reverse("mfa_setup"), {"code": code_now(device.key)})
    assert client.get("/caseload/").status_code == 200


def test_parents_are_never_asked(client, cast):
    cast.practice.require_staff_mfa = True
    cast.practice.save()
    sign_in(client, cast.parent)
    assert client.get(reverse("portal_home")).status_code == 200
    assert client.get(reverse("mfa_setup")).status_code == 404
    assert client.get(reverse("mfa_verify")).status_code == 404


def test_the_practice_settings_page_sets_the_requirement(client, cast):
    client.force_login(cast.admin)
    page = client.get(reverse("practice_settings")).content.decode()
    assert "require_staff_mfa" in page
    data = {
        "name": "Riverside",
        "timezone": "Europe/London",
        "sharing_age_threshold": 12,
        "default_sharing_level_under_threshold": "full",
        "default_sharing_level_from_threshold": "progress",
        "missed_sessions_allowance": 6,
        "require_staff_mfa": "on",
    }
    client.post(reverse("practice_settings"), data)
    cast.practice.refresh_from_db()
    assert cast.practice.require_staff_mfa


def test_an_admin_resets_a_lost_phone_and_the_member_can_turn_it_off_where_allowed(client, cast):
    enrolled(cast.clinician)
    client.force_login(cast.admin)
    assert "Reset two-step sign-in" in client.get(reverse("staff_list")).content.decode()
    client.post(reverse("mfa_reset", args=[cast.clinician.pk]))
    assert not TOTPDevice.objects.filter(user=cast.clinician).exists()
    assert AuditEvent.objects.filter(actor=cast.admin, action="auth.mfa_reset").exists()
    # Turning it off needs a code from the app.
    enrolled(cast.outsider)
    sign_in(client, cast.outsider)
    client.post(reverse("mfa_verify"), {"code": code_now()})
    client.post(reverse("mfa_turn_off"), {"code": "999999"})
    assert TOTPDevice.objects.filter(user=cast.outsider).exists()


def test_security_page_has_bounded_queries(client, cast, django_assert_max_num_queries):
    from practice.mfa.services import _new_recovery_codes

    device = enrolled(cast.clinician)
    client.force_login(cast.clinician)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    for _ in range(2):  # 10 recovery codes, then 20 after a second set is added
        _new_recovery_codes(cast.clinician)
        client.get(reverse("mfa_setup"))
        with django_assert_max_num_queries(10):
            assert client.get(reverse("mfa_setup")).status_code == 200
