"""The confidentiality agreement's workflow: guardians acknowledge each version in the portal,
the care team sees who has read which version, and the practice's default by age is proposed
when a child is added and when a child turns the threshold age."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from practice.confidentiality import agreement_acknowledge, agreement_prompt, birthday
from practice.models import Child, ConfidentialityAcknowledgement, Practice
from practice.services import agreement_record
from tests.factories import AgreementFactory, ChildFactory, GuardianshipFactory

PROMPT = "I have read this"


def portal(client, user, child=None) -> str:
    client.force_login(user)
    url = reverse("portal_child", args=[child.pk]) if child else reverse("portal_home")
    return client.get(url).content.decode()


def acknowledge(client, user, child, agreement, back="child"):
    client.force_login(user)
    return client.post(
        reverse("agreement_acknowledge", args=[child.pk]),
        {"agreement": agreement.pk, "back": back},
    )


def current(cast):
    return cast.child.confidentiality_agreements.order_by("-version").first()


# --- Acknowledgement in the portal ---------------------------------------------------------


def test_a_guardian_reads_the_agreement_in_plain_words_until_they_acknowledge_it(client, cast):
    # Given Mia's agreement at level full, not yet read by Pat
    agreement = current(cast)
    # Then the portal home and Mia's page ask Pat to read it, in plain words
    for page in (portal(client, cast.parent), portal(client, cast.parent, cast.child)):
        assert PROMPT in page
        assert "a short summary in plain words after sessions" in page
    # When Pat acknowledges it from the home page
    response = acknowledge(client, cast.parent, cast.child, agreement, back="home")
    # Then they go back home, the prompt is gone everywhere, and it is audited
    assert response.status_code == 302 and response.url == reverse("portal_home")
    assert PROMPT not in portal(client, cast.parent)
    assert PROMPT not in portal(client, cast.parent, cast.child)
    assert ConfidentialityAcknowledgement.objects.filter(
        agreement=agreement, guardian=cast.parent
    ).exists()
    assert cast.child.audit_events.filter(action="confidentiality.acknowledge").count() == 1


def test_a_new_version_needs_a_new_acknowledgement(client, cast):
    # Given Pat has read version 1
    first = current(cast)
    acknowledge(client, cast.parent, cast.child, first)
    # When the clinician records a new version, at level progress
    second = agreement_record(
        child=cast.child,
        recorded_by=cast.clinician,
        sharing_level="progress",
        effective_date=cast.practice.today(),
    )
    # Then Pat is asked again, about the new version in its own words
    page = portal(client, cast.parent, cast.child)
    assert PROMPT in page
    assert "stays between them and their clinician" in page
    acknowledge(client, cast.parent, cast.child, second)
    assert PROMPT not in portal(client, cast.parent, cast.child)
    reads = ConfidentialityAcknowledgement.objects.filter(guardian=cast.parent)
    assert {read.agreement.version for read in reads} == {first.version, second.version}


def test_acknowledging_twice_keeps_one_row(client, cast):
    agreement = current(cast)
    acknowledge(client, cast.parent, cast.child, agreement)
    acknowledge(client, cast.parent, cast.child, agreement)
    assert ConfidentialityAcknowledgement.objects.filter(agreement=agreement).count() == 1


def test_a_replaced_version_cannot_be_acknowledged(cast):
    old = current(cast)
    agreement_record(
        child=cast.child,
        recorded_by=cast.clinician,
        sharing_level="full",
        effective_date=cast.practice.today(),
    )
    with pytest.raises(ValidationError):
        agreement_acknowledge(agreement=old, guardian=cast.parent, today=cast.practice.today())


def test_a_guardian_with_limited_access_is_asked_too(client, cast):
    cast.guardianship.access = "limited"
    cast.guardianship.access_reason = "Agreed with the family"
    cast.guardianship.save()
    page = portal(client, cast.parent, cast.child)
    assert PROMPT in page
    assert "Your own access is limited" in page


def test_access_none_never_sees_the_agreement_prompt(client, cast):
    # Nick (access none) has no portal entry for Mia: no prompt, no page, no way to acknowledge.
    assert PROMPT not in portal(client, cast.barred)
    client.force_login(cast.barred)
    assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 404
    assert acknowledge(client, cast.barred, cast.child, current(cast)).status_code == 404
    assert not ConfidentialityAcknowledgement.objects.filter(guardian=cast.barred).exists()


def test_a_parent_of_another_family_cannot_acknowledge(client, cast):
    response = acknowledge(client, cast.other_parent, cast.child, current(cast))
    assert response.status_code == 404
    assert not ConfidentialityAcknowledgement.objects.exists()


def test_staff_cannot_acknowledge_for_a_family(client, cast):
    assert acknowledge(client, cast.clinician, cast.child, current(cast)).status_code == 404


def test_without_an_agreement_there_is_nothing_to_acknowledge(client, cast):
    child = ChildFactory(clinician=cast.clinician)
    GuardianshipFactory(child=child, guardian=cast.parent)
    assert PROMPT not in portal(client, cast.parent, child)


def test_the_care_team_sees_who_has_read_which_version(client, cast, co_parent):
    # Given two guardians with access, of whom only Pat has read version 1
    agreement = current(cast)
    acknowledge(client, cast.parent, cast.child, agreement)
    # When the clinician opens Mia's page
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    # Then it shows who read it and who has not; Nick (access none) is not expected to
    assert "Read by Pat Rowe on" in page
    not_read = page.split("Not yet read in the portal")[1].split("</p>")[0]
    assert "Chris Rowe" in not_read
    assert "Nick Rowe" not in not_read and "Pat Rowe" not in not_read


# --- The practice's default, proposed --------------------------------------------------------


def test_after_adding_a_child_the_page_proposes_the_default_for_the_age(client, cast):
    client.force_login(cast.clinician)
    today = cast.practice.today()
    response = client.post(
        reverse("child_add"),
        {
            "first_name": "Robin",
            "last_name": "Lee",
            "date_of_birth": birthday(today, -13).isoformat(),
            "stage": "commitment",
            "primary_clinician": cast.clinician.pk,
        },
        follow=True,
    )
    page = response.content.decode()
    assert (
        "Record the confidentiality agreement — the practice's default for age 13 is progress"
        in (page)
    )
    assert reverse("agreement_add", args=[Child.objects.get(first_name="Robin").pk]) in page


def _child_turning_12(practice: Practice, on: datetime.date, intake: datetime.date) -> Child:
    child = ChildFactory(date_of_birth=birthday(on, -12))
    created = datetime.datetime.combine(intake, datetime.time(12), practice.tz)
    Child.objects.filter(pk=child.pk).update(created_at=created)
    child.refresh_from_db()
    return child


TURNS_12 = datetime.date(2026, 6, 10)
DAY_BEFORE = TURNS_12 - datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "agreement_level, effective, older_default, today, expected",
    [
        # A full agreement from before the birthday: review from the birthday on, not before.
        ("full", datetime.date(2025, 1, 1), "progress", DAY_BEFORE, None),
        ("full", datetime.date(2025, 1, 1), "progress", TURNS_12, "review"),
        ("full", datetime.date(2025, 1, 1), "progress", datetime.date(2027, 3, 1), "review"),
        # An agreement made on or after the birthday was made knowing the age.
        ("full", TURNS_12, "progress", datetime.date(2026, 8, 1), None),
        # A level no more open than the older-child default needs no review.
        ("progress", datetime.date(2025, 1, 1), "progress", TURNS_12, None),
        ("safety_only", datetime.date(2025, 1, 1), "progress", TURNS_12, None),
        # A practice whose older default is safety_only reviews a progress agreement.
        ("progress", datetime.date(2025, 1, 1), "safety_only", TURNS_12, "review"),
    ],
)
def test_the_birthday_prompt_appears_when_crossing_the_threshold_and_not_otherwise(
    cast, agreement_level, effective, older_default, today, expected
):
    practice = cast.practice
    practice.default_sharing_level_from_threshold = older_default
    child = _child_turning_12(practice, TURNS_12, intake=datetime.date(2024, 9, 1))
    AgreementFactory(child=child, sharing_level=agreement_level, effective_date=effective)
    prompt = agreement_prompt(child, practice, today)
    assert (prompt.kind if prompt else None) == expected
    if expected:
        assert (prompt.age, prompt.level) == (12, older_default)


def test_without_an_agreement_the_birthday_since_intake_asks_for_a_review(cast):
    # Added at 11, the family saw the younger default (full); at 12 the default is progress.
    child = _child_turning_12(cast.practice, TURNS_12, intake=datetime.date(2025, 3, 1))
    assert agreement_prompt(child, cast.practice, DAY_BEFORE).kind == "record"
    assert agreement_prompt(child, cast.practice, TURNS_12).kind == "review"


def test_a_child_added_after_the_birthday_is_asked_for_an_agreement_only(cast):
    child = _child_turning_12(cast.practice, TURNS_12, intake=datetime.date(2026, 9, 1))
    prompt = agreement_prompt(child, cast.practice, datetime.date(2026, 9, 2))
    assert (prompt.kind, prompt.age, prompt.level) == ("record", 12, "progress")


def test_a_discharged_child_is_never_prompted(cast):
    child = _child_turning_12(cast.practice, TURNS_12, intake=datetime.date(2024, 9, 1))
    AgreementFactory(child=child, sharing_level="full", effective_date=datetime.date(2025, 1, 1))
    child.discharged_on = datetime.date(2026, 5, 1)
    assert agreement_prompt(child, cast.practice, TURNS_12) is None


def test_born_on_29_february_turns_12_on_1_march_in_a_common_year():
    assert birthday(datetime.date(2012, 2, 29), 12) == datetime.date(2024, 2, 29)
    assert birthday(datetime.date(2012, 2, 29), 13) == datetime.date(2025, 3, 1)


def test_the_caseload_and_child_page_ask_for_a_review_after_the_birthday(client, cast):
    # Given Sam, who turned 12 last week under a full agreement from last year
    today = cast.practice.today()
    sam = ChildFactory(
        first_name="Sam",
        last_name="Patel",
        date_of_birth=birthday(today - datetime.timedelta(days=7), -12),
        clinician=cast.clinician,
    )
    AgreementFactory(child=sam, sharing_level="full", effective_date=birthday(today, -1))
    client.force_login(cast.clinician)
    # Then the caseload lists it as needing attention, and Sam's page asks for a review
    caseload = client.get(reverse("caseload")).content.decode()
    attention = caseload.split("Needs your attention")[1].split("</section>")[0]
    assert "Sam turned 12: the practice's default is now progress — review the agreement" in (
        attention
    )
    assert "Mia" not in attention
    page = client.get(reverse("child_detail", args=[sam.pk])).content.decode()
    assert "Sam turned 12: the practice's default is now progress" in page
    # When the clinician records the reviewed agreement (even keeping full), the prompt goes
    agreement_record(
        child=sam, recorded_by=cast.clinician, sharing_level="full", effective_date=today
    )
    assert "Sam turned 12" not in client.get(reverse("caseload")).content.decode()


def test_no_review_prompt_before_the_birthday(client, cast):
    today = cast.practice.today()
    sam = ChildFactory(
        first_name="Sam",
        date_of_birth=birthday(today + datetime.timedelta(days=7), -12),
        clinician=cast.clinician,
    )
    AgreementFactory(child=sam, sharing_level="full", effective_date=birthday(today, -1))
    client.force_login(cast.clinician)
    assert "Sam turned" not in client.get(reverse("caseload")).content.decode()
    assert "Sam turned" not in client.get(reverse("child_detail", args=[sam.pk])).content.decode()


def test_the_office_admin_is_not_shown_the_care_teams_prompt_button(client, cast):
    child = ChildFactory(clinician=cast.clinician)
    client.force_login(cast.admin)
    page = client.get(reverse("child_detail", args=[child.pk])).content.decode()
    assert reverse("agreement_add", args=[child.pk]) not in page
