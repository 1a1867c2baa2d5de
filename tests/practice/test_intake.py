"""Intake through the pages: a child, their guardians, invitations; and bad input on every form."""

import datetime
import re
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from practice.models import (
    AuditEvent,
    CareTeamMembership,
    Child,
    ConfidentialityAgreement,
    Guardianship,
    Invitation,
    Practice,
    User,
)
from tests.factories import PASSWORD, ChildFactory, ClinicianFactory

# Invitations go through the outbox after the commit: each request here commits, as it would
# outside a test, so its emails are delivered before the test reads them.
pytestmark = pytest.mark.usefixtures("requests_commit")

LINK = re.compile(r"http://testserver(/accounts/invitation/[^/\s\"<]+/)")


def invitation_path(message) -> str:
    """The invitation link of an email (the text body and the HTML body carry the same one)."""
    paths = set(LINK.findall(message.body))
    html = message.alternatives[0][0]
    assert paths == set(LINK.findall(html)), "text and HTML bodies disagree"
    assert len(paths) == 1
    return paths.pop()


def child_data(clinician, **overrides):
    data = {
        "first_name": "Robin",
        "last_name": "Hale",
        "preferred_name": "",
        "date_of_birth": "2018-05-01",
        "stage": "commitment",
        "primary_clinician": clinician.pk,
        "care_team": [],
    }
    return {**data, **overrides}


def guardian_data(**overrides):
    data = {
        "full_name": "Jo Hale",
        "email": "jo@family.example",
        "phone": "",
        "relationship": "mother",
        "access": "full",
        "access_reason": "",
        "court_order_reference": "",
        "court_order_date": "",
        "court_order_expires": "",
        "send_invitation": "on",
    }
    return {**data, **overrides}


def add_guardian(client, child, **overrides):
    return client.post(reverse("guardian_add", args=[child.pk]), guardian_data(**overrides))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- A child -----------------------------------------------------------------------------


def test_clinician_adds_a_child_with_a_care_team_and_a_primary_clinician(client, cast):
    # Given a clinician and a colleague
    colleague = ClinicianFactory(full_name="Cara Colleague")
    client.force_login(cast.clinician)
    # When they add a child with the colleague on the care team
    response = client.post(
        reverse("child_add"), child_data(cast.clinician, care_team=[colleague.pk])
    )
    # Then the child exists, they are primary, the colleague is on the team, and it is audited
    child = Child.objects.get(first_name="Robin")
    assert response.status_code == 302
    assert response.url == reverse("child_detail", args=[child.pk])
    team = {m.clinician: m.is_primary for m in child.memberships.all()}
    assert team == {cast.clinician: True, colleague: False}
    assert child.created_by == cast.clinician
    assert AuditEvent.objects.filter(action="child.create", child=child).exists()


def test_office_admin_adds_a_child_for_a_clinician(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("child_add"), child_data(cast.clinician))
    child = Child.objects.get(first_name="Robin")
    assert response.status_code == 302
    assert child.memberships.get(is_primary=True).clinician == cast.clinician


def test_parent_cannot_add_a_child(client, cast):
    client.force_login(cast.parent)
    assert client.get(reverse("child_add")).status_code == 404
    assert client.post(reverse("child_add"), child_data(cast.clinician)).status_code == 404
    assert not Child.objects.filter(first_name="Robin").exists()


def test_clinician_edits_a_child_and_changes_the_primary_clinician(client, cast):
    # Given Mia, whose primary clinician is Alice
    colleague = ClinicianFactory(full_name="Cara Colleague")
    client.force_login(cast.clinician)
    # When Alice makes Cara primary and stays on the team (the stage has its own form)
    response = client.post(
        reverse("child_edit", args=[cast.child.pk]),
        child_data(
            colleague,
            first_name="Mia",
            last_name="Rowe",
            preferred_name="Mimi",
            date_of_birth="2019-03-14",
            stage="change",  # ignored: the stage moves only through the stage form
            care_team=[cast.clinician.pk],
        ),
    )
    # Then the child is saved with one primary, and the change is audited
    assert response.status_code == 302
    cast.child.refresh_from_db()
    assert (cast.child.preferred_name, cast.child.stage) == ("Mimi", "process")
    team = {m.clinician: m.is_primary for m in cast.child.memberships.all()}
    assert team == {colleague: True, cast.clinician: False}
    event = AuditEvent.objects.get(action="child.update", child=cast.child)
    assert set(event.details["fields"]) == {"preferred_name"}


def test_edit_form_shows_the_current_care_team(client, cast):
    client.force_login(cast.clinician)
    form = client.get(reverse("child_edit", args=[cast.child.pk])).context["form"]
    assert form.initial["primary_clinician"] == cast.clinician.pk
    assert form["first_name"].value() == "Mia"


# --- Guardians and invitations -----------------------------------------------------------


def test_adding_a_guardian_emails_an_invitation_with_a_working_link(client, cast):
    # Given a clinician on Mia's care team
    client.force_login(cast.clinician)
    # When they add a guardian and ask for an invitation
    response = add_guardian(client, cast.child)
    # Then the guardian is a parent account with no password yet, and one email has a link
    assert response.status_code == 302
    guardian = User.objects.get(email="jo@family.example")
    assert guardian.is_parent and not guardian.has_usable_password()
    assert Guardianship.objects.filter(child=cast.child, guardian=guardian).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jo@family.example"]
    path = invitation_path(message)
    assert Invitation.objects.get(user=guardian).sent_at is not None
    # And the link opens the page to choose a password
    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "jo@family.example" in page.content.decode()


def test_guardian_added_without_invitation_gets_no_email(client, cast):
    client.force_login(cast.clinician)
    add_guardian(client, cast.child, send_invitation="")
    assert mail.outbox == []
    assert not Invitation.objects.filter(user__email="jo@family.example").exists()


def test_resending_an_invitation_makes_the_old_link_stop_working(client, cast):
    # Given a guardian invited once
    client.force_login(cast.clinician)
    add_guardian(client, cast.child)
    first = invitation_path(mail.outbox[0])
    guardianship = Guardianship.objects.get(guardian__email="jo@family.example")
    # When the clinician resends the invitation
    response = client.post(reverse("guardian_invite", args=[cast.child.pk, guardianship.pk]))
    # Then a second email goes out; the old link says it was replaced, the new one works
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    second = invitation_path(mail.outbox[1])
    assert second != first
    client.logout()
    old = client.get(first)
    assert old.status_code == 400
    assert "A newer invitation was sent" in old.content.decode()
    assert client.get(second).status_code == 200


def test_accepting_an_invitation_sets_the_password_and_lands_in_the_portal(client, cast):
    # Given a guardian invited by email
    client.force_login(cast.clinician)
    add_guardian(client, cast.child)
    path = invitation_path(mail.outbox[0])
    client.logout()
    # When they follow the link and choose a password
    response = client.post(
        path,
        {"new_password1": "a-long-family-pass", "new_password2": "a-long-family-pass"},
        follow=True,
    )
    # Then they are signed in on the portal home, which shows their child
    assert response.redirect_chain[-1][0] == reverse("portal_home")
    assert response.context["user"].email == "jo@family.example"
    assert "Mia Rowe" in response.content.decode()
    guardian = User.objects.get(email="jo@family.example")
    assert guardian.check_password("a-long-family-pass")
    assert Invitation.objects.get(user=guardian).accepted_at is not None
    # And the same link cannot be used again
    client.logout()
    again = client.get(path)
    assert again.status_code == 400
    assert "already used" in again.content.decode()


def test_guardian_with_access_none_cannot_be_invited(client, cast):
    # Given the barred parent's guardianship (access none)
    barred = Guardianship.objects.get(guardian=cast.barred)
    client.force_login(cast.clinician)
    # When someone tries to invite them
    response = client.post(reverse("guardian_invite", args=[cast.child.pk, barred.pk]), follow=True)
    # Then nothing is sent and the page says why
    assert mail.outbox == []
    assert not Invitation.objects.filter(user=cast.barred).exists()
    assert any("no access is not invited" in text for text in messages_of(response))


def test_adding_a_guardian_with_access_none_and_an_invitation_is_refused(client, cast):
    client.force_login(cast.clinician)
    response = add_guardian(client, cast.child, access="none", access_reason="Court order")
    assert response.status_code == 200
    assert "not invited" in response.content.decode()
    assert not User.objects.filter(email="jo@family.example").exists()
    assert mail.outbox == []


def test_an_existing_parent_account_is_reused_for_a_second_child(client, cast):
    # Given Pat, a parent with a portal account, and Mia's brother on the same caseload
    brother = ChildFactory(first_name="Tom", last_name="Rowe", clinician=cast.clinician)
    users_before = User.objects.count()
    client.force_login(cast.clinician)
    # When the clinician adds Pat (typed in capitals) as Tom's guardian
    response = add_guardian(
        client, brother, email="PAT@test.example", full_name="Pat Rowe", relationship="father"
    )
    # Then Pat's account is reused, no invitation is needed, and Pat sees both children
    assert response.status_code == 302
    assert User.objects.count() == users_before
    assert Guardianship.objects.get(child=brother).guardian == cast.parent
    assert mail.outbox == []
    client.force_login(cast.parent)
    html = client.get(reverse("portal_home")).content.decode()
    assert "Mia Rowe" in html and "Tom Rowe" in html


def test_the_same_guardian_twice_is_refused(client, cast):
    client.force_login(cast.clinician)
    response = add_guardian(client, cast.child, email="pat@test.example", full_name="Pat Rowe")
    assert response.status_code == 200
    assert "already a guardian of this child" in response.content.decode()
    assert Guardianship.objects.filter(child=cast.child, guardian=cast.parent).count() == 1


def test_a_staff_email_is_refused_as_a_guardian(client, cast):
    # Given a clinician's address typed as a guardian's
    client.force_login(cast.clinician)
    guardianships_before = Guardianship.objects.count()
    # When the form is sent
    response = add_guardian(client, cast.child, email="bob@test.example", full_name="Bob Stone")
    # Then it is refused on the email field, keeps what was typed, and nothing is saved
    assert response.status_code == 200
    form = response.context["form"]
    assert "belongs to a staff account" in " ".join(form.errors["email"])
    assert 'value="bob@test.example"' in response.content.decode()
    assert Guardianship.objects.count() == guardianships_before
    assert User.objects.get(email="bob@test.example").is_clinician


def test_an_invitation_that_cannot_be_sent_says_so_keeps_the_row_and_can_be_resent(
    client, cast, settings
):
    client.force_login(cast.clinician)
    # Given an email server that refuses the message, and no retries left after the first try
    settings.OUTBOX_RETRY_DELAYS = []
    refuse = smtplib.SMTPException("554 relay refused")
    with mock.patch("practice.outbox.services._handoff", side_effect=refuse):
        # When a guardian is added with an invitation
        response = add_guardian(client, cast.child)
        page = client.get(response.url)
    # Then the guardian is kept, the page says the invitation could not be sent, and the
    # invitation and its outbox row record the error
    guardianship = Guardianship.objects.get(guardian__email="jo@family.example")
    failed = Invitation.objects.get(user=guardianship.guardian)
    assert failed.sent_at is None
    assert "SMTPException" in failed.send_error
    assert failed.email.state == "failed" and "554 relay refused" in failed.email.last_error
    html = page.content.decode()
    assert "Invitation not delivered" in html
    assert "554 relay refused" in html  # the server's answer, on the child page too
    assert "Resend invitation" in html
    # And when the server works again, a resend delivers a fresh link
    response = client.post(
        reverse("guardian_invite", args=[cast.child.pk, guardianship.pk]), follow=True
    )
    assert "The invitation to jo@family.example is on its way" in response.content.decode()
    assert len(mail.outbox) == 1
    latest = Invitation.objects.filter(user=guardianship.guardian).latest()
    assert latest.sent_at is not None and latest.send_error == ""
    assert latest.email.state == "sent"
    failed.refresh_from_db()
    assert failed.superseded
    client.logout()
    assert client.get(invitation_path(mail.outbox[0])).status_code == 200


def test_an_invitation_the_server_refuses_for_now_waits_for_its_next_try(client, cast, settings):
    client.force_login(cast.clinician)
    settings.OUTBOX_RETRY_DELAYS = [60]
    with mock.patch("practice.outbox.services._handoff", side_effect=ConnectionRefusedError()):
        response = client.post(
            reverse("guardian_add", args=[cast.child.pk]), guardian_data(), follow=True
        )
    # Then the page says it is on its way (it is: the outbox tries again in a minute)
    assert "is on its way" in response.content.decode()
    invitation = Invitation.objects.get(user__email="jo@family.example")
    assert invitation.send_error == "" and invitation.sent_at is None
    assert invitation.email.state == "pending" and invitation.email.attempts == 1
    assert "ConnectionRefusedError" in invitation.email.last_error


# --- Bad input on every form: a clear error, what was typed kept, nothing half-saved ------


def test_child_form_with_a_future_birth_date_keeps_what_was_typed(client, cast):
    client.force_login(cast.clinician)
    children_before = Child.objects.count()
    memberships_before = CareTeamMembership.objects.count()
    tomorrow = Practice.get().today() + datetime.timedelta(days=1)
    response = client.post(
        reverse("child_add"),
        child_data(cast.clinician, first_name="Typedname", date_of_birth=tomorrow.isoformat()),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be in the future" in html
    assert 'value="Typedname"' in html
    assert f'value="{tomorrow.isoformat()}"' in html
    assert Child.objects.count() == children_before
    assert CareTeamMembership.objects.count() == memberships_before


def test_child_form_without_a_name_or_clinician_says_what_is_missing(client, cast):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("child_add"),
        child_data(cast.clinician, first_name="", last_name="Keptname", primary_clinician=""),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"first_name", "primary_clinician"}
    assert 'value="Keptname"' in response.content.decode()
    assert not Child.objects.filter(last_name="Keptname").exists()


def test_child_edit_with_bad_input_changes_nothing(client, cast):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("child_edit", args=[cast.child.pk]),
        child_data(
            cast.clinician, first_name="Renamed", last_name="Rowe", date_of_birth="1990-01-01"
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "this practice sees children" in html
    assert 'value="Renamed"' in html
    cast.child.refresh_from_db()
    assert cast.child.first_name == "Mia"


def test_guardian_form_with_limited_access_and_no_reason_keeps_what_was_typed(client, cast):
    client.force_login(cast.clinician)
    users_before, guardianships_before = User.objects.count(), Guardianship.objects.count()
    response = add_guardian(
        client,
        cast.child,
        full_name="Typed Guardian",
        access="limited",
        court_order_reference="REF-778",
        send_invitation="",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Say why this guardian" in html
    assert 'value="Typed Guardian"' in html
    assert 'value="jo@family.example"' in html
    assert 'value="REF-778"' in html
    assert (User.objects.count(), Guardianship.objects.count()) == (
        users_before,
        guardianships_before,
    )
    assert mail.outbox == []


def test_guardian_form_with_a_bad_email_keeps_what_was_typed(client, cast):
    client.force_login(cast.clinician)
    users_before = User.objects.count()
    response = add_guardian(client, cast.child, email="not-an-address")
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert 'value="not-an-address"' in response.content.decode()
    assert User.objects.count() == users_before


def test_guardianship_access_form_without_a_reason_changes_nothing(client, cast):
    # Given Pat's full-access guardianship
    client.force_login(cast.clinician)
    url = reverse("guardian_edit", args=[cast.child.pk, cast.guardianship.pk])
    events_before = AuditEvent.objects.count()
    # When the access is set to limited with a court order but no reason
    response = client.post(
        url,
        {
            "relationship": "mother",
            "access": "limited",
            "access_reason": "",
            "court_order_reference": "FD-TYPED-9",
            "court_order_date": "2026-01-10",
            "court_order_expires": "2025-01-10",
        },
    )
    # Then both errors show, what was typed is kept, and the guardianship is unchanged
    assert response.status_code == 200
    html = response.content.decode()
    assert "Say why this guardian" in html
    assert "must expire after the date it was made" in html
    assert 'value="FD-TYPED-9"' in html
    cast.guardianship.refresh_from_db()
    assert cast.guardianship.access == "full"
    assert cast.guardianship.court_order_reference == ""
    assert AuditEvent.objects.count() == events_before


def test_guardianship_access_change_records_reason_and_who(client, cast):
    client.force_login(cast.clinician)
    url = reverse("guardian_edit", args=[cast.child.pk, cast.guardianship.pk])
    response = client.post(
        url,
        {"relationship": "mother", "access": "limited", "access_reason": "Agreed at review"},
    )
    assert response.status_code == 302
    cast.guardianship.refresh_from_db()
    assert cast.guardianship.access == "limited"
    assert cast.guardianship.access_changed_by == cast.clinician
    event = AuditEvent.objects.get(action="guardian.access_change")
    assert event.details == {"previous": "full", "access": "limited"}
    assert event.reason == "Agreed at review"


def test_agreement_form_with_a_bad_date_keeps_what_was_typed(client, cast):
    client.force_login(cast.clinician)
    agreements_before = ConfidentialityAgreement.objects.count()
    response = client.post(
        reverse("agreement_add", args=[cast.child.pk]),
        {
            "sharing_level": "progress",
            "effective_date": "31/31/2026",
            "child_assent": "on",
            "child_assent_notes": "Typed assent notes",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid date" in html
    assert "Typed assent notes" in html
    assert 'value="progress" selected' in html
    assert ConfidentialityAgreement.objects.count() == agreements_before


def test_agreement_form_records_a_new_version(client, cast):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("agreement_add", args=[cast.child.pk]),
        {"sharing_level": "progress", "effective_date": "2026-01-01"},
    )
    assert response.status_code == 302
    latest = cast.child.confidentiality_agreements.order_by("-version").first()
    assert (latest.sharing_level, latest.recorded_by) == ("progress", cast.clinician)
    assert cast.child.confidentiality_agreements.count() == 2


def test_staff_invite_form_for_a_clinician_without_discipline_keeps_what_was_typed(client, cast):
    client.force_login(cast.admin)
    users_before = User.objects.count()
    response = client.post(
        reverse("staff_invite"),
        {"full_name": "Typed Clinician", "email": "typed@staff.example", "role": "clinician"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose the clinician" in html
    assert 'value="Typed Clinician"' in html
    assert 'value="typed@staff.example"' in html
    assert User.objects.count() == users_before
    assert mail.outbox == []


def test_staff_invite_form_with_an_address_in_use_is_refused(client, cast):
    client.force_login(cast.admin)
    users_before = User.objects.count()
    response = client.post(
        reverse("staff_invite"),
        {
            "full_name": "Pat Again",
            "email": "PAT@test.example",
            "role": "clinician",
            "discipline": "ot",
        },
    )
    assert response.status_code == 200
    assert "already" in " ".join(response.context["form"].errors["email"])
    assert 'value="Pat Again"' in response.content.decode()
    assert User.objects.count() == users_before
    assert not Invitation.objects.exists()


def test_practice_settings_form_with_a_bad_age_keeps_what_was_typed(client, cast):
    client.force_login(cast.admin)
    name_before = Practice.get().name
    response = client.post(
        reverse("practice_settings"),
        {
            "name": "Typed Practice Name",
            "timezone": "Europe/London",
            "sharing_age_threshold": "40",
            "default_sharing_level_under_threshold": "full",
            "default_sharing_level_from_threshold": "progress",
            "missed_sessions_allowance": "6",
            "contact_phone": "",
            "contact_email": "not-an-email",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "between 5 and 18" in html
    assert "Enter a valid email address" in html
    assert 'value="Typed Practice Name"' in html
    assert 'value="40"' in html
    practice = Practice.objects.get()
    assert (practice.name, practice.sharing_age_threshold) == (name_before, 12)
    assert not AuditEvent.objects.filter(action="practice.update").exists()


def test_practice_settings_form_saves_and_is_audited(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("practice_settings"),
        {
            "name": "Harbour Therapy",
            "timezone": "America/New_York",
            "sharing_age_threshold": "10",
            "default_sharing_level_under_threshold": "full",
            "default_sharing_level_from_threshold": "safety_only",
            "missed_sessions_allowance": "4",
        },
    )
    assert response.status_code == 302
    practice = Practice.objects.get()
    assert (practice.name, practice.timezone, practice.sharing_age_threshold) == (
        "Harbour Therapy",
        "America/New_York",
        10,
    )
    assert AuditEvent.objects.filter(action="practice.update", actor=cast.admin).exists()


def test_invitation_password_form_with_mismatched_passwords_shows_the_error(client, cast):
    # Given an invited guardian on the set-password page
    client.force_login(cast.clinician)
    add_guardian(client, cast.child)
    path = invitation_path(mail.outbox[0])
    client.logout()
    # When the two passwords differ
    response = client.post(
        path, {"new_password1": "first-long-secret", "new_password2": "second-long-secret"}
    )
    # Then the page says so, still greets the invitee, and nothing is accepted
    assert response.status_code == 200
    html = response.content.decode()
    assert "didn’t match" in html or "didn't match" in html
    assert "jo@family.example" in html
    # Passwords are deliberately never echoed back into the page.
    assert "first-long-secret" not in html
    guardian = User.objects.get(email="jo@family.example")
    assert not guardian.has_usable_password()
    assert Invitation.objects.get(user=guardian).accepted_at is None
    assert "_auth_user_id" not in client.session


def test_invitation_password_form_refuses_a_weak_password(client, cast):
    client.force_login(cast.clinician)
    add_guardian(client, cast.child)
    path = invitation_path(mail.outbox[0])
    client.logout()
    response = client.post(path, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert Invitation.objects.get(user__email="jo@family.example").accepted_at is None


def test_login_form_with_a_wrong_password_keeps_the_email(client, cast):
    response = client.post(
        reverse("login"), {"username": "pat@test.example", "password": "wrong-" + PASSWORD}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "do not match an active account" in html
    assert 'value="pat@test.example"' in html
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("email", ["", "not-an-address"])
def test_login_form_with_a_missing_or_bad_email_says_so(client, db, email):
    response = client.post(reverse("login"), {"username": email, "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    if email:
        assert f'value="{email}"' in response.content.decode()


def test_guardian_add_on_a_second_family_reuses_an_invited_parent_and_reinvites(client, cast):
    # Given a parent invited for one child who has not yet accepted
    sibling = ChildFactory(first_name="Tom", last_name="Rowe", clinician=cast.clinician)
    client.force_login(cast.clinician)
    add_guardian(client, cast.child)
    first = invitation_path(mail.outbox[0])
    # When they are added to a sibling with an invitation
    add_guardian(client, sibling)
    # Then one account holds both guardianships and only the newest link works
    guardian = User.objects.get(email="jo@family.example")
    assert guardian.guardianships.count() == 2
    client.logout()
    assert client.get(first).status_code == 400
    assert client.get(invitation_path(mail.outbox[1])).status_code == 200
