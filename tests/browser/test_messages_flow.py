"""In the browser, each page audited with axe: a parent writes to the care team from the portal,
under the emergency notice and the promised response time; the clinician sees the thread on the
child page, and on the caseload once it is overdue, and replies; the parent reads the reply; the
daily limit holds and keeps the typed text; a co-parent never reaches the thread."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagement.messaging.models import MessageThread
from practice.models import CommunicationPolicy
from tests.factories import GuardianshipFactory, ParentFactory

pytestmark = pytest.mark.browser

NOTICE = "If your child is in danger, call 999."
SUBJECT = "Bedtime worries"
BODY = "Mia has been waking up scared every night this week."
REPLY = "Thank you for telling us: let's talk it through on Thursday."
SECOND = "One more thing about the weekend."


def test_message_reply_daily_limit_and_co_parent(ui, new_ui, cast):
    communication, _ = CommunicationPolicy.objects.get_or_create(practice=cast.practice)
    communication.emergency_notice = NOTICE
    communication.response_time_business_days = 2
    communication.save()
    co_parent = ParentFactory(full_name="Chris Rowe", email="chris@test.example")
    GuardianshipFactory(child=cast.child, guardian=co_parent, relationship="father")

    # The parent opens the message form from the portal and sends a message.
    parent = new_ui("parent")
    parent.login(cast.parent.email)
    parent.go("/portal/")
    parent.page.get_by_role("link", name="Message the care team").first.click()
    expect(parent.page.get_by_text(NOTICE)).to_be_visible()
    expect(parent.page.get_by_text("You can expect a reply within 2 business days")).to_be_visible()
    parent.page.get_by_label("What is it about?").fill(SUBJECT)
    parent.page.get_by_label("Your message").fill(BODY)
    parent.check("message-form", phone=True)
    parent.page.get_by_role("button", name="Send").click()
    expect(parent.page.locator(".messages")).to_contain_text("Your message was sent")
    expect(parent.page.get_by_text(BODY)).to_be_visible()
    parent.check("message-sent")
    thread = MessageThread.objects.get()

    # The clinician sees it on the child page; the caseload lists it only once it is overdue.
    ui.login(cast.clinician.email)
    ui.go(f"/children/{cast.child.pk}/")
    expect(ui.page.get_by_role("region", name="Messages from the family")).to_contain_text(SUBJECT)
    ui.check("child-page-messages")
    ui.go("/caseload/")
    expect(ui.page.get_by_text("Messages waiting for a reply")).to_have_count(0)
    ui.check("caseload-not-overdue")
    # A message is never edited: the thread's last-message time is what the caseload watches.
    MessageThread.objects.filter(pk=thread.pk).update(
        last_message_at=timezone.now() - datetime.timedelta(days=14)
    )
    ui.go("/caseload/")
    waiting = ui.page.get_by_role("region", name="Messages waiting for a reply")
    expect(waiting).to_contain_text(SUBJECT)
    ui.check("caseload-overdue")
    waiting.get_by_role("link", name=SUBJECT).click()
    expect(ui.page.get_by_text(BODY)).to_be_visible()
    ui.page.get_by_label("Your reply").fill(REPLY)
    ui.check("thread-clinician")
    ui.page.get_by_role("button", name="Send").click()
    expect(ui.page.get_by_text(REPLY)).to_be_visible()
    ui.go("/caseload/")
    expect(ui.page.get_by_text("Messages waiting for a reply")).to_have_count(0)

    # The parent reads the reply.
    parent.go("/portal/messages/")
    expect(parent.page.get_by_text("the care team replied")).to_be_visible()
    parent.check("portal-messages", phone=True)
    parent.page.get_by_role("link", name=SUBJECT).click()
    expect(parent.page.get_by_text(REPLY)).to_be_visible()
    parent.check("thread-replied")

    # With a limit of one message a day, a second send is refused and the text is kept.
    CommunicationPolicy.objects.filter(pk=communication.pk).update(daily_message_limit=1)
    parent.page.reload()
    parent.page.get_by_label("Your reply").fill(SECOND)
    parent.page.get_by_role("button", name="Send").click()
    expect(parent.page.get_by_text("You have sent today's 1 message.")).to_be_visible()
    expect(parent.page.get_by_label("Your reply")).to_have_value(SECOND)
    parent.check("daily-limit")
    assert thread.messages.count() == 2

    # A co-parent, logged in separately, never sees the thread.
    other = new_ui("co-parent")
    other.login(co_parent.email)
    other.go("/portal/messages/")
    expect(other.page.get_by_text(SUBJECT)).to_have_count(0)
    other.check("co-parent-messages")
    response = other.go(f"/messages/{thread.pk}/")
    assert response.status == 404
    expect(other.page.get_by_text(BODY)).to_have_count(0)
    other.check("co-parent-404")
