"""Throttles. Signing in: a pair (address, IP) is locked after AXES_FAILURE_LIMIT failures and
one IP across every account after AXES_IP_FAILURE_LIMIT, never an address from everywhere.
Password reset: limited per address and per IP, with the same page, the same queries and the
same rows whether or not the address has an account."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practice.models import AuditEvent, OutgoingEmail
from tests.factories import PASSWORD, ParentFactory

WRONG = "not-my-password"
LOCKED = "Too many sign-in attempts"
THROTTLED = "several requests for a new password"


@pytest.fixture
def throttling(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_IP_FAILURE_LIMIT = 5


def sign_in(client, address, password, ip="10.0.0.1", **headers):
    return client.post(
        reverse("login"), {"username": address, "password": password}, REMOTE_ADDR=ip, **headers
    )


def test_one_ip_trying_many_accounts_is_locked_out(client, cast, throttling):
    # Given one IP that got two passwords wrong for each of two accounts (never three for one)
    for address in ("a@family.example", "b@family.example"):
        for _ in range(2):
            assert sign_in(client, address, WRONG).status_code == 200
    # When it gets a third account's wrong: five failures in all, the IP-wide limit
    fifth = sign_in(client, "c@family.example", WRONG)
    # Then that IP may not sign in, even with Pat's right password
    locked = sign_in(client, cast.parent.email, PASSWORD)
    for response in (fifth, locked):
        assert response.status_code in (403, 429) and LOCKED in response.content.decode()
    # But Pat, from home, signs in
    assert sign_in(client, cast.parent.email, PASSWORD, ip="10.9.9.9").status_code == 302


def test_nobody_elsewhere_can_lock_a_user_out(client, cast, throttling):
    # Given attackers on two networks who each got Pat's password wrong until locked
    for ip in ("203.0.113.5", "198.51.100.7"):
        for _ in range(3):
            sign_in(client, cast.parent.email, WRONG, ip=ip)
        assert LOCKED in sign_in(client, cast.parent.email, PASSWORD, ip=ip).content.decode()
    # Then Pat, from home, still signs in
    assert sign_in(client, cast.parent.email, PASSWORD, ip="10.0.0.1").status_code == 302


def test_a_forged_forwarded_for_buys_no_attempts_unless_a_proxy_is_trusted(
    client, cast, throttling, settings
):
    # Without a trusted proxy, X-Forwarded-For is ignored: new values buy nothing
    for n in range(3):
        sign_in(client, cast.parent.email, WRONG, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert LOCKED in sign_in(client, cast.parent.email, PASSWORD).content.decode()
    # Behind one trusted proxy, the address it saw is the client's
    settings.TRUSTED_PROXY_COUNT = 1
    home = sign_in(client, cast.parent.email, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.9")
    assert home.status_code == 302
    client.logout()
    sign_in(client, "a@family.example", WRONG, HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.9")
    assert AccessAttempt.objects.get(username="a@family.example").ip_address == "192.0.2.9"


# --- Password reset ---------------------------------------------------------------------------


@pytest.fixture
def reset(client, django_capture_on_commit_callbacks, settings):
    settings.PASSWORD_RESET_PER_ADDRESS = 3
    settings.PASSWORD_RESET_PER_IP = 5

    def ask(address, ip="10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("password_reset"), {"email": address}, REMOTE_ADDR=ip)

    return ask


def assert_throttled(response) -> None:
    assert response.status_code == 200
    assert THROTTLED in response.content.decode()


@pytest.mark.parametrize("address", ["pat@test.example", "nobody@test.example"])
def test_reset_is_limited_per_address_known_or_not(cast, reset, address):
    # Given three requests for one address from three networks
    for n in range(3):
        assert reset(address, ip=f"10.0.{n}.1").url == reverse("password_reset_done")
    # Then a fourth, from a fourth, is refused with a clear message, known address or not
    assert_throttled(reset(address.upper(), ip="10.0.9.1"))
    assert len(mail.outbox) == (3 if address.startswith("pat") else 0)


def test_reset_is_limited_per_ip(cast, reset):
    for n in range(5):
        assert reset(f"person{n}@test.example").status_code == 302
    assert_throttled(reset("pat@test.example"))
    assert mail.outbox == []
    # And Pat, from home, still gets a link
    assert reset("pat@test.example", ip="10.9.9.9").status_code == 302
    assert len(mail.outbox) == 1


def _normalised(queries) -> list[str]:
    # The values differ (the address's hash, the times): the statements must not.
    return [re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"]) for query in queries]


def test_reset_does_the_same_work_whether_or_not_the_address_has_an_account(
    client, cast, django_capture_on_commit_callbacks
):
    ParentFactory(email="warm@test.example")
    client.post(reverse("password_reset"), {"email": "warm@test.example"}, REMOTE_ADDR="10.5.5.5")
    work = {}
    for address in ("pat@test.example", "nobody@test.example"):
        emails_before = OutgoingEmail.objects.count()
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as callbacks,
        ):
            response = client.post(reverse("password_reset"), {"email": address})
        work[address] = (
            response.status_code,
            response.url,
            _normalised(queries.captured_queries),
            len(callbacks),
            OutgoingEmail.objects.count() - emails_before,
        )
    # Then the request did exactly the same: page, statements, queued work, no email row yet
    assert work["pat@test.example"] == work["nobody@test.example"]
    assert work["pat@test.example"][3] == 1 and work["pat@test.example"][4] == 0
    # And each ask is in the audit, with no address in the clear
    asks = AuditEvent.objects.filter(action="password_reset.request")
    assert asks.count() == 3
    assert all("@" not in str(event.details) for event in asks)


def test_the_worker_sends_the_email_only_to_an_account(cast, reset):
    reset("pat@test.example")
    reset("nobody@test.example", ip="10.0.0.2")
    (row,) = OutgoingEmail.objects.filter(kind="password_reset")
    assert row.recipient == "pat@test.example" and row.user == cast.parent
