"""Break-the-glass: a clinician outside the care team opens a record only with a reason; the
access is read-only, lasts BREAK_GLASS_MINUTES, is audited and shown to the practice's admins."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from practice.access import children_for, policy_for
from practice.emergency.services import break_glass_open
from practice.models import AuditEvent, BreakGlassGrant

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
    assert reverse("safety_concern_add", args=[cast.child.pk]) not in page
    policy = policy_for(cast.outsider, cast.child)
    assert policy.is_emergency and policy.clinical and not policy.is_care_team
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
    from .factories import ChildFactory, ClinicianFactory

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
