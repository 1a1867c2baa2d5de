"""Break-the-glass: a clinician outside the care team opens a record only with a reason; the
access is read-only, lasts BREAK_GLASS_MINUTES, is audited and shown to the practice's admins."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from practice import services
from practice.access import children_for, policy_for
from practice.emergency.services import break_glass_open
from practice.models import AuditEvent, BreakGlassGrant, Guardianship, Invitation, SafetyConcern
from practice.safety.services import safety_concern_record
from tests.factories import ParentFactory

REASON = (
    "Child brought to the emergency department by a neighbour tonight; "
    "need the guardians' contact details."
)


def open_glass(client, cast, reason=REASON):
    client.force_login(cast.outsider)
    return client.post(reverse("emergency_request", args=[cast.child.pk]), {"reason": reason})


def test_an_outsider_without_a_grant_gets_404(client, cast):
    client.force_login(cast.outsider)
    assert client.get(reverse("child_detail", args=[cast.child.pk])).status_code == 404


def test_search_lists_children_outside_the_care_team_by_name_only(client, cast):
    client.force_login(cast.outsider)
    page = client.get(reverse("emergency_search"), {"q": "mia"}).content.decode()
    assert "Mia Rowe" in page and reverse("emergency_request", args=[cast.child.pk]) in page
    assert "2019" not in page and "Pat Rowe" not in page  # no birth date, no family
    own = client.get(reverse("emergency_search"), {"q": "zed"}).content.decode()
    assert "Zed Other" not in own  # their own care team's child: they open it directly


def test_search_needs_two_letters(client, cast):
    client.force_login(cast.outsider)
    page = client.get(reverse("emergency_search"), {"q": "m"}).content.decode()
    assert "Type at least two letters" in page and 'value="m"' in page


def test_a_reason_opens_the_record_read_only_and_marks_the_page(client, cast):
    response = open_glass(client, cast)
    assert response.status_code == 302
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    grant = BreakGlassGrant.objects.get()
    until = timezone.localtime(grant.expires_at, cast.practice.tz).strftime("%H:%M")
    assert f"Emergency access until {until}" in page
    assert "pat@test.example" in page  # the family's contact details: care-team level read
    assert reverse("child_edit", args=[cast.child.pk]) not in page  # but nothing to change
    assert reverse("guardian_add", args=[cast.child.pk]) not in page
    # ...except a safety concern (issue 12), and the printable record to read
    assert reverse("safety_concern_add", args=[cast.child.pk]) in page
    assert reverse("child_record", args=[cast.child.pk]) in page
    child_policy = policy_for(cast.outsider, cast.child)
    assert child_policy.is_emergency and child_policy.clinical and not child_policy.is_care_team
    assert client.get(reverse("child_edit", args=[cast.child.pk])).status_code in (302, 404)


def test_the_reason_must_be_at_least_a_sentence_and_is_kept_when_refused(client, cast):
    response = open_glass(client, cast, reason="urgent")
    page = response.content.decode()
    assert response.status_code == 200
    assert "at least a sentence" in page and "urgent" in page
    assert not BreakGlassGrant.objects.exists()
    response = open_glass(client, cast, reason="")
    assert "This field is required." in response.content.decode()
    with pytest.raises(ValidationError):
        break_glass_open(clinician=cast.outsider, child=cast.child, reason="too short")


def test_access_expires(client, cast, settings):
    settings.BREAK_GLASS_MINUTES = 30
    past = timezone.now() - datetime.timedelta(minutes=31)
    grant = break_glass_open(clinician=cast.outsider, child=cast.child, reason=REASON, now=past)
    assert grant.expires_at == past + datetime.timedelta(minutes=30)
    client.force_login(cast.outsider)
    assert client.get(reverse("child_detail", args=[cast.child.pk])).status_code == 404
    assert cast.child not in children_for(cast.outsider)


def test_it_is_audited_with_the_reason(client, cast):
    open_glass(client, cast)
    event = AuditEvent.objects.get(action="break_glass")
    assert event.actor == cast.outsider and event.child == cast.child
    assert event.reason == REASON
    client.get(reverse("child_detail", args=[cast.child.pk]))
    view = AuditEvent.objects.filter(action="child.view", actor=cast.outsider).get()
    assert view.details == {"break_glass": True}


def test_admins_see_every_emergency_access(client, cast):
    open_glass(client, cast)
    client.force_login(cast.admin)
    page = client.get(reverse("emergency_grants")).content.decode()
    assert "Bob Stone" in page and "Mia Rowe" in page and REASON.split(";")[0] in page
    assert "active" in page
    for user in (cast.outsider, cast.clinician, cast.parent):
        client.force_login(user)
        assert client.get(reverse("emergency_grants")).status_code == 404


def test_only_clinicians_break_the_glass(client, cast):
    for user in (cast.parent, cast.admin):
        client.force_login(user)
        assert client.get(reverse("emergency_search")).status_code == 404
        url = reverse("emergency_request", args=[cast.child.pk])
        assert client.post(url, {"reason": REASON}).status_code == 404
    assert not BreakGlassGrant.objects.exists()


def test_the_care_team_does_not_need_it(client, cast):
    client.force_login(cast.clinician)
    assert client.get(reverse("emergency_request", args=[cast.child.pk])).status_code == 404
    with pytest.raises(ValidationError):
        break_glass_open(clinician=cast.clinician, child=cast.child, reason=REASON)


def test_a_grant_for_one_child_opens_no_other(client, cast):
    open_glass(client, cast)
    other = cast.other_child
    other.memberships.all().delete()  # a child outside the outsider's care team too
    assert client.get(reverse("child_detail", args=[other.pk])).status_code == 404


def test_search_and_grants_pages_have_bounded_queries(client, cast, django_assert_max_num_queries):
    from tests.factories import ChildFactory, ClinicianFactory

    for size in (3, 30):
        for index in range(size):
            child = ChildFactory(first_name=f"Mia{size}x{index}", clinician=ClinicianFactory())
            break_glass_open(clinician=cast.outsider, child=child, reason=REASON)
        client.force_login(cast.outsider)
        client.get(reverse("emergency_search"))  # session bookkeeping is not the page's cost
        with django_assert_max_num_queries(9):
            client.get(reverse("emergency_search"), {"q": "mia"})
        client.force_login(cast.admin)
        client.get(reverse("emergency_grants"))
        with django_assert_max_num_queries(9):
            client.get(reverse("emergency_grants"))


# --- Read-only (issue 12): the services refuse, the pages answer 403 ---------------------------


def _emergency(cast):
    return break_glass_open(clinician=cast.outsider, child=cast.child, reason=REASON)


def test_an_emergency_reader_cannot_add_a_guardian(client, cast):
    _emergency(cast)
    with pytest.raises(PermissionDenied):
        services.guardian_add(
            child=cast.child,
            added_by=cast.outsider,
            email="stranger@test.example",
            full_name="A Stranger",
            relationship="other",
        )
    client.force_login(cast.outsider)
    url = reverse("guardian_add", args=[cast.child.pk])
    data = {"full_name": "A Stranger", "email": "stranger@test.example"}
    data |= {"relationship": "other", "access": "full", "send_invitation": "on"}
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert not Guardianship.objects.filter(guardian__email="stranger@test.example").exists()
    assert not Invitation.objects.exists()


def test_an_emergency_reader_cannot_give_a_barred_father_his_access_back(client, cast):
    _emergency(cast)
    barred = Guardianship.objects.get(guardian=cast.barred)
    with pytest.raises(PermissionDenied):
        services.guardianship_update(guardianship=barred, updated_by=cast.outsider, access="full")
    client.force_login(cast.outsider)
    url = reverse("guardian_edit", args=[cast.child.pk, barred.pk])
    response = client.post(url, {"relationship": "father", "access": "full"})
    assert response.status_code == 403
    barred.refresh_from_db()
    assert barred.access == "none"


def test_an_emergency_reader_cannot_invite_or_edit_the_child(client, cast):
    _emergency(cast)
    invitee = ParentFactory(email="ivy@test.example", password="!")
    services.guardian_add(
        child=cast.child,
        added_by=cast.clinician,
        email=invitee.email,
        full_name="Ivy",
        relationship="mother",
    )
    with pytest.raises(PermissionDenied):
        services.invitation_send(user=invitee, invited_by=cast.outsider, child=cast.child)
    with pytest.raises(PermissionDenied):
        services.invitation_send(user=invitee, invited_by=cast.outsider)
    with pytest.raises(PermissionDenied):
        services.child_update(
            child=cast.child,
            updated_by=cast.outsider,
            care_team=[cast.outsider],
            primary_clinician=cast.outsider,
        )
    with pytest.raises(PermissionDenied):
        services.agreement_record(
            child=cast.child,
            recorded_by=cast.outsider,
            sharing_level="full",
            effective_date=cast.practice.today(),
        )
    assert not Invitation.objects.exists()
    assert not cast.child.memberships.filter(clinician=cast.outsider).exists()


def test_an_emergency_reader_prints_the_record_audited_as_an_emergency_read(client, cast):
    client.force_login(cast.outsider)
    url = reverse("child_record", args=[cast.child.pk])
    assert client.get(url).status_code == 404  # no grant, no record
    _emergency(cast)
    response = client.get(url)
    assert response.status_code == 200
    assert "pat@test.example" in response.content.decode()
    event = AuditEvent.objects.get(action="export.record")
    assert event.actor == cast.outsider and event.child == cast.child
    assert event.details == {"format": "print", "break_glass": True}


def test_an_emergency_reader_records_a_safety_concern_marked_so(client, cast):
    _emergency(cast)
    client.force_login(cast.outsider)
    url = reverse("safety_concern_add", args=[cast.child.pk])
    assert client.get(url).status_code == 200
    data = {
        "kind": "self_harm",
        "clinical_record": "Seen in the emergency department with cuts to the forearm.",
        "family_statement": "Mia is safe. Please call the practice today.",
    }
    assert client.post(url, data).status_code == 302
    concern = SafetyConcern.objects.get()
    assert concern.recorded_by == cast.outsider
    recorded = AuditEvent.objects.get(action="safety.record")
    assert recorded.actor == cast.outsider and recorded.details["break_glass"] is True
    disclosures = AuditEvent.objects.filter(action="safety.disclose")
    assert disclosures.exists() and all(e.details["break_glass"] for e in disclosures)


def test_the_care_teams_safety_concern_is_not_marked(cast):
    safety_concern_record(
        child=cast.child,
        recorded_by=cast.clinician,
        kind="other",
        clinical_record="Record",
        family_statement="Statement",
    )
    assert "break_glass" not in AuditEvent.objects.get(action="safety.record").details
