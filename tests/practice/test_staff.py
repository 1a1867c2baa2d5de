"""Staff: a practice admin invites, deactivates, and reassigns a leaving clinician's caseload."""

import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from engagement import services as engagement_services
from practice import services
from practice.models import AuditEvent, CareTeamMembership, Invitation, User
from tests.factories import PASSWORD, CareTeamMembershipFactory, ChildFactory, ClinicianFactory

# Invitations go through the outbox after the commit: each request here commits, as it would
# outside a test, so its emails are delivered before the test reads them.
pytestmark = pytest.mark.usefixtures("requests_commit")


@pytest.fixture
def runner(cast) -> User:
    """A clinician who also runs the practice."""
    return ClinicianFactory(
        full_name="Rae Runner", email="rae@test.example", is_practice_admin=True
    )


def staff_pages(cast) -> list[tuple[str, str]]:
    target = cast.clinician.pk
    return [
        ("get", reverse("staff_list")),
        ("get", reverse("staff_invite")),
        ("post", reverse("staff_invite")),
        ("get", reverse("practice_settings")),
        ("post", reverse("staff_resend", args=[target])),
        ("post", reverse("staff_deactivate", args=[target])),
        ("post", reverse("staff_reactivate", args=[target])),
        ("get", reverse("clinician_leave", args=[target])),
        ("post", reverse("clinician_leave", args=[target])),
    ]


@pytest.mark.parametrize("who", ["admin", "runner"])
def test_practice_admin_invites_a_clinician(client, cast, runner, who):
    # Given an office admin, or a clinician who runs the practice
    client.force_login(runner if who == "runner" else cast.admin)
    # When they invite a clinician who will also run the practice
    response = client.post(
        reverse("staff_invite"),
        {
            "full_name": "Nia New",
            "email": "nia@staff.example",
            "role": "clinician",
            "discipline": "speech",
            "is_practice_admin": "on",
        },
    )
    # Then the account exists with no password, an email with a link went out, it is audited
    assert response.status_code == 302
    assert response.url == reverse("staff_list")
    nia = User.objects.get(email="nia@staff.example")
    assert (nia.role, nia.discipline, nia.is_practice_admin) == ("clinician", "speech", True)
    assert not nia.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nia@staff.example"]
    assert "/accounts/invitation/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="staff.create", target_id=str(nia.pk)).exists()
    assert Invitation.objects.get(user=nia).sent_at is not None


def test_practice_admin_invites_an_office_admin_who_then_signs_in_to_settings(client, cast):
    client.force_login(cast.admin)
    client.post(
        reverse("staff_invite"),
        {
            "full_name": "Olu Office",
            "email": "olu@staff.example",
            "role": "admin",
            "discipline": "aba",
            "is_practice_admin": "on",
        },
    )
    olu = User.objects.get(email="olu@staff.example")
    # Office staff have no discipline and are not "clinicians who run the practice"
    assert (olu.role, olu.discipline, olu.is_practice_admin) == ("admin", "", False)
    # And accepting the invitation lands them on the practice settings
    path = (
        "/accounts/invitation/" + mail.outbox[0].body.split("/accounts/invitation/")[1].split()[0]
    )
    client.logout()
    response = client.post(
        path,
        {"new_password1": "office-long-pass", "new_password2": "office-long-pass"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("practice_settings")


def test_staff_list_shows_everyone_with_their_state(client, cast, runner):
    invited = User.objects.create_user(
        "ivy@staff.example", full_name="Ivy Invited", role="clinician", discipline="ot"
    )
    services.invitation_send(user=invited, invited_by=cast.admin)
    client.force_login(runner)
    html = client.get(reverse("staff_list")).content.decode()
    for name in ("Alice Carter", "Bob Stone", "Adam Office", "Ivy Invited"):
        assert name in html
    assert "Pat Rowe" not in html  # parents are not staff
    assert reverse("staff_resend", args=[invited.pk]) in html
    # A clinician with a caseload is offered the leaving flow, not a bare deactivate
    assert reverse("clinician_leave", args=[cast.clinician.pk]) in html
    assert reverse("staff_deactivate", args=[cast.clinician.pk]) not in html
    # Nobody is offered to deactivate themselves
    assert reverse("staff_deactivate", args=[runner.pk]) not in html


@pytest.mark.parametrize("who", ["clinician", "outsider", "parent", "barred", "other_parent"])
def test_non_admins_get_404_on_every_staff_page(client, cast, who):
    client.force_login(getattr(cast, who))
    for method, url in staff_pages(cast):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    cast.clinician.refresh_from_db()
    assert cast.clinician.is_active


def test_anonymous_visitors_are_sent_to_login_from_staff_pages(client, cast):
    for method, url in staff_pages(cast):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_deactivated_clinician_cannot_sign_in_and_loses_their_session(client, cast):
    # Given a clinician with no caseload, signed in on another device
    other_device = client.__class__()
    other_device.force_login(cast.outsider)
    CareTeamMembership.objects.filter(clinician=cast.outsider).delete()
    # When a practice admin deactivates them
    client.force_login(cast.admin)
    response = client.post(reverse("staff_deactivate", args=[cast.outsider.pk]))
    # Then they are inactive, audited, cannot sign in, and their open session ends
    assert response.status_code == 302
    cast.outsider.refresh_from_db()
    assert not cast.outsider.is_active and cast.outsider.deactivated_at is not None
    assert AuditEvent.objects.filter(
        action="staff.deactivate", actor=cast.admin, target_id=str(cast.outsider.pk)
    ).exists()
    client.logout()
    login = client.post(reverse("login"), {"username": "bob@test.example", "password": PASSWORD})
    assert login.status_code == 200
    assert "_auth_user_id" not in client.session
    later = other_device.get(reverse("caseload"))
    assert later.status_code == 302 and later.url.startswith(reverse("login"))


def test_a_deactivated_clinicians_pending_invitation_stops_working(client, cast):
    recruit = User.objects.create_user(
        "rita@staff.example", full_name="Rita Recruit", role="clinician", discipline="ot"
    )
    invitation = services.invitation_send(user=recruit, invited_by=cast.admin)
    services.staff_deactivate(user=recruit, deactivated_by=cast.admin)
    token = services.invitation_token(invitation)
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 400


def test_a_practice_admin_cannot_deactivate_themselves(client, cast, runner):
    CareTeamMembership.objects.filter(clinician=runner).delete()
    client.force_login(runner)
    response = client.post(reverse("staff_deactivate", args=[runner.pk]), follow=True)
    runner.refresh_from_db()
    assert runner.is_active
    assert "cannot deactivate your own account" in response.content.decode()


def test_a_clinician_with_a_caseload_must_be_reassigned_first(client, cast):
    # The service refuses ...
    with pytest.raises(ValidationError, match="Reassign"):
        services.staff_deactivate(user=cast.clinician, deactivated_by=cast.admin)
    # ... and so does the page, with a clear message
    client.force_login(cast.admin)
    response = client.post(reverse("staff_deactivate", args=[cast.clinician.pk]), follow=True)
    assert "Reassign this clinician" in response.content.decode()
    cast.clinician.refresh_from_db()
    assert cast.clinician.is_active
    assert not AuditEvent.objects.filter(action="staff.deactivate").exists()


def test_an_office_admin_without_a_caseload_can_be_deactivated_and_reactivated(client, cast):
    office = User.objects.create_user("ola@staff.example", full_name="Ola Office", role="admin")
    client.force_login(cast.admin)
    client.post(reverse("staff_deactivate", args=[office.pk]))
    office.refresh_from_db()
    assert not office.is_active
    client.post(reverse("staff_reactivate", args=[office.pk]))
    office.refresh_from_db()
    assert office.is_active and office.deactivated_at is None
    assert AuditEvent.objects.filter(action="staff.reactivate").count() == 1


def test_parents_are_not_staff_and_cannot_be_deactivated_here(client, cast):
    client.force_login(cast.admin)
    assert client.post(reverse("staff_deactivate", args=[cast.parent.pk])).status_code == 404
    cast.parent.refresh_from_db()
    assert cast.parent.is_active


def test_a_leaving_clinicians_caseload_moves_and_they_are_deactivated(client, cast):
    # Given Alice, primary for Mia and a secondary on Leo's team (primary: Bob), and a successor
    leo = ChildFactory(first_name="Leo", clinician=cast.outsider)
    CareTeamMembershipFactory(child=leo, clinician=cast.clinician)
    successor = ClinicianFactory(full_name="Sam Successor")
    client.force_login(cast.admin)
    assert client.get(reverse("clinician_leave", args=[cast.clinician.pk])).status_code == 200
    # When the admin runs the leaving flow
    response = client.post(
        reverse("clinician_leave", args=[cast.clinician.pk]), {"successor": successor.pk}
    )
    # Then the successor takes Alice's places, primary where she was primary
    assert response.status_code == 302
    assert CareTeamMembership.objects.get(child=cast.child, clinician=successor).is_primary
    assert not CareTeamMembership.objects.get(child=leo, clinician=successor).is_primary
    assert CareTeamMembership.objects.get(child=leo, is_primary=True).clinician == cast.outsider
    assert not CareTeamMembership.objects.filter(clinician=cast.clinician).exists()
    # And Alice is deactivated, with every step audited
    cast.clinician.refresh_from_db()
    assert not cast.clinician.is_active
    reassigned = AuditEvent.objects.filter(action="caseload.reassign")
    assert {event.child for event in reassigned} == {cast.child, leo}
    assert AuditEvent.objects.filter(action="staff.deactivate").count() == 1
    # And the successor now sees Mia on their caseload
    client.force_login(successor)
    assert "Mia Rowe" in client.get(reverse("caseload")).content.decode()


def test_reassigning_to_a_clinician_already_on_the_team_keeps_one_primary(cast):
    # Given Bob already on Mia's team as a secondary
    CareTeamMembershipFactory(child=cast.child, clinician=cast.outsider)
    # When Alice (primary) leaves and Bob takes over
    moved = engagement_services.clinician_leave(
        clinician=cast.clinician, successor=cast.outsider, by=cast.admin
    )
    # Then Bob is the only member and primary
    assert moved == 1
    memberships = list(cast.child.memberships.all())
    assert [(m.clinician, m.is_primary) for m in memberships] == [(cast.outsider, True)]


@pytest.mark.parametrize("successor", ["self", "parent", "inactive"])
def test_the_caseload_only_goes_to_another_active_clinician(cast, successor):
    target = {
        "self": cast.clinician,
        "parent": cast.parent,
        "inactive": ClinicianFactory(is_active=False),
    }[successor]
    with pytest.raises(ValidationError):
        engagement_services.clinician_leave(
            clinician=cast.clinician, successor=target, by=cast.admin
        )
    cast.clinician.refresh_from_db()
    assert cast.clinician.is_active
    assert cast.child.memberships.get().clinician == cast.clinician


def test_the_leaving_form_offers_only_other_active_clinicians(client, cast):
    inactive = ClinicianFactory(full_name="Ina Inactive", is_active=False)
    client.force_login(cast.admin)
    response = client.get(reverse("clinician_leave", args=[cast.clinician.pk]))
    choices = set(response.context["form"].fields["successor"].queryset)
    assert cast.outsider in choices
    assert cast.clinician not in choices and inactive not in choices
    bad = client.post(
        reverse("clinician_leave", args=[cast.clinician.pk]), {"successor": cast.parent.pk}
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors["successor"]
    cast.clinician.refresh_from_db()
    assert cast.clinician.is_active


def test_resending_a_staff_invitation_replaces_the_old_link(
    client, cast, django_capture_on_commit_callbacks
):
    recruit = User.objects.create_user(
        "rita@staff.example", full_name="Rita Recruit", role="clinician", discipline="ot"
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = services.invitation_send(user=recruit, invited_by=cast.admin)
    client.force_login(cast.admin)
    client.post(reverse("staff_resend", args=[recruit.pk]))
    first.refresh_from_db()
    assert first.superseded
    assert Invitation.objects.filter(user=recruit, superseded=False).count() == 1
    assert len(mail.outbox) == 2


def test_a_practice_admin_cannot_run_the_leaving_flow_on_themselves(client, cast, runner):
    # Given a practice-admin clinician with a caseload
    child = ChildFactory(first_name="Ada", clinician=runner)
    client.force_login(runner)
    # When they try to hand over their own caseload and leave
    response = client.post(
        reverse("clinician_leave", args=[runner.pk]), {"successor": cast.clinician.pk}
    )
    # Then it is refused as a whole: they stay active and keep their caseload
    assert response.status_code == 200
    assert "cannot deactivate your own account" in response.content.decode()
    runner.refresh_from_db()
    assert runner.is_active
    assert child.memberships.get().clinician == runner
    assert not AuditEvent.objects.filter(action="caseload.reassign").exists()


def test_a_staff_invitation_that_cannot_be_sent_says_so_and_can_be_resent(client, cast, settings):
    client.force_login(cast.admin)
    settings.OUTBOX_RETRY_DELAYS = []  # the first refusal is the last try
    data = {"full_name": "Nia New", "email": "nia@staff.example", "role": "clinician"}
    with mock.patch(
        "practice.outbox.services._handoff",
        side_effect=smtplib.SMTPServerDisconnected("gone"),
    ):
        response = client.post(reverse("staff_invite"), {**data, "discipline": "ot"}, follow=True)
    nia = User.objects.get(email="nia@staff.example")
    # Then the admin is told it is on its way (delivery runs after the commit), and the staff
    # list the admin lands on shows that it was not delivered, with the server's error
    html = response.content.decode()
    assert "is on its way" in html
    assert "Invitation not delivered" in html
    assert "SMTPServerDisconnected: gone" in html  # the error, on the staff list
    assert Invitation.objects.get(user=nia).send_error
    client.post(reverse("staff_resend", args=[nia.pk]))
    assert len(mail.outbox) == 1
    assert Invitation.objects.filter(user=nia).latest().sent_at is not None
