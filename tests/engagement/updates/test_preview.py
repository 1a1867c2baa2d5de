"""A clinician previews the progress email a guardian would get: only the sections for
children on that clinician's care team, each as the guardian's own access allows; 404 for
anyone else; nothing sent or saved but the audit event."""

import pytest
from django.core import mail
from django.urls import reverse

from engagement.updates.models import ProgressUpdate, UpdatePreference
from engagement.updates.unsubscribe import unsubscribe_url
from goals import services as goal_services
from practice.models import AuditEvent, CommunicationPolicy, Guardianship, OutgoingEmail
from tests.factories import AgreementFactory, ChildFactory, GuardianshipFactory
from tests.family_record import LEVELS


def rate(cast, child, title, level=1, clinician=None):
    clinician = clinician or cast.clinician
    goal = goal_services.goal_create(
        child=child, clinician=clinician, title=title, domain="social", **LEVELS
    )
    today = cast.practice.today()
    goal_services.goal_rate(
        goal=goal,
        rated_by=clinician,
        level=level,
        rated_on=today,
        source="review",
        today=today,
    )
    return goal


def preview_url(child, guardianship) -> str:
    return reverse("progress_preview", args=[child.pk, guardianship.pk])


def barred_guardianship(cast) -> Guardianship:
    return Guardianship.objects.get(child=cast.child, guardian=cast.barred)


def test_the_care_team_sees_the_email_the_guardian_would_get(client, cast):
    rate(cast, cast.child, "Ask for help with words")
    client.force_login(cast.clinician)
    response = client.get(preview_url(cast.child, cast.guardianship))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ask for help with words" in page
    assert "Progress update from Our practice: Mia" in page
    assert "this email would be sent" in page
    event = AuditEvent.objects.get(action="progress_update.preview")
    assert (event.actor, event.child, event.details["guardian"]) == (
        cast.clinician,
        cast.child,
        cast.parent.pk,
    )


def test_only_the_children_on_the_clinicians_care_team_show(client, cast):
    # Given Pat's second child, Leo, on Bob's care team only, with news of his own
    leo = ChildFactory(first_name="Leo", last_name="Rowe", clinician=cast.outsider)
    AgreementFactory(child=leo, sharing_level="full")
    leo_guardianship = GuardianshipFactory(child=leo, guardian=cast.parent)
    rate(cast, cast.child, "Mia's goal")
    rate(cast, leo, "Leo's goal", clinician=cast.outsider)
    # When Alice previews Pat's email from Mia's page
    client.force_login(cast.clinician)
    page = client.get(preview_url(cast.child, cast.guardianship)).content.decode()
    # Then only Mia's section shows
    assert "Mia&#x27;s goal" in page and "Leo" not in page
    # And Bob, from Leo's page, sees only Leo's
    client.force_login(cast.outsider)
    page = client.get(preview_url(leo, leo_guardianship)).content.decode()
    assert "Leo&#x27;s goal" in page and "Mia" not in page


@pytest.mark.parametrize("who", ["outsider", "admin", "parent", "other_parent", "barred"])
def test_anyone_but_the_care_team_gets_404(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(preview_url(cast.child, cast.guardianship)).status_code == 404
    assert not AuditEvent.objects.filter(action="progress_update.preview").exists()


def test_a_guardian_of_another_child_gets_404(client, cast):
    other = Guardianship.objects.get(child=cast.other_child)
    client.force_login(cast.clinician)
    assert client.get(preview_url(cast.child, other)).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(preview_url(cast.child, other)).status_code == 404


def test_a_guardian_with_access_none_gets_nothing_about_the_child(client, cast):
    rate(cast, cast.child, "Ask for help with words")
    client.force_login(cast.clinician)
    page = client.get(preview_url(cast.child, barred_guardianship(cast))).content.decode()
    assert "Nick Rowe gets nothing about Mia Rowe" in page
    assert "access is none" in page
    assert "Ask for help with words" not in page


def test_limited_access_shows_the_sessions_row_only(client, cast):
    rate(cast, cast.child, "Ask for help with words")
    cast.guardianship.access = "limited"
    cast.guardianship.access_reason = "Agreed"
    cast.guardianship.save()
    client.force_login(cast.clinician)
    page = client.get(preview_url(cast.child, cast.guardianship)).content.decode()
    assert "Ask for help with words" not in page
    assert "Next session:" in page


def test_notice_only_previews_the_notice(client, cast):
    CommunicationPolicy.objects.update(email_detail="notice_only")
    rate(cast, cast.child, "Ask for help with words")
    client.force_login(cast.clinician)
    page = client.get(preview_url(cast.child, cast.guardianship)).content.decode()
    assert "notices only" in page
    email = page.split('id="preview-html"')[1]
    assert "Ask for help with words" not in email and "Mia" not in email


def test_the_preview_sends_and_saves_nothing(client, cast):
    rate(cast, cast.child, "Ask for help with words")
    client.force_login(cast.clinician)
    page = client.get(preview_url(cast.child, cast.guardianship)).content.decode()
    assert mail.outbox == []
    assert not ProgressUpdate.objects.exists()
    assert not OutgoingEmail.objects.exists()
    assert not UpdatePreference.objects.filter(parent=cast.parent).exists()
    # And the parent's working unsubscribe link is not handed to the clinician
    assert unsubscribe_url(cast.parent) not in page


def test_the_child_page_links_each_guardians_preview_for_the_care_team_only(client, cast):
    url = preview_url(cast.child, cast.guardianship)
    client.force_login(cast.clinician)
    assert url in client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    client.force_login(cast.admin)
    assert url not in client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()


def test_with_nothing_new_the_preview_says_so_and_the_subject_still_names_the_child(client, cast):
    # The email is skipped; its preview must not show a subject that ends in a bare colon.
    client.force_login(cast.clinician)
    page = client.get(preview_url(cast.child, cast.guardianship)).content.decode()
    assert "no email would be sent" in page
    assert "Progress update from Our practice: Mia" in page
