"""The access module against DESIGN.md's table, and the 404 boundaries through the real views.

Later issues add their rows (sessions, messages ...) to EXPECTED and to the URL lists below.
"""

import datetime

import pytest
from django.urls import reverse

from practice.access import child_for_user, children_for, policy_for
from practice.models import Child, Guardianship, SharingLevel
from tests.factories import AgreementFactory, ChildFactory, ClinicianFactory, GuardianshipFactory

LEVELS = [SharingLevel.FULL, SharingLevel.PROGRESS, SharingLevel.SAFETY_ONLY]
ACCESSES = [Guardianship.Access.FULL, Guardianship.Access.LIMITED, Guardianship.Access.NONE]

# DESIGN.md, "Confidentiality: what a guardian sees of a child", written out cell by cell.
# Columns: level full, level progress, level safety_only (for a full-access guardian), then a
# guardian with access limited (any level). Access none has no column: the child does not exist.
ROWS = {
    "record": (True, True, True, True),
    "goals": (True, True, False, False),
    "home_practice": (True, True, False, False),
    "discharge_summary": (True, True, False, False),
    "shared_summaries": (True, False, False, False),
    "safety_statements": (True, True, True, True),
    "own_items": (True, True, True, True),
    "clinical": (False, False, False, False),
    "family_contacts": (False, False, False, False),
    "manage_intake": (False, False, False, False),
}


def expected(level: str, access: str) -> dict[str, bool] | None:
    if access == Guardianship.Access.NONE:
        return None
    column = 3 if access == Guardianship.Access.LIMITED else LEVELS.index(level)
    return {row: cells[column] for row, cells in ROWS.items()}


def rights(child_policy) -> dict[str, bool] | None:
    return None if child_policy is None else {row: getattr(child_policy, row) for row in ROWS}


def child_with_guardian(level: str | None, access: str, born=datetime.date(2019, 3, 14)):
    child = ChildFactory(date_of_birth=born, clinician=ClinicianFactory())
    if level is not None:
        AgreementFactory(child=child, sharing_level=level, version=1)
    reason = "" if access == Guardianship.Access.FULL else "Court order"
    guardianship = GuardianshipFactory(child=child, access=access, access_reason=reason)
    return child, guardianship.guardian


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The date `years` ago (28 February for a leap-day today, so the age is still `years`)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --- The table, row by row ----------------------------------------------------------------


@pytest.mark.parametrize("access", ACCESSES)
@pytest.mark.parametrize("level", LEVELS)
def test_guardian_policy_follows_the_table(cast, level, access):
    child, guardian = child_with_guardian(level, access)
    child_policy = policy_for(guardian, child)
    assert rights(child_policy) == expected(level, access)
    if child_policy is not None:
        assert (child_policy.sharing_level, child_policy.guardian_access) == (level, access)
        assert child_policy.is_guardian and not child_policy.is_care_team


@pytest.mark.parametrize("access", ACCESSES)
@pytest.mark.parametrize("level", LEVELS)
def test_guardian_sees_the_child_in_lists_only_with_access(cast, level, access):
    child, guardian = child_with_guardian(level, access)
    assert (child in children_for(guardian)) is (access != Guardianship.Access.NONE)


def test_care_team_clinician_has_every_right_including_clinical(cast):
    child_policy = policy_for(cast.clinician, cast.child)
    assert child_policy.is_care_team
    # own_items is a guardian's row (their own messages); staff read threads as the care team.
    assert {row for row, granted in rights(child_policy).items() if not granted} == {"own_items"}


def test_office_admin_sees_the_record_and_contacts_but_nothing_clinical(cast):
    child_policy = policy_for(cast.admin, cast.child)
    assert child_policy.viewer == "office"
    assert child_policy.record and child_policy.family_contacts and child_policy.manage_intake
    for row in ("goals", "home_practice", "discharge_summary", "shared_summaries", "clinical"):
        assert getattr(child_policy, row) is False, row


def test_clinician_who_runs_the_practice_has_office_rights_outside_their_care_team(cast):
    runner = ClinicianFactory(is_practice_admin=True)
    child_policy = policy_for(runner, cast.child)
    assert child_policy.viewer == "office"
    assert not child_policy.clinical and not child_policy.shared_summaries


def test_clinician_outside_the_care_team_and_other_families_get_no_policy(cast):
    assert policy_for(cast.outsider, cast.child) is None
    assert policy_for(cast.other_parent, cast.child) is None
    assert policy_for(cast.barred, cast.child) is None


def test_a_deactivated_care_team_clinician_gets_no_policy(cast):
    cast.clinician.is_active = False
    assert policy_for(cast.clinician, cast.child) is None
    assert not children_for(cast.clinician).exists()


# --- A child with no agreement follows the practice's default for its age -----------------


@pytest.mark.parametrize(
    ("age", "level"),
    [
        (3, SharingLevel.FULL),
        (11, SharingLevel.FULL),
        (12, SharingLevel.PROGRESS),
        (16, "progress"),
    ],
)
def test_a_child_without_agreement_follows_the_default_for_its_age(cast, age, level):
    # Given a child of this age (birthday today) with no agreement, and a full-access parent
    today = cast.practice.today()
    child, guardian = child_with_guardian(None, "full", born=years_before(today, age))
    # Then the parent's policy uses the default level for that age, never full by accident
    child_policy = policy_for(guardian, child)
    assert child_policy.sharing_level == level
    assert child_policy.shared_summaries is (level == SharingLevel.FULL)


def test_the_day_before_the_threshold_birthday_the_younger_default_applies(cast):
    today = cast.practice.today()
    born = years_before(today, 12) + datetime.timedelta(days=1)
    child, guardian = child_with_guardian(None, "full", born=born)
    assert policy_for(guardian, child).sharing_level == SharingLevel.FULL


def test_changing_the_practice_threshold_and_defaults_changes_the_level(cast):
    # Given an 8-year-old with no agreement (full by the default threshold of 12)
    today = cast.practice.today()
    child, guardian = child_with_guardian(None, "full", born=years_before(today, 8))
    assert policy_for(guardian, child).sharing_level == SharingLevel.FULL
    # When the practice lowers the threshold to 8 and makes the older default safety only
    cast.practice.sharing_age_threshold = 8
    cast.practice.default_sharing_level_from_threshold = SharingLevel.SAFETY_ONLY
    cast.practice.save()
    # Then the child is at the older default
    child_policy = policy_for(guardian, child)
    assert child_policy.sharing_level == SharingLevel.SAFETY_ONLY
    assert not child_policy.goals


def test_a_future_dated_agreement_is_not_yet_in_effect(cast):
    # Given a 14-year-old with a full agreement now and a safety-only one from tomorrow
    today = cast.practice.today()
    child, guardian = child_with_guardian(None, "full", born=years_before(today, 14))
    AgreementFactory(child=child, version=1, sharing_level="full", effective_date=today)
    AgreementFactory(
        child=child,
        version=2,
        sharing_level="safety_only",
        effective_date=today + datetime.timedelta(days=1),
    )
    # Then today the full agreement applies, and tomorrow the safety-only one
    assert policy_for(guardian, child).sharing_level == SharingLevel.FULL
    tomorrow = today + datetime.timedelta(days=1)
    assert policy_for(guardian, child, today=tomorrow).sharing_level == SharingLevel.SAFETY_ONLY


def test_only_a_future_agreement_means_the_age_default_applies_until_then(client, cast):
    today = cast.practice.today()
    child, guardian = child_with_guardian(None, "full", born=years_before(today, 14))
    AgreementFactory(
        child=child, version=1, sharing_level="full", effective_date=datetime.date(2099, 1, 1)
    )
    assert policy_for(guardian, child).sharing_level == SharingLevel.PROGRESS
    # And the child page says the practice's default applies
    client.force_login(child.memberships.get().clinician)
    html = client.get(reverse("child_detail", args=[child.pk])).content.decode()
    assert "default for this age: no agreement recorded yet" in html


def test_the_newest_version_wins_on_the_same_effective_date(cast):
    child, guardian = child_with_guardian(None, "full")
    AgreementFactory(child=child, version=1, sharing_level="full")
    AgreementFactory(child=child, version=2, sharing_level="safety_only")
    assert policy_for(guardian, child).sharing_level == SharingLevel.SAFETY_ONLY


def test_a_later_effective_date_wins_over_a_higher_version(cast):
    # A correction back-dated below the current agreement must not override it.
    child, guardian = child_with_guardian(None, "full")
    AgreementFactory(
        child=child, version=1, sharing_level="progress", effective_date=datetime.date(2025, 6, 1)
    )
    AgreementFactory(
        child=child, version=2, sharing_level="full", effective_date=datetime.date(2024, 1, 1)
    )
    assert policy_for(guardian, child).sharing_level == SharingLevel.PROGRESS


# --- 404 boundaries through the real views ------------------------------------------------


def child_urls(child: Child) -> list[tuple[str, str]]:
    """Every page about one child, staff-side and portal-side (later issues add theirs)."""
    guardianship = child.guardianships.first()
    return [
        ("get", reverse("portal_child", args=[child.pk])),
        ("get", reverse("child_detail", args=[child.pk])),
        ("get", reverse("child_edit", args=[child.pk])),
        ("post", reverse("child_edit", args=[child.pk])),
        ("get", reverse("guardian_add", args=[child.pk])),
        ("post", reverse("guardian_add", args=[child.pk])),
        ("get", reverse("guardian_edit", args=[child.pk, guardianship.pk])),
        ("post", reverse("guardian_invite", args=[child.pk, guardianship.pk])),
        ("get", reverse("agreement_add", args=[child.pk])),
        ("post", reverse("agreement_add", args=[child.pk])),
    ]


@pytest.mark.parametrize("who", ["parent", "barred"])
def test_a_parent_of_family_a_gets_404_on_every_url_of_family_b(client, cast, who):
    # Given a parent of Mia's family, and Zed of another family
    client.force_login(getattr(cast, who))
    # When they ask for any page about Zed, then every one is 404
    for method, url in child_urls(cast.other_child):
        assert getattr(client, method)(url).status_code == 404, (method, url)


def test_the_other_family_gets_404_on_every_url_of_this_family(client, cast):
    client.force_login(cast.other_parent)
    for method, url in child_urls(cast.child):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    assert "Mia" not in client.get(reverse("portal_home")).content.decode()


def test_a_guardian_with_access_none_never_sees_the_child(client, cast):
    # Given Nick, barred from Mia by a court order, but with full access to her half-brother
    half_brother = ChildFactory(first_name="Hugo", last_name="Vale", clinician=cast.clinician)
    GuardianshipFactory(child=half_brother, guardian=cast.barred, relationship="father")
    client.force_login(cast.barred)
    # Then the portal home shows Hugo, and nothing of Mia
    home = client.get(reverse("portal_home")).content.decode()
    assert "Hugo Vale" in home
    assert "Mia" not in home
    assert reverse("portal_child", args=[cast.child.pk]) not in home
    # And every URL about Mia is 404
    for method, url in child_urls(cast.child):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    assert client.get(reverse("portal_child", args=[half_brother.pk])).status_code == 200


def test_a_guardian_with_only_access_none_sees_an_empty_portal(client, cast):
    client.force_login(cast.barred)
    response = client.get(reverse("portal_home"))
    assert response.status_code == 200
    assert response.context["children"] == []
    assert "Mia" not in response.content.decode()


def test_the_full_access_parent_sees_the_child_in_the_portal(client, cast):
    client.force_login(cast.parent)
    assert "Mia Rowe" in client.get(reverse("portal_home")).content.decode()
    assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 200


def test_a_parent_never_sees_the_staff_child_page_of_their_own_child(client, cast):
    client.force_login(cast.parent)
    assert client.get(reverse("child_detail", args=[cast.child.pk])).status_code == 404
    assert client.get(reverse("child_edit", args=[cast.child.pk])).status_code == 404


def test_a_parent_with_limited_access_sees_the_limited_explanation(client, cast):
    cast.guardianship.access = "limited"
    cast.guardianship.access_reason = "School runs only"
    cast.guardianship.save()
    client.force_login(cast.parent)
    html = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "appointments, attendance and safety information" in html


@pytest.mark.parametrize(
    "page", ["child_detail", "child_edit", "guardian_add", "agreement_add", "portal_child"]
)
def test_a_clinician_outside_the_care_team_gets_404(client, cast, page):
    client.force_login(cast.outsider)
    assert client.get(reverse(page, args=[cast.child.pk])).status_code == 404


def test_a_clinician_outside_the_care_team_cannot_edit_by_posting(client, cast):
    client.force_login(cast.outsider)
    response = client.post(
        reverse("child_edit", args=[cast.child.pk]),
        {"first_name": "Hacked", "last_name": "Rowe", "date_of_birth": "2019-03-14"},
    )
    assert response.status_code == 404
    cast.child.refresh_from_db()
    assert cast.child.first_name == "Mia"


def test_a_guardianship_of_another_child_is_404_even_for_the_care_team(client, cast):
    # Alice may edit Mia's guardians, but not reach Zed's through Mia's URL.
    zed_guardianship = cast.other_child.guardianships.get()
    client.force_login(cast.clinician)
    url = reverse("guardian_edit", args=[cast.child.pk, zed_guardianship.pk])
    assert client.get(url).status_code == 404
    invite = reverse("guardian_invite", args=[cast.child.pk, zed_guardianship.pk])
    assert client.post(invite).status_code == 404


def test_care_team_clinician_sees_the_child_page_with_clinical_actions(client, cast):
    client.force_login(cast.clinician)
    response = client.get(reverse("child_detail", args=[cast.child.pk]))
    assert response.status_code == 200
    assert response.context["policy"].clinical
    assert reverse("agreement_add", args=[cast.child.pk]) in response.content.decode()


def test_office_admin_sees_the_child_page_without_clinical_rights(client, cast):
    # Given the office admin, who is on no care team
    client.force_login(cast.admin)
    # When they open Mia's page
    response = client.get(reverse("child_detail", args=[cast.child.pk]))
    # Then they see the family and may do intake, but have no clinical rights
    assert response.status_code == 200
    child_policy = response.context["policy"]
    assert child_policy.record and child_policy.manage_intake and not child_policy.clinical
    html = response.content.decode()
    assert "Pat Rowe" in html
    assert reverse("child_edit", args=[cast.child.pk]) in html
    assert reverse("agreement_add", args=[cast.child.pk]) not in html
    # And the confidentiality agreement page is not theirs to fill in
    agreement = client.get(reverse("agreement_add", args=[cast.child.pk]))
    assert agreement.status_code == 302
    assert agreement.url == reverse("child_detail", args=[cast.child.pk])


def test_child_for_user_raises_404_instead_of_returning_the_child(cast):
    from django.http import Http404

    with pytest.raises(Http404):
        child_for_user(cast.other_parent, cast.child.pk)
    with pytest.raises(Http404):
        child_for_user(cast.barred, cast.child.pk)
    child, child_policy = child_for_user(cast.parent, cast.child.pk)
    assert child == cast.child and child_policy.is_guardian


def test_a_parent_never_sees_another_guardians_name_or_contact_details(client, cast):
    # Given Mia's two guardians: Pat (full) and Nick (barred), with a phone on file for Nick
    cast.barred.phone = "07700 900123"
    cast.barred.save()
    client.force_login(cast.parent)
    # When Pat opens every portal page about Mia
    pages = [reverse("portal_home"), reverse("portal_child", args=[cast.child.pk])]
    for url in pages:
        html = client.get(url).content.decode()
        # Then nothing of Nick is there
        for detail in ("Nick", "nick@test.example", "07700 900123"):
            assert detail not in html, (url, detail)
