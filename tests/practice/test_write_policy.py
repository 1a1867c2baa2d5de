"""Who may write, asked at the service (issue 12): intake and staff services refuse whoever may
not make the change; the same guardian or staff member added twice at once gets the same clear
refusal as one added twice in a row, never a 500; and clinical reads are audited, an emergency
read marked so."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from practice import services
from practice.emergency.services import break_glass_open
from practice.models import AuditEvent, Guardianship, Invitation, User
from tests.factories import ParentFactory

REASON = "Child brought to the emergency department tonight; need the record to help."


def add(cast, email="jo@family.example", by=None):
    return services.guardian_add(
        child=cast.child,
        added_by=by or cast.clinician,
        email=email,
        full_name="Jo Hale",
        relationship="mother",
    )


def lookups_miss_once(manager, *keys):
    """The first look-up filtering on all these keys finds nothing, as if made a
    moment before another request committed the row: what a race between a check and an
    insert looks like from one connection (SQLite in a test has one)."""
    original = type(manager).filter
    missed = []

    def filter(*args, **kwargs):
        found = original(manager, *args, **kwargs)
        if not missed and all(key in kwargs for key in keys):
            missed.append(kwargs)
            return found.none()
        return found

    return mock.patch.object(manager, "filter", filter)


# --- Intake: the policy first -------------------------------------------------------------


def test_the_office_and_the_care_team_add_guardians_others_may_not(cast):
    add(cast, "one@family.example", by=cast.clinician)
    add(cast, "two@family.example", by=cast.admin)
    for user in (cast.outsider, cast.parent, cast.barred):
        with pytest.raises(PermissionDenied):
            add(cast, "three@family.example", by=user)
    assert not User.objects.filter(email="three@family.example").exists()


def test_a_guardians_invitation_needs_the_childs_intake_right(cast):
    guardian = add(cast).guardian
    services.invitation_send(user=guardian, invited_by=cast.clinician, child=cast.child)
    with pytest.raises(PermissionDenied):  # not this child's guardian
        services.invitation_send(user=guardian, invited_by=cast.outsider, child=cast.other_child)
    with pytest.raises(PermissionDenied):  # a clinician names the child
        services.invitation_send(user=guardian, invited_by=cast.clinician)
    with pytest.raises(ValidationError):  # access none is never invited
        services.invitation_send(user=cast.barred, invited_by=cast.clinician, child=cast.child)
    assert Invitation.objects.filter(user=guardian).count() == 1


def test_staff_services_are_for_practice_admins(cast):
    with pytest.raises(PermissionDenied):
        services.staff_create(
            invited_by=cast.clinician,
            email="new@staff.example",
            full_name="New",
            role="admin",
        )
    with pytest.raises(PermissionDenied):
        services.staff_deactivate(user=cast.admin, deactivated_by=cast.clinician)
    with pytest.raises(PermissionDenied):
        services.invitation_send(user=cast.outsider, invited_by=cast.clinician)
    assert not User.objects.filter(email="new@staff.example").exists()


# --- Nothing done twice: the same person at once -------------------------------------------


def test_the_same_new_guardian_added_twice_at_once_is_one_account(cast):
    # The other request made the account (not yet the guardianship) after our look-up.
    other = ParentFactory(email="jo@family.example", full_name="Jo Hale", password="!")
    with lookups_miss_once(User.objects, "email__iexact"):
        guardianship = add(cast)
    assert guardianship.guardian == other
    assert User.objects.filter(email="jo@family.example").count() == 1


def test_the_same_guardian_added_twice_at_once_gets_the_serial_refusal(cast):
    first = add(cast)
    with lookups_miss_once(Guardianship.objects, "child", "guardian"):
        with pytest.raises(ValidationError) as raised:
            add(cast)
    assert "already a guardian" in " ".join(raised.value.message_dict["email"])
    assert Guardianship.objects.filter(child=cast.child, guardian=first.guardian).count() == 1


def test_the_same_guardian_added_twice_at_once_through_the_page_is_no_500(client, cast):
    add(cast)
    client.force_login(cast.clinician)
    data = {"full_name": "Jo Hale", "email": "jo@family.example", "relationship": "mother"}
    data |= {"access": "full", "send_invitation": "on"}
    with lookups_miss_once(Guardianship.objects, "child", "guardian"):
        response = client.post(reverse("guardian_add", args=[cast.child.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "already a guardian of this child" in page and 'value="Jo Hale"' in page
    assert not Invitation.objects.exists()


def test_the_same_staff_member_invited_twice_at_once_gets_the_serial_refusal(cast):
    ParentFactory(email="sam@staff.example")  # the other request's account, just committed
    with lookups_miss_once(User.objects, "email__iexact"):
        with pytest.raises(ValidationError) as raised:
            services.staff_create(
                invited_by=cast.admin, email="sam@staff.example", full_name="Sam", role="admin"
            )
    assert "already has an account" in " ".join(raised.value.message_dict["email"])
    assert User.objects.filter(email="sam@staff.example").count() == 1


# --- Clinical reads are audited (issue 12, smaller things) ----------------------------------

READS = [
    ("child_detail", "child.view", {}),
    ("child_record", "export.record", {"format": "print"}),
    ("child_engagement", "engagement.view", {}),
]


@pytest.mark.parametrize("name, action, details", READS)
def test_each_clinical_read_is_audited(client, cast, name, action, details):
    client.force_login(cast.clinician)
    assert client.get(reverse(name, args=[cast.child.pk])).status_code == 200
    event = AuditEvent.objects.get(action=action, actor=cast.clinician)
    assert event.child == cast.child and event.details == details


@pytest.mark.parametrize("name, action, details", READS)
def test_each_emergency_read_is_audited_and_marked(client, cast, name, action, details):
    break_glass_open(clinician=cast.outsider, child=cast.child, reason=REASON)
    client.force_login(cast.outsider)
    assert client.get(reverse(name, args=[cast.child.pk])).status_code == 200
    event = AuditEvent.objects.get(action=action, actor=cast.outsider)
    assert event.child == cast.child and event.details == {**details, "break_glass": True}
