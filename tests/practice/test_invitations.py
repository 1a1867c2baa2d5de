"""Invitation links: a valid one works; every broken one gets a clear page, never an error."""

import time
from unittest import mock

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse

from practice import services
from practice.models import Invitation, User
from tests.factories import ParentFactory


@pytest.fixture
def invitee(cast) -> User:
    return ParentFactory(email="new@family.example", full_name="New Parent", password="!")


def invite(user: User, by: User) -> tuple[Invitation, str]:
    invitation = services.invitation_send(user=user, invited_by=by)
    return invitation, reverse("invitation_accept", args=[services.invitation_token(invitation)])


def assert_problem_page(response, heading: str) -> None:
    assert response.status_code == 400
    assert response.templates[0].name == "registration/invitation_problem.html"
    assert heading in response.content.decode()


def test_a_valid_link_shows_the_set_password_form(client, cast, invitee):
    _, path = invite(invitee, cast.admin)
    response = client.get(path)
    assert response.status_code == 200
    assert "new@family.example" in response.content.decode()
    assert "new_password1" in response.content.decode()


def test_an_expired_link_gets_the_expired_page(client, cast, invitee, settings):
    # Given an invitation signed eight days ago, with links valid for seven
    settings.INVITATION_MAX_AGE = 7 * 24 * 3600
    eight_days_ago = time.time() - 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        _, path = invite(invitee, cast.admin)
    # When it is opened, or its form is sent, today
    opened = client.get(path)
    posted = client.post(path, {"new_password1": "long-pass-phrase", "new_password2": "x"})
    # Then both get the expired page, and no password is set
    assert_problem_page(opened, "This invitation has expired")
    assert_problem_page(posted, "This invitation has expired")
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()


def test_a_link_one_day_before_expiry_still_works(client, cast, invitee, settings):
    settings.INVITATION_MAX_AGE = 7 * 24 * 3600
    six_days_ago = time.time() - 6 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=six_days_ago):
        _, path = invite(invitee, cast.admin)
    assert client.get(path).status_code == 200


def test_a_max_age_below_zero_expires_every_link(client, cast, invitee, settings):
    settings.INVITATION_MAX_AGE = -1
    _, path = invite(invitee, cast.admin)
    assert_problem_page(client.get(path), "This invitation has expired")


def test_a_reused_link_gets_the_already_used_page(client, cast, invitee):
    # Given an invitation already accepted
    _, path = invite(invitee, cast.admin)
    client.post(path, {"new_password1": "long-pass-phrase", "new_password2": "long-pass-phrase"})
    client.logout()
    # When the link is opened again, or its form sent again with another password
    opened = client.get(path)
    posted = client.post(path, {"new_password1": "other-pass-phrase", "new_password2": "x"})
    # Then the page says it was used, with a way to sign in, and the password is unchanged
    assert_problem_page(opened, "This invitation was already used")
    assert reverse("login") in opened.content.decode()
    assert_problem_page(posted, "This invitation was already used")
    invitee.refresh_from_db()
    assert invitee.check_password("long-pass-phrase")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[: len(token) // 2],
        lambda token: "not-a-token",
        lambda token: token.replace(token.split(":")[0], "eyJpIjo5OTk5OX0"),
    ],
    ids=["signature changed", "cut short", "garbage", "payload swapped"],
)
def test_a_tampered_link_gets_the_not_valid_page(client, cast, invitee, tamper):
    invitation, _ = invite(invitee, cast.admin)
    token = tamper(services.invitation_token(invitation))
    response = client.get(reverse("invitation_accept", args=[token]))
    assert_problem_page(response, "This link is not valid")


def test_a_signed_link_to_an_invitation_that_does_not_exist_gets_the_not_valid_page(client, db):
    token = signing.dumps({"i": 424242}, salt=services.INVITATION_SALT)
    assert_problem_page(
        client.get(reverse("invitation_accept", args=[token])), "This link is not valid"
    )


def test_a_link_signed_for_another_purpose_is_not_valid(client, cast, invitee):
    invitation, _ = invite(invitee, cast.admin)
    token = signing.dumps({"i": invitation.pk}, salt="practice.something-else")
    assert_problem_page(
        client.get(reverse("invitation_accept", args=[token])), "This link is not valid"
    )


def test_a_superseded_link_gets_the_newer_invitation_page(client, cast, invitee):
    # Given two invitations, the second replacing the first
    _, old_path = invite(invitee, cast.admin)
    _, new_path = invite(invitee, cast.admin)
    # When the old one is opened
    response = client.get(old_path)
    # Then it says a newer one was sent; the newer one still works
    assert_problem_page(response, "A newer invitation was sent")
    assert client.get(new_path).status_code == 200


def test_a_link_for_a_deactivated_account_gets_the_not_active_page(client, cast):
    # Given a clinician invited and then deactivated before accepting
    recruit = User.objects.create_user(
        "recruit@staff.example", full_name="Rita Recruit", role="clinician", discipline="ot"
    )
    _, path = invite(recruit, cast.admin)
    recruit.is_active = False
    recruit.save()
    assert_problem_page(client.get(path), "This account is not active")


def test_accepting_a_superseded_invitation_in_a_race_is_refused(cast, invitee):
    # Given a link checked as valid, and then replaced before its form is sent
    first, _ = invite(invitee, cast.admin)
    invite(invitee, cast.admin)
    # When the first is accepted anyway, the service refuses
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=first, password="long-pass-phrase")
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()


def test_the_problem_page_gives_the_practices_contact_details(client, cast):
    cast.practice.contact_phone = "020 1234 5678"
    cast.practice.save()
    response = client.get(reverse("invitation_accept", args=["garbage"]))
    assert "020 1234 5678" in response.content.decode()
