"""Nothing done twice: the same form sent twice (a double click, a second tab, a retry after a
slow answer) with the same key creates one thread, one reply, one observation, one goal
proposal, one goal (and one notice email where the create sends one). The buttons disabling
themselves is a help (static/js/submit-once.js); the key is the fix."""

import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from engagement.messaging.models import Message, MessageThread
from engagement.observations.models import HomeObservation, ObservationReply
from engagement.observations.services import observation_share
from goals.models import Goal, GoalChange, GoalRating
from goals.services import goal_create
from practice.models import AuditEvent, OutgoingEmail, Practice

pytestmark = pytest.mark.usefixtures("requests_commit", "always_allowed")

LEVELS = {
    f"level_{name}": f"Level {name}" for name in ["minus_2", "minus_1", "0", "plus_1", "plus_2"]
}


def twice(client, url, data):
    """The same form sent twice: the second answer is what a double click shows."""
    first = client.post(url, data)
    second = client.post(url, data)
    return first, second


def test_a_double_clicked_new_message_starts_one_thread_and_sends_one_notice(client, cast):
    client.force_login(cast.parent)
    url = reverse("message_thread_start", args=[cast.child.pk])
    data = {"subject": "Night terrors", "body": "She woke three times", "once_key": uuid.uuid4()}
    first, second = twice(client, url, data)
    thread = MessageThread.objects.get()
    assert Message.objects.count() == 1
    assert first.url == second.url == reverse("message_thread", args=[thread.pk])
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.MESSAGE_NOTICE).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [cast.clinician.email]
    assert AuditEvent.objects.filter(action="message.send").count() == 1


def test_two_messages_with_their_own_keys_are_two_threads(client, cast):
    client.force_login(cast.parent)
    url = reverse("message_thread_start", args=[cast.child.pk])
    for subject in ("Night terrors", "School trip"):
        client.post(url, {"subject": subject, "body": "Hello", "once_key": uuid.uuid4()})
    assert MessageThread.objects.count() == 2


def test_a_double_clicked_reply_is_sent_once(client, cast):
    client.force_login(cast.parent)
    start = reverse("message_thread_start", args=[cast.child.pk])
    client.post(start, {"subject": "Sleep", "body": "Hello", "once_key": uuid.uuid4()})
    thread = MessageThread.objects.get()
    client.force_login(cast.clinician)
    url = reverse("message_thread", args=[thread.pk])
    twice(client, url, {"body": "Thank you, let us talk on Monday", "once_key": uuid.uuid4()})
    assert Message.objects.filter(thread=thread, from_family=False).count() == 1


def test_the_message_form_carries_a_new_key_each_time_it_is_shown(client, cast):
    client.force_login(cast.parent)
    url = reverse("message_thread_start", args=[cast.child.pk])
    keys = {client.get(url).context["form"]["once_key"].value() for _ in range(2)}
    assert len(keys) == 2


def test_a_double_clicked_observation_is_shared_once_with_one_rating(client, cast):
    goal = goal_create(
        child=cast.child, clinician=cast.clinician, title="Name feelings", domain="social", **LEVELS
    )
    client.force_login(cast.parent)
    url = reverse("observation_share", args=[cast.child.pk])
    data = {"text": "Named her feelings", "goal": goal.pk, "level": "1", "once_key": uuid.uuid4()}
    first, second = twice(client, url, data)
    assert first.status_code == second.status_code == 302
    assert HomeObservation.objects.count() == 1
    assert GoalRating.objects.filter(goal=goal).count() == 1


def test_a_double_clicked_reply_to_an_observation_is_sent_once(client, cast):
    observation = observation_share(
        child=cast.child, guardian=cast.parent, text="Named", today=Practice.get().today()
    )
    client.force_login(cast.clinician)
    url = reverse("observation_reply", args=[observation.pk])
    twice(client, url, {"text": "Wonderful", "once_key": uuid.uuid4()})
    assert ObservationReply.objects.count() == 1
    # The reply form on the child page carries its key
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert 'name="once_key"' in page


def test_a_double_clicked_goal_proposal_proposes_one_goal(client, cast):
    client.force_login(cast.parent)
    url = reverse("goal_propose", args=[cast.child.pk])
    data = {
        "title": "Sleep in her own bed",
        "domain": "sleep",
        "why_it_matters": "We are all tired",
        "once_key": uuid.uuid4(),
    }
    first, second = twice(client, url, data)
    goal = Goal.objects.get()
    assert first.url == second.url == reverse("goal_detail", args=[goal.pk])
    assert GoalChange.objects.filter(goal=goal).count() == 1


def test_a_double_clicked_new_goal_makes_one_goal(client, cast):
    client.force_login(cast.clinician)
    url = reverse("goal_add", args=[cast.child.pk])
    data = {
        "title": "Ask for help",
        "domain": "communication",
        "proposed_by": "clinician",
        "baseline_level": "-1",
        "weight": "1",
        "agree": "on",
        "once_key": uuid.uuid4(),
        **LEVELS,
    }
    first, second = twice(client, url, data)
    goal = Goal.objects.get()
    assert first.url == second.url == reverse("goal_detail", args=[goal.pk])
    assert AuditEvent.objects.filter(action="goal.create").count() == 1


def test_a_garbled_key_is_a_form_error_not_a_500(client, cast):
    client.force_login(cast.parent)
    url = reverse("message_thread_start", args=[cast.child.pk])
    response = client.post(url, {"subject": "Hi", "body": "Hello", "once_key": "not\x00a-key"})
    assert response.status_code == 200
    assert "This form is out of date" in response.content.decode()
    assert not MessageThread.objects.exists()


# --- The help: buttons that disable themselves -----------------------------------------------

SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "submit-once.js"


def test_the_submit_once_script_is_our_own_and_needs_no_inline_code():
    source = SCRIPT.read_text()
    # It disables the clicked button, says so to assistive technology, and undoes it when the
    # page comes back from the back/forward cache
    for needed in ("submitter", "aria-disabled", "pageshow", "htmx:beforeRequest"):
        assert needed in source, needed
    # CSP script-src 'self': no eval, no inline handlers written into the page
    for forbidden in ("eval(", "new Function", "innerHTML", 'setAttribute("on'):
        assert forbidden not in source, forbidden
