"""Accounts: sign-in, throttling, password reset and change, the staff idle timeout, the CSP, and
the site operator's Django admin."""

import re
import time

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from practice.middleware import SESSION_KEY
from practice.models import AuditEvent, OutgoingEmail, User
from tests.factories import PASSWORD, AuditEventFactory, ParentProfileFactory

# --- Signing in --------------------------------------------------------------------------


def test_login_with_the_right_password_lands_on_the_home_and_is_audited(client, cast):
    response = client.post(
        reverse("login"), {"username": "pat@test.example", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("portal_home")
    assert AuditEvent.objects.filter(action="auth.login", actor=cast.parent).exists()


def test_login_ignores_the_case_of_the_email(client, cast):
    response = client.post(reverse("login"), {"username": "Pat@Test.Example", "password": PASSWORD})
    assert response.status_code == 302


def test_login_with_a_wrong_password_gets_a_clear_error_and_keeps_the_email(client, cast):
    # When Pat types the wrong password
    response = client.post(
        reverse("login"), {"username": "pat@test.example", "password": "not-my-password"}
    )
    # Then the page says so plainly, keeps the email typed, and nobody is signed in
    assert response.status_code == 200
    html = response.content.decode()
    assert "That email address and password do not match an active account" in html
    assert 'value="pat@test.example"' in html
    assert "not-my-password" not in html
    assert "_auth_user_id" not in client.session


def test_after_too_many_failures_the_lockout_page_shows(client, cast, settings):
    # Given throttling on, with a limit of three failures
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    wrong = {"username": "pat@test.example", "password": "not-my-password"}
    # When Pat fails three times, then tries the right password
    for _ in range(2):
        assert client.post(reverse("login"), wrong).status_code == 200
    locked = client.post(reverse("login"), wrong)
    after = client.post(reverse("login"), {"username": "pat@test.example", "password": PASSWORD})
    # Then the lockout page explains what happened and how long to wait, even for the right
    # password, and offers a reset
    for response in (locked, after):
        assert response.status_code in (403, 429)
        html = response.content.decode()
        assert "Too many sign-in attempts" in html
        assert "wait 15 minutes" in html
        assert reverse("password_reset") in html
    assert "_auth_user_id" not in client.session


def test_changing_the_case_of_the_address_does_not_buy_more_attempts(client, cast, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for spelling in ("pat@test.example", "Pat@test.example", "PAT@TEST.EXAMPLE"):
        client.post(reverse("login"), {"username": spelling, "password": "not-my-password"})
    response = client.post(reverse("login"), {"username": "pat@test.example", "password": PASSWORD})
    assert "Too many sign-in attempts" in response.content.decode()


def test_failures_below_the_limit_do_not_lock_the_account(client, cast, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    wrong = {"username": "pat@test.example", "password": "not-my-password"}
    client.post(reverse("login"), wrong)
    client.post(reverse("login"), wrong)
    response = client.post(reverse("login"), {"username": "pat@test.example", "password": PASSWORD})
    assert response.status_code == 302


def test_signing_out_ends_the_session(client, cast):
    client.force_login(cast.parent)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal_home")).status_code == 302


# --- Passwords ---------------------------------------------------------------------------


def test_password_reset_by_email_sets_a_new_password(
    client, cast, django_capture_on_commit_callbacks
):
    # Given Pat asks for a reset
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "pat@test.example"})
    assert response.url == reverse("password_reset_done")
    # Then an email with a link arrives, through the outbox
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["pat@test.example"]
    row = OutgoingEmail.objects.get(kind="password_reset")
    assert row.state == "sent" and row.user == cast.parent
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id
    path = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    # When Pat follows it and chooses a new password
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "brand-new-secret", "new_password2": "brand-new-secret"}
    )
    # Then the new password works and the old one does not; the link is spent
    assert done.url == reverse("password_reset_complete")
    assert client.login(username="pat@test.example", password="brand-new-secret")
    client.logout()
    assert not client.login(username="pat@test.example", password=PASSWORD)
    assert not client.get(path, follow=True).context["validlink"]


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@test.example"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []
    assert not OutgoingEmail.objects.exists()


def test_password_change_needs_the_old_password(client, cast):
    client.force_login(cast.clinician)
    bad = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "another-long-secret",
            "new_password2": "another-long-secret",
        },
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors["old_password"]
    good = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-secret",
            "new_password2": "another-long-secret",
        },
    )
    assert good.url == reverse("password_change_done")
    cast.clinician.refresh_from_db()
    assert cast.clinician.check_password("another-long-secret")
    # The session survives the change
    assert client.get(reverse("caseload")).status_code == 200


# --- The staff idle timeout ----------------------------------------------------------------


def idle_for(client, seconds: int) -> None:
    session = client.session
    session[SESSION_KEY] = int(time.time()) - seconds
    session.save()


def test_an_idle_clinician_is_signed_out_and_told_why(client, cast, settings):
    # Given a clinician idle for longer than the staff timeout
    settings.STAFF_IDLE_TIMEOUT = 30 * 60
    client.force_login(cast.clinician)
    client.get(reverse("caseload"))
    idle_for(client, 31 * 60)
    # When they next open a page
    response = client.get(reverse("caseload"))
    # Then they are sent to sign in again, with the reason, and the session is gone
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('caseload')}"
    login_page = client.get(response.url)
    assert "signed out after a period of inactivity" in login_page.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_active_clinician_stays_signed_in(client, cast, settings):
    settings.STAFF_IDLE_TIMEOUT = 30 * 60
    client.force_login(cast.clinician)
    client.get(reverse("caseload"))
    idle_for(client, 29 * 60)
    assert client.get(reverse("caseload")).status_code == 200


def test_an_idle_office_admin_is_signed_out_too(client, cast, settings):
    settings.STAFF_IDLE_TIMEOUT = 60
    client.force_login(cast.admin)
    client.get(reverse("practice_settings"))
    idle_for(client, 120)
    assert client.get(reverse("practice_settings")).status_code == 302


def test_an_idle_parent_keeps_their_session(client, cast, settings):
    settings.STAFF_IDLE_TIMEOUT = 60
    client.force_login(cast.parent)
    client.get(reverse("portal_home"))
    idle_for(client, 24 * 3600)
    assert client.get(reverse("portal_home")).status_code == 200


# --- Content-Security-Policy ---------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style", re.IGNORECASE)


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_every_page_has_a_csp_with_no_inline_scripts(client, cast):
    response = client.get(reverse("login"))
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize(
    ("who", "page"),
    [
        (None, "login"),
        (None, "password_reset"),
        ("clinician", "caseload"),
        ("clinician", "child_add"),
        ("clinician", "child_detail"),
        ("clinician", "guardian_add"),
        ("clinician", "agreement_add"),
        ("parent", "portal_home"),
        ("parent", "portal_child"),
        ("parent", "password_change"),
        ("admin", "practice_settings"),
        ("admin", "staff_list"),
        ("admin", "staff_invite"),
    ],
)
def test_pages_carry_nothing_inline_that_the_csp_would_block(client, cast, who, page):
    if who:
        client.force_login(getattr(cast, who))
    needs_child = page in ("child_detail", "guardian_add", "agreement_add", "portal_child")
    response = client.get(reverse(page, args=[cast.child.pk] if needs_child else []))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)
    assert not INLINE_STYLE.search(html)


# --- The site operator's Django admin ------------------------------------------------------


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_superuser(
        "operator@test.example", PASSWORD, full_name="Site Operator"
    )


def registered_models():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_registered_model_loads_in_the_django_admin(client, cast, operator):
    # Given a superuser and one of everything the cast creates
    ParentProfileFactory(parent=cast.parent)
    client.force_login(operator)
    assert client.get("/operator/").status_code == 200
    checked = []
    for model, model_admin in registered_models():
        info = (model._meta.app_label, model._meta.model_name)
        # When each changelist, add and change page is opened
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, model._meta.label
        request = changelist.wsgi_request
        if model_admin.has_add_permission(request):
            add = client.get(reverse("admin:{}_{}_add".format(*info)))
            assert add.status_code == 200, model._meta.label
        first = model._default_manager.first()
        if first is not None:
            change = client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
            assert change.status_code == 200, model._meta.label
        checked.append(model._meta.label)
    # Then every one loaded, the practice's own models among them
    for label in (
        "practice.User",
        "practice.Child",
        "practice.Guardianship",
        "practice.AuditEvent",
    ):
        assert label in checked


def test_the_operator_admin_never_shows_a_familys_own_words(client, cast, operator):
    profile = ParentProfileFactory(
        parent=cast.parent, hopes="Private hopes of the Rowe family", knows_best="Secret detail"
    )
    client.force_login(operator)
    change = client.get(reverse("admin:engagement_parentprofile_change", args=[profile.pk]))
    changelist = client.get(reverse("admin:engagement_parentprofile_changelist"))
    for response in (change, changelist):
        html = response.content.decode()
        assert "Private hopes" not in html and "Secret detail" not in html


def test_audit_events_are_read_only_in_the_operator_admin(client, cast, operator):
    event = AuditEventFactory(actor=cast.clinician, action="test.event")
    client.force_login(operator)
    assert client.get(reverse("admin:practice_auditevent_add")).status_code == 403
    url = reverse("admin:practice_auditevent_delete", args=[event.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_practice_staff_cannot_open_the_operator_admin(client, cast):
    client.force_login(cast.admin)
    response = client.get("/operator/")
    assert response.status_code == 302
    assert "/operator/login/" in response.url
