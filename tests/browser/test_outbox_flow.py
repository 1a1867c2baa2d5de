"""An admin follows email delivery: a failed email shows its error and never its content, and
one click sends it again."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from practice.models import OutgoingEmail
from practice.outbox.services import email_queue_rendered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Mia's anxiety plan"
BODY = "Private clinical words about the Rowe family"


def failed_notice(to: str) -> OutgoingEmail:
    email = email_queue_rendered(
        to=to,
        kind=OutgoingEmail.Kind.MESSAGE_NOTICE,
        subject=SUBJECT,
        text=BODY,
        html=f"<p>{BODY}</p>",
        state=OutgoingEmail.State.FAILED,
    )
    OutgoingEmail.objects.filter(pk=email.pk).update(
        attempts=5, last_error="SMTPRecipientsRefused: 452 mailbox full"
    )
    return email


def test_admin_sees_a_failed_email_with_its_error_and_sends_it_again(ui, cast, always_allowed):
    # Given a notice that failed after its last try, and a reminder that was sent
    failed = failed_notice("pat@test.example")
    email_queue_rendered(
        to="olga@test.example",
        kind=OutgoingEmail.Kind.SESSION_REMINDER,
        subject="Your session tomorrow",
        text="See you tomorrow.",
        html="",
        state=OutgoingEmail.State.SKIPPED,
    )
    # When the admin opens email delivery from the practice settings
    ui.login(cast.admin.email)
    ui.page.get_by_role("link", name="Email delivery").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Email delivery")
    main = ui.page.locator("main")
    row = ui.page.get_by_role("row").filter(has_text="pat@test.example")
    # Then the failed row shows its kind, state, attempts and error, and nothing it says
    expect(row).to_contain_text("New message notice")
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text("452 mailbox full")
    expect(main).not_to_contain_text(SUBJECT)
    expect(main).not_to_contain_text(BODY)
    expect(ui.page.get_by_role("link", name="Failed 1")).to_be_visible()
    ui.check("delivery", phone=True)

    # When they send it again
    row.get_by_role("button", name="Send again").click()
    # Then it is queued and, with the server working, sent
    expect(ui.page.locator(".messages")).to_contain_text(
        "The email to pat@test.example is queued to be sent again"
    )
    row = ui.page.get_by_role("row").filter(has_text="pat@test.example")
    expect(row).to_contain_text("Sent")
    expect(row.get_by_role("button", name="Send again")).to_have_count(0)
    failed.refresh_from_db()
    assert failed.state == "sent"
    assert [m.to for m in mail.outbox] == [["pat@test.example"]]
    ui.check("sent-again")

    # And the filter shows only what is still failed: nothing
    ui.page.get_by_label("State", exact=True).select_option("failed")
    ui.page.get_by_role("button", name="Filter").click()
    expect(main).to_contain_text("No emails match.")
    ui.check("filtered")
