"""The emergency number (issue 15, item 6): a practice setting, the usual number of the
practice's timezone unless set (999 for Europe/London), shown in the emergency notice and the
safety card; the practice's phone as a tel: link in the footer and the safety card, which only
a guardian who may see the child reaches."""

import pytest
from django.urls import reverse

from practice.models import AuditEvent, OutgoingEmail, Practice, default_emergency_number
from practice.safety.services import safety_concern_record

STATEMENT = "Mia told us something that worries us about her safety. Please call us today."


@pytest.mark.parametrize(
    "zone,number",
    [
        ("Europe/London", "999"),
        ("Europe/Jersey", "999"),
        ("Europe/Paris", "112"),
        ("Europe/Dublin", "112"),
        ("America/New_York", "911"),
        ("America/Toronto", "911"),
        ("Australia/Sydney", "000"),
        ("Pacific/Auckland", "111"),
        ("Asia/Tokyo", "112"),
        ("UTC", "112"),
    ],
)
def test_the_usual_number_by_timezone(zone, number):
    assert default_emergency_number(zone) == number


def test_the_practice_number_follows_its_timezone_until_it_is_set(db):
    practice = Practice.get()
    assert practice.emergency_phone == "999"
    practice.timezone = "America/Chicago"
    assert practice.emergency_phone == "911"
    practice.emergency_number = "112"
    assert practice.emergency_phone == "112"


def settings_form(**overrides):
    return {
        "name": "Harbour Therapy",
        "timezone": "Europe/London",
        "sharing_age_threshold": "12",
        "default_sharing_level_under_threshold": "full",
        "default_sharing_level_from_threshold": "progress",
        "missed_sessions_allowance": "6",
        "contact_phone": "020 7946 0000",
        **overrides,
    }


def test_an_admin_sets_it_on_the_settings_page_and_it_is_audited(client, cast):
    client.force_login(cast.admin)
    page = client.get(reverse("practice_settings")).content.decode()
    assert 'name="emergency_number"' in page and "999 in the UK" in page
    response = client.post(reverse("practice_settings"), settings_form(emergency_number=" 112 "))
    assert response.status_code == 302
    assert Practice.get().emergency_number == "112"
    event = AuditEvent.objects.get(action="practice.update")
    assert "emergency_number" in event.details["fields"]


def test_a_number_that_is_not_digits_is_refused_and_kept(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("practice_settings"), settings_form(emergency_number="call 999"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "in digits only" in html and 'value="call 999"' in html
    assert Practice.get().emergency_number == ""


@pytest.fixture
def concern(cast):
    practice = Practice.get()
    practice.contact_phone = "020 7946 0000"
    practice.save()
    return safety_concern_record(
        child=cast.child,
        recorded_by=cast.clinician,
        kind="other",
        clinical_record="Clinical words QZX",
        family_statement=STATEMENT,
    )


def test_the_safety_card_has_the_practice_phone_and_the_emergency_number_as_links(
    client, cast, concern
):
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert STATEMENT in page
    assert '<a href="tel:02079460000">020 7946 0000</a>' in page
    assert 'If your child is in danger now, call <a href="tel:999">999</a>.' in page


def test_a_guardian_with_access_none_and_another_family_never_reach_the_card(client, cast, concern):
    for who in (cast.barred, cast.other_parent):
        client.force_login(who)
        response = client.get(reverse("portal_child", args=[cast.child.pk]))
        assert response.status_code == 404
        assert STATEMENT not in response.content.decode()


def test_a_limited_guardian_sees_the_card_with_the_links(client, cast, set_access, concern):
    set_access("full", "limited", reason="School runs only")
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert STATEMENT in page and 'href="tel:999"' in page


def test_the_footer_has_the_practice_phone_as_a_tel_link(client, cast):
    practice = Practice.get()
    practice.contact_phone = "+44 20 7946 0000"
    practice.save()
    assert 'href="tel:+442079460000"' in client.get(reverse("login")).content.decode()
    client.force_login(cast.parent)
    home = client.get(reverse("portal_home")).content.decode()
    assert '<a href="tel:+442079460000">+44 20 7946 0000</a>' in home.split("<footer", 1)[1]


def test_no_phone_no_link(client, cast):
    client.force_login(cast.parent)
    assert "tel:" not in client.get(reverse("portal_home")).content.decode().split("<footer")[1]


def test_the_safety_email_says_the_number_to_call(cast, concern):
    email = OutgoingEmail.objects.get(recipient=cast.parent.email)
    assert "In an emergency, call 999." in email.body_text
    assert "In an emergency, call 999." in email.body_html
    assert "Clinical words" not in email.body_text + email.body_html
    assert not OutgoingEmail.objects.filter(recipient=cast.barred.email).exists()


def test_the_emergency_notice_on_the_message_pages_gives_the_number(client, cast):
    client.force_login(cast.parent)
    page = client.get(reverse("portal_messages")).content.decode()
    assert 'In an emergency:</span> call <a href="tel:999">999</a>.' in page
    practice = Practice.get()
    practice.timezone = "America/New_York"
    practice.save()
    page = client.get(reverse("portal_messages")).content.decode()
    assert 'call <a href="tel:911">911</a>.' in page


def test_a_guardian_with_access_none_gets_no_message_form(client, cast):
    client.force_login(cast.barred)
    response = client.get(reverse("message_thread_start", args=[cast.child.pk]))
    assert response.status_code == 404


def test_the_portal_homes_safety_message_has_the_phone_as_a_link_and_follows_a_change(
    client, cast, concern
):
    client.force_login(cast.parent)
    home = client.get(reverse("portal_home")).content.decode()
    assert STATEMENT in home
    assert 'Call the practice on <a href="tel:02079460000">020 7946 0000</a>.' in home
    practice = Practice.get()
    practice.contact_phone = "01632 960 000"
    practice.save()  # the practice's version: no cached card keeps the old number
    home = client.get(reverse("portal_home")).content.decode()
    assert '<a href="tel:01632960000">01632 960 000</a>' in home.split("<footer")[0]
    client.force_login(cast.barred)
    assert STATEMENT not in client.get(reverse("portal_home")).content.decode()
