"""Home practice check-ins: one tap from the portal, counted into completion and a streak shown
to both sides; only guardians with the home_practice right (full access at level full or
progress) may check in."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement.observations.services import observation_reply, observation_share
from engagement.practice_at_home import services
from engagement.practice_at_home.models import CheckIn
from engagement.practice_at_home.streaks import completion, daily_streak, summarise, weekly_streak
from engagement.profiles.services import parent_profile_update
from tests.factories import AgreementFactory, CheckInFactory, GuardianshipFactory, ParentFactory

D = datetime.date


@pytest.fixture
def assign(active_goal, today):
    def make(child, clinician, frequency="daily", title="Feelings chart"):
        return services.home_practice_assign(
            child=child,
            goal=active_goal(child, clinician, title=f"Goal for {title}"),
            assigned_by=clinician,
            title=title,
            instructions="Point to how the day felt.",
            until=today + datetime.timedelta(days=21),
            frequency=frequency,
            today=today,
        )

    return make


def check_in_url(child, home_practice):
    return reverse("check_in", args=[child.pk, home_practice.pk])


# --- One tap --------------------------------------------------------------------------------


def test_one_tap_done_today_is_recorded_and_counted_on_both_sides(client, cast, today, assign):
    # Given a daily strategy the parent sees in the portal, with its two buttons
    home_practice = assign(cast.child, cast.clinician)
    client.force_login(cast.parent)
    portal = reverse("portal_child", args=[cast.child.pk])
    page = client.get(portal).content.decode()
    assert check_in_url(cast.child, home_practice) in page
    assert "Done today" in page and "Not today" in page
    # When they tap "Done today" (no JavaScript)
    response = client.post(check_in_url(cast.child, home_practice), {"done": "yes"}, follow=True)
    # Then it is saved for today, thanked, and counted in the card
    check_in = CheckIn.objects.get()
    assert (check_in.guardian, check_in.done, check_in.for_date) == (cast.parent, True, today)
    page = response.content.decode()
    assert "Checked in. Thank you!" in page
    assert "Last 7 days: 1 of 1" in page and "1-day streak" in page
    # And the care team sees the same count and who checked in on the child page
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "Last 7 days: 1 of 1" in page and "1-day streak" in page and "Pat Rowe" in page


def test_with_htmx_the_card_is_swapped_in_place(client, cast, assign):
    home_practice = assign(cast.child, cast.clinician)
    client.force_login(cast.parent)
    response = client.post(
        check_in_url(cast.child, home_practice), {"done": "no"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(f'<div id="check-in-{home_practice.pk}"')
    assert "Today: not today." in fragment and "Last 7 days: 0 of 1" in fragment
    assert CheckIn.objects.get().done is False


def test_a_second_check_in_the_same_day_replaces_the_first(client, cast, assign):
    # Given the parent tapped "Not today"
    home_practice = assign(cast.child, cast.clinician)
    client.force_login(cast.parent)
    client.post(check_in_url(cast.child, home_practice), {"done": "no"})
    # When they later tell us how it went, done after all
    answers = {"done": "yes", "how_it_went": "4", "difficulty": "hard", "note": "Tired but did it"}
    response = client.post(check_in_url(cast.child, home_practice), answers, follow=True)
    # Then there is still one check-in for today, with the new answers, and the page says so
    check_in = CheckIn.objects.get()
    assert (check_in.done, check_in.how_it_went, check_in.difficulty) == (True, 4, "hard")
    assert check_in.note == "Tired but did it"
    assert "Updated today&#x27;s check-in" in response.content.decode()
    # And the care team reads the answers and the note
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "went well" in page and "Hard to do" in page and "Tired but did it" in page


def test_a_future_date_gets_a_clear_error(client, cast, today, assign):
    home_practice = assign(cast.child, cast.clinician)
    client.force_login(cast.parent)
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        check_in_url(cast.child, home_practice), {"done": "yes", "for_date": tomorrow}, follow=True
    )
    assert "not a future one" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_home_practice_of_another_child_gets_a_clear_error(client, cast, today, assign):
    # Given a strategy of another family's child
    other = assign(cast.other_child, cast.outsider)
    client.force_login(cast.parent)
    # When the parent posts a check-in for it under their own child
    response = client.post(check_in_url(cast.child, other), {"done": "yes"}, follow=True)
    # Then they are told it is not one of this child's, and nothing is saved
    assert "not one of this child" in response.content.decode()
    assert not CheckIn.objects.exists()
    with pytest.raises(Exception, match="not one of this child"):
        services.check_in_record(
            home_practice=other, child=cast.child, guardian=cast.parent, done=True, today=today
        )


@pytest.mark.parametrize("who", ["limited", "safety_only", "none"])
def test_guardians_without_the_home_practice_right_cannot_check_in(client, cast, who, assign):
    # Given a strategy, and a guardian at limited access, at level safety_only, or barred
    home_practice = assign(cast.child, cast.clinician)
    guardian = cast.barred
    if who == "limited":
        guardian = ParentFactory()
        GuardianshipFactory(child=cast.child, guardian=guardian, access="limited")
    if who == "safety_only":
        guardian = cast.parent
        AgreementFactory(child=cast.child, sharing_level="safety_only", version=100_000)
    client.force_login(guardian)
    # Then no buttons are offered, and a check-in posted anyway is a 404
    page = client.get(reverse("portal_child", args=[cast.child.pk]))
    assert check_in_url(cast.child, home_practice) not in page.content.decode()
    response = client.post(check_in_url(cast.child, home_practice), {"done": "yes"})
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_more_than_planned_is_said_so(client, cast, today, assign):
    # Given a once-a-week strategy done on two days this week
    home_practice = assign(cast.child, cast.clinician, frequency="weekly")
    home_practice.assigned_at -= datetime.timedelta(days=3)
    home_practice.save()
    CheckInFactory(
        home_practice=home_practice,
        guardian=cast.parent,
        done=True,
        for_date=today - datetime.timedelta(days=1),
    )
    client.force_login(cast.parent)
    response = client.post(check_in_url(cast.child, home_practice), {"done": "yes"}, follow=True)
    assert "Last 7 days: 2, more than the 1 planned" in response.content.decode()


def test_counts_combine_the_familys_check_ins(client, cast, today, assign, co_parent):
    # Given a co-parent with full access who also checked in, yesterday
    home_practice = assign(cast.child, cast.clinician)
    CheckInFactory(
        home_practice=home_practice,
        guardian=co_parent,
        done=True,
        for_date=today - datetime.timedelta(days=1),
    )
    home_practice.assigned_at -= datetime.timedelta(days=3)
    home_practice.save()
    # When the parent checks in today
    client.force_login(cast.parent)
    response = client.post(check_in_url(cast.child, home_practice), {"done": "yes"}, follow=True)
    # Then the family's two days count (4 days since it was set, every day expected)
    page = response.content.decode()
    assert "Last 7 days: 2 of 4" in page and "2-day streak" in page


# --- Completion and streaks, hand-computed --------------------------------------------------


def test_daily_streak_counts_back_from_today_or_yesterday():
    wednesday = D(2026, 11, 25)
    days = {D(2026, 11, 22), D(2026, 11, 23), D(2026, 11, 24)}
    # Today not done yet: the streak through yesterday still stands
    assert daily_streak(days, wednesday) == 3
    assert daily_streak(days | {wednesday}, wednesday) == 4
    # A gap ends it
    assert daily_streak({D(2026, 11, 22), D(2026, 11, 24)}, wednesday) == 1
    assert daily_streak({D(2026, 11, 22)}, wednesday) == 0


def test_weekly_streak_counts_weeks_that_met_the_number():
    wednesday = D(2026, 11, 25)  # week of Monday 23 November
    three_a_week = {
        D(2026, 11, 9), D(2026, 11, 11), D(2026, 11, 13),  # met
        D(2026, 11, 16), D(2026, 11, 18), D(2026, 11, 20),  # met
        D(2026, 11, 23),  # this week, not met yet: does not break the streak
    }  # fmt: skip
    assert weekly_streak(three_a_week, wednesday, 3) == 2
    assert weekly_streak(three_a_week | {D(2026, 11, 24), D(2026, 11, 25)}, wednesday, 3) == 3
    # A week short of the number breaks it
    assert weekly_streak(three_a_week - {D(2026, 11, 11)}, wednesday, 3) == 1
    assert weekly_streak({D(2026, 11, 17)}, wednesday, 1) == 1


def test_completion_against_the_frequency_from_the_day_it_was_set():
    today_ = D(2026, 11, 25)
    long_ago = D(2026, 1, 1)
    days = {today_ - datetime.timedelta(days=n) for n in (0, 1, 2, 10, 27, 28)}
    # Daily: 3 of the last 7 days, 5 of the last 28 (day 28 back is outside the window)
    week = completion("daily", days, long_ago, today_, 7)
    assert (week.done, week.expected) == (3, 7)
    four_weeks = completion("daily", days, long_ago, today_, 28)
    assert (four_weeks.done, four_weeks.expected, four_weeks.percent) == (5, 28, 18)
    # Three a week, set 10 days ago: 11 days counted, ceil(3 * 11 / 7) = 5 expected
    set_recently = completion(
        "three_a_week", days, today_ - datetime.timedelta(days=10), today_, 28
    )
    assert (set_recently.done, set_recently.expected, set_recently.percent) == (4, 5, 80)
    # Weekly over the last 7 days: 1 expected; done more often is still 100%
    assert completion("weekly", days, long_ago, today_, 7).percent == 100
    # Another rhythm: no expected number, only the days done
    other = summarise("other", days, long_ago, today_)
    assert (other.last_7.done, other.last_7.expected, other.last_7.percent) == (3, None, None)
    assert other.streak_unit == "week"


# --- Query bounds ---------------------------------------------------------------------------


@pytest.fixture
def _family_with(assign, today, co_parent):
    def make(cast, size):
        """`size` strategies with a week of check-ins each, `size` observations with replies, and a
        profile for the parent and for `size` co-parents."""
        parent_profile_update(parent=cast.parent, hopes="Calmer evenings")
        for index in range(size):
            home_practice = assign(cast.child, cast.clinician, title=f"Strategy {index}")
            for days_ago in range(7):
                CheckInFactory(
                    home_practice=home_practice,
                    guardian=cast.parent,
                    done=days_ago % 2 == 0,
                    for_date=today - datetime.timedelta(days=days_ago),
                )
            observation = observation_share(
                child=cast.child, guardian=cast.parent, text=f"Seen {index}", today=today
            )
            observation_reply(observation=observation, author=cast.clinician, text="Thank you")
            co_parent = ParentFactory()
            GuardianshipFactory(child=cast.child, guardian=co_parent, relationship="father")
            parent_profile_update(parent=co_parent, availability="Evenings")

    return make


def _queries(client, user, url):
    client.force_login(user)
    client.get(url)
    cache.clear()  # the page's whole work, not a cached fragment
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "page, viewer, bound", [("portal_child", "parent", 32), ("child_detail", "clinician", 36)]
)
def test_pages_with_check_ins_observations_and_profiles_stay_bounded(
    client, cast, page, viewer, bound, django_assert_max_num_queries, _family_with
):
    url = reverse(page, args=[cast.child.pk])
    user = getattr(cast, viewer)
    _family_with(cast, 1)
    few = _queries(client, user, url)
    _family_with(cast, 5)
    many = _queries(client, user, url)
    assert many == few
    with django_assert_max_num_queries(bound):
        client.get(url)


# --- Saying which day, keeping what was typed -----------------------------------------------


def test_a_check_in_saved_for_yesterday_says_so(client, cast, today, assign):
    home_practice = assign(cast.child, cast.clinician)
    client.force_login(cast.parent)
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        check_in_url(cast.child, home_practice), {"done": "yes", "for_date": yesterday}, follow=True
    )
    page = response.content.decode()
    assert "Checked in for yesterday. Thank you!" in page and "Checked in. Thank you!" not in page
    assert CheckIn.objects.get().for_date.isoformat() == yesterday
    # With htmx too, and a second one for that day says it replaced yesterday's
    response = client.post(
        check_in_url(cast.child, home_practice),
        {"done": "no", "for_date": yesterday},
        HTTP_HX_REQUEST="true",
    )
    assert "Updated yesterday&#x27;s check-in" in response.content.decode()


def test_a_huge_check_in_note_gets_a_clear_error_and_the_note_is_kept(client, cast, assign):
    home_practice = assign(cast.child, cast.clinician)
    client.force_login(cast.parent)
    note = "How it went, at length. " * 44_000  # about 1 MB
    response = client.post(
        check_in_url(cast.child, home_practice),
        {"done": "no", "how_it_went": "2", "note": note},
        HTTP_HX_REQUEST="true",
    )
    fragment = response.content.decode()
    assert "Please shorten this to 500 characters or fewer" in fragment
    assert note.strip() in fragment and "Up to 500 characters." in fragment
    assert '<option value="2" selected>' in fragment
    response = client.post(
        check_in_url(cast.child, home_practice),
        {"done": "yes", "note": "Bad\x00byte"},
        HTTP_HX_REQUEST="true",
    )
    assert "Null characters are not allowed." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_without_javascript_a_refused_check_in_opens_again_with_the_note_kept(
    client, cast, today, assign
):
    # A redirect would lose what was typed: the form comes back on a page of its own.
    home_practice = assign(cast.child, cast.clinician)
    client.force_login(cast.parent)
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    note = "She did it with her brother watching"
    response = client.post(
        check_in_url(cast.child, home_practice),
        {"done": "no", "difficulty": "hard", "for_date": tomorrow, "note": note},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "not a future one" in page and note in page
    assert '<option value="hard" selected>' in page
    assert "<details open>" in page and 'href="/portal/children/' in page
    assert not CheckIn.objects.exists()
