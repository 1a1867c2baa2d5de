"""The engagement agreement: recorded by the care team (prefilled from the practice's
communication policy), agreed to by each guardian in the portal, once per version; the care team
sees who agreed to which version; a guardian with access none never sees it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from engagement.engagement_agreements import services
from engagement.engagement_agreements.models import EngagementAcknowledgement
from practice.models import CommunicationPolicy, Practice
from tests.factories import GuardianshipFactory, ParentFactory

ROLE = "Join the last ten minutes of each session and practise at home."


def record(cast, **fields):
    values = {
        "parent_sessions": "most",
        "parent_role": ROLE,
        "channels": ["portal"],
        "communication_guidance": "Not for urgent matters.",
    }
    values.update(fields)
    return services.engagement_agreement_record(child=cast.child, by=cast.clinician, **values)


def agree(client, user, agreement):
    client.force_login(user)
    url = reverse("engagement_agreement_acknowledge", args=[agreement.child_id, agreement.pk])
    return client.post(url)


def test_the_form_is_prefilled_from_the_practice_communication_policy(client, cast):
    communication = CommunicationPolicy.objects.get(practice=Practice.get())
    communication.response_time_business_days = 3
    communication.portal_guidance = "Guidance GGG1"
    communication.save()
    client.force_login(cast.clinician)
    response = client.get(reverse("engagement_agreement_record", args=[cast.child.pk]))
    assert response.status_code == 200
    # The reply time is the policy's, shown (not a field the agreement could change)
    assert "response_time_business_days" not in response.context["form"].fields
    assert "within 3 business days" in response.content.decode()
    assert "Guidance GGG1" in response.content.decode()


def test_clinician_records_versions_on_the_child_page(client, cast):
    client.force_login(cast.clinician)
    url = reverse("engagement_agreement_record", args=[cast.child.pk])
    data = {
        "parent_sessions": "every",
        "parent_role": ROLE,
        "channels": ["portal", "email"],
        "communication_guidance": "Not for urgent matters.",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    versions = list(cast.child.engagement_agreements.values_list("version", flat=True))
    assert sorted(versions) == [1, 2]
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "Engagement agreement" in page and "Version 2" in page


def test_outsider_and_parent_cannot_record(client, cast):
    for user in (cast.outsider, cast.parent):
        client.force_login(user)
        assert (
            client.get(reverse("engagement_agreement_record", args=[cast.child.pk])).status_code
            == 404
        )
    with pytest.raises(PermissionDenied):
        services.engagement_agreement_record(
            child=cast.child,
            by=cast.outsider,
            parent_sessions="most",
            parent_role=ROLE,
            channels=[],
            communication_guidance="x",
        )


def test_parent_agrees_once_per_version_and_a_new_version_asks_again(client, cast):
    first = record(cast)
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "I agree" in page and ROLE in page
    assert agree(client, cast.parent, first).status_code == 302
    agree(client, cast.parent, first)  # a double click counts once
    assert EngagementAcknowledgement.objects.filter(agreement=first).count() == 1
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "I agree" not in page and "You agreed to this (version 1)" in page

    second = record(cast, parent_sessions="every")
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "I agree" in page and "updated version" in page
    agree(client, cast.parent, first)  # the old version can no longer be agreed to
    assert not EngagementAcknowledgement.objects.filter(agreement=second).exists()
    agree(client, cast.parent, second)
    assert EngagementAcknowledgement.objects.filter(agreement=second).count() == 1


def test_care_team_sees_who_agreed_to_which_version(client, cast):
    co_parent = ParentFactory(full_name="Robin Rowe")
    GuardianshipFactory(child=cast.child, guardian=co_parent, access="limited")
    first = record(cast)
    agree(client, cast.parent, first)
    agree(client, co_parent, first)
    second = record(cast)
    agree(client, co_parent, second)
    client.force_login(cast.clinician)
    card = client.get(reverse("child_detail", args=[cast.child.pk])).context["engagement_agreement"]
    agreed = {
        agreement.version: {ack.guardian.full_name for ack in agreement.acknowledgements.all()}
        for agreement in card.versions
    }
    assert agreed == {1: {"Pat Rowe", "Robin Rowe"}, 2: {"Robin Rowe"}}
    assert [guardian.full_name for guardian in card.not_agreed_by] == ["Pat Rowe"]


def test_guardian_with_access_none_sees_nothing(client, cast):
    agreement = record(cast)
    client.force_login(cast.barred)
    assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 404
    assert agree(client, cast.barred, agreement).status_code == 404
    assert agree(client, cast.other_parent, agreement).status_code == 404
    assert not EngagementAcknowledgement.objects.exists()


def test_the_agreement_reply_time_follows_the_communication_policy(client, cast):
    # Given a policy of 2 business days when the agreement was recorded (and a form that
    # tries to say 5)
    communication = CommunicationPolicy.objects.get(practice=Practice.get())
    communication.response_time_business_days = 2
    communication.save()
    client.force_login(cast.clinician)
    url = reverse("engagement_agreement_record", args=[cast.child.pk])
    data = {
        "parent_sessions": "most",
        "parent_role": ROLE,
        "response_time_business_days": 5,
        "channels": ["portal"],
        "communication_guidance": "Not for urgent matters.",
    }
    assert client.post(url, data).status_code == 302
    assert cast.child.engagement_agreements.get().response_time_business_days == 2
    # When the practice then promises a reply within 1 business day
    communication.response_time_business_days = 1
    communication.save()
    # Then the family's agreement says 1, as the message forms do, and so does the care team's
    client.force_login(cast.parent)
    portal = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "You can expect a reply within 1 business day." in portal
    assert "within 2 business days" not in portal
    messages_page = client.get(reverse("message_thread_start", args=[cast.child.pk]))
    assert "You can expect a reply within 1 business day." in messages_page.content.decode()
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "You can expect a reply within 1 business day." in page
    # And a new version starts from the policy, not from the version before it
    assert "response_time_business_days" not in services.agreement_defaults(cast.child)
    assert "within 1 business day" in client.get(url).content.decode()
