"""Email subjects and text parts are plain text: never HTML-escaped ("Children's" stays
Children's, O'Connor stays O'Connor). The HTML part escapes every value, and the care team's
preview page never lets the email's text be HTML."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from engagement.updates.content import build_progress_emails
from goals import services as goal_services
from practice import services
from practice.emails import render_email
from practice.models import CommunicationPolicy, OutgoingEmail
from tests.factories import AgreementFactory, ChildFactory, GuardianshipFactory, ParentFactory
from tests.family_record import LEVELS

PRACTICE = "Children's & <b>Co</b>"
PARENT = "Siobhan O'Connor"
CHILD = "Róisín"
GOAL = "<script>alert(1)</script>"
ESCAPED_PRACTICE = "Children&#x27;s &amp; &lt;b&gt;Co&lt;/b&gt;"


@pytest.fixture
def family(cast):
    cast.practice.name = PRACTICE
    cast.practice.save()
    parent = ParentFactory(full_name=PARENT, email="siobhan@family.example")
    child = ChildFactory(
        first_name="Rose", preferred_name=CHILD, last_name="O'Connor", clinician=cast.clinician
    )
    AgreementFactory(child=child, sharing_level="full")
    GuardianshipFactory(child=child, guardian=parent)
    return parent, child


def assert_plain(text: str, *values: str) -> None:
    for value in values:
        assert value in text
    assert "&#x27;" not in text and "&amp;" not in text and "&lt;" not in text


def assert_escaped_html(html: str) -> None:
    assert ESCAPED_PRACTICE in html
    assert "<b>Co</b>" not in html and "<script>" not in html


def test_the_invitation_keeps_names_verbatim_in_subject_and_text(cast, family):
    parent, _ = family
    invitation = services.invitation_send(user=parent, invited_by=cast.admin)
    email = invitation.email
    assert email.subject == f"Your invitation to {PRACTICE}"
    assert_plain(email.body_text, PARENT, PRACTICE, "child's goals")
    assert_escaped_html(email.body_html)
    assert "O&#x27;Connor" in email.body_html


def test_the_password_reset_keeps_the_practice_name_verbatim(
    client, cast, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "siobhan@family.example"})
    email = OutgoingEmail.objects.get(kind="password_reset")
    assert email.subject == f"Choose a new password for {PRACTICE}"
    assert_plain(email.body_text, PRACTICE)
    assert_escaped_html(email.body_html)


def test_the_progress_email_keeps_titles_and_names_verbatim_in_subject_and_text(cast, family):
    # Given a goal whose title looks like a script, rated this period
    parent, child = family
    goal = goal_services.goal_create(
        child=child, clinician=cast.clinician, title=GOAL, domain="social", **LEVELS
    )
    today = cast.practice.today()
    goal_services.goal_rate(
        goal=goal, rated_by=cast.clinician, level=1, rated_on=today, source="review", today=today
    )
    # When Siobhan's progress email is written
    now = timezone.now() + datetime.timedelta(minutes=2)
    communication = CommunicationPolicy.objects.get(practice=cast.practice)
    (email,) = build_progress_emails(
        [parent], {parent.pk: (now - datetime.timedelta(days=30), now)}, communication
    )
    # Then the subject and the text say them as they are, and the HTML escapes them
    assert email.subject == f"Progress update from {PRACTICE}: {CHILD}"
    assert GOAL in email.text and PRACTICE in email.text and "Siobhan" in email.text
    assert "&lt;script&gt;" not in email.text and "&#x27;" not in email.text
    assert_escaped_html(email.html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html


@pytest.mark.parametrize(
    "name",
    sorted(
        path.name.removesuffix("-subject.txt")
        for path in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*-subject.txt")
    ),
)
def test_every_kinds_subject_and_text_are_unescaped_whoever_renders_them(cast, family, name):
    # Every kind: through the one helper, and through a plain render_to_string (the progress
    # and notice renderers load the templates themselves).
    parent, child = family
    context = {
        "practice": cast.practice,
        "recipient": parent,
        "user": parent,
        "invited_by": cast.admin,
        "child_name": CHILD,
        "clinician_name": PARENT,
        "emergency_notice": PRACTICE,
        "for_family": True,
        "uid": "MQ",
        "token": "set-abc",
        "email": {"child_names": CHILD},
    }
    subject, text, html = render_email(name, context)
    plain = [subject, text] + [
        render_to_string(f"emails/{name}-{part}.txt", context) for part in ("subject", "body")
    ]
    for part in plain:
        assert_plain(part)
    assert PRACTICE in text and PRACTICE in plain[3]
    assert_escaped_html(html)


def test_the_preview_page_shows_no_raw_html_from_the_record(client, cast, family):
    # Given Siobhan's email carries a script-like goal title, her name and the practice's
    parent, child = family
    goal = goal_services.goal_create(
        child=child, clinician=cast.clinician, title=GOAL, domain="social", **LEVELS
    )
    today = cast.practice.today()
    goal_services.goal_rate(
        goal=goal, rated_by=cast.clinician, level=1, rated_on=today, source="review", today=today
    )
    guardianship = child.guardianships.get(guardian=parent)
    # When Alice previews it
    client.force_login(cast.clinician)
    page = client.get(reverse("progress_preview", args=[child.pk, guardianship.pk]))
    html = page.content.decode()
    # Then nothing from the record is HTML on the page: the script and the bold are text
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "<b>Co</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # And the subject and the text part are shown once escaped, not twice
    assert f"Progress update from {ESCAPED_PRACTICE}: {CHILD}" in html
    assert "&amp;#x27;" not in html and "&amp;lt;" not in html
