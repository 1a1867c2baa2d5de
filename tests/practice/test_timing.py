"""The pure timing functions: when the practice may contact a family (practice/timing.py) and
when a parent's next progress email falls due (engagement/updates/schedule.py). No database and
no clock: every test passes its own instants.

Dates are in 2026: Europe/London changes on Sunday 29 March (01:00 GMT -> 02:00 BST) and
Sunday 25 October (02:00 BST -> 01:00 GMT); America/New_York on Sunday 8 March (02:00 EST ->
03:00 EDT) and Sunday 1 November (02:00 EDT -> 01:00 EST).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from engagement.updates.models import UpdatePreference
from engagement.updates.schedule import (
    contact_rules_for,
    effective_cadence,
    next_update_after,
)
from practice.models import CommunicationPolicy
from practice.timing import (
    ContactRules,
    NeverAllowed,
    contact_rules,
    is_allowed,
    latest_allowed,
    next_allowed,
)

UTC = datetime.UTC
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
T = datetime.time
ALL_CADENCES = ["weekly", "fortnightly", "monthly", "off"]


def at(tz, *parts):
    """A local wall time in `tz` as an aware datetime (fold=0)."""
    return datetime.datetime(*parts, tzinfo=tz)


def local(when, tz):
    return when.astimezone(tz).replace(tzinfo=None)


def communication(**fields):
    values = {
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "quiet_on_weekends": False,
        "allowed_cadences": ALL_CADENCES,
        "default_cadence": "fortnightly",
    }
    values.update(fields)
    return CommunicationPolicy(**values)


def pref(**fields):
    values = {"cadence": "weekly", "weekday": 4, "hour": 17}  # Friday 17:00
    values.update(fields)
    return UpdatePreference(**values)


QUIET = {"quiet_hours_start": T(20), "quiet_hours_end": T(8)}


# --- practice.timing -----------------------------------------------------------------------


class TestQuietHours:
    rules = ContactRules(quiet_start=T(20), quiet_end=T(8))

    def test_evening_inside_quiet_hours_moves_to_the_next_morning(self):
        got = next_allowed(self.rules, at(LONDON, 2026, 1, 13, 21, 30), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 14, 8, 0)

    def test_early_morning_after_midnight_moves_to_eight(self):
        got = next_allowed(self.rules, at(LONDON, 2026, 1, 14, 3, 0), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 14, 8, 0)

    def test_allowed_time_is_kept(self):
        when = at(LONDON, 2026, 1, 14, 12, 0)
        assert is_allowed(self.rules, when, LONDON)
        assert next_allowed(self.rules, when, LONDON) == when

    def test_the_window_is_start_inclusive_end_exclusive(self):
        assert not is_allowed(self.rules, at(LONDON, 2026, 1, 14, 20, 0), LONDON)
        assert is_allowed(self.rules, at(LONDON, 2026, 1, 14, 8, 0), LONDON)
        assert is_allowed(self.rules, at(LONDON, 2026, 1, 14, 19, 59), LONDON)

    def test_latest_allowed_goes_back_before_the_quiet_hours(self):
        got = latest_allowed(self.rules, at(LONDON, 2026, 1, 14, 6, 0), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 13, 19, 59)

    def test_a_daytime_window_that_does_not_cross_midnight(self):
        rules = ContactRules(quiet_start=T(12), quiet_end=T(14))
        got = next_allowed(rules, at(LONDON, 2026, 1, 14, 12, 30), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 14, 14, 0)
        assert local(latest_allowed(rules, at(LONDON, 2026, 1, 14, 13), LONDON), LONDON) == (
            datetime.datetime(2026, 1, 14, 11, 59)
        )

    def test_equal_start_and_end_block_nothing(self):
        rules = ContactRules(quiet_start=T(9), quiet_end=T(9))
        assert is_allowed(rules, at(LONDON, 2026, 1, 14, 9, 0), LONDON)


class TestWeekends:
    rules = ContactRules(quiet_start=T(20), quiet_end=T(8), quiet_weekends=True)

    def test_friday_evening_waits_until_monday_morning(self):
        got = next_allowed(self.rules, at(LONDON, 2026, 1, 16, 20, 30), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 19, 8, 0)

    def test_saturday_noon_waits_until_monday_morning(self):
        got = next_allowed(self.rules, at(LONDON, 2026, 1, 17, 12, 0), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 19, 8, 0)

    def test_weekend_alone_ends_at_monday_midnight(self):
        rules = ContactRules(quiet_weekends=True)
        got = next_allowed(rules, at(LONDON, 2026, 1, 18, 23, 0), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 19, 0, 0)

    def test_latest_allowed_from_sunday_is_friday_before_the_quiet_hours(self):
        got = latest_allowed(self.rules, at(LONDON, 2026, 1, 18, 12, 0), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 16, 19, 59)


class TestParentsOwnTimes:
    def test_own_window_moves_past_its_end(self):
        rules = contact_rules(None, own_start=T(16), own_end=T(18, 30))
        got = next_allowed(rules, at(LONDON, 2026, 1, 14, 17, 0), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 14, 18, 30)

    def test_own_window_and_quiet_hours_chain(self):
        # The parent's 18:00-20:00 runs into the practice's 20:00-08:00.
        rules = contact_rules(communication(**QUIET), own_start=T(18), own_end=T(20))
        got = next_allowed(rules, at(LONDON, 2026, 1, 14, 19, 0), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 15, 8, 0)

    def test_own_days_skip_whole_days(self):
        rules = contact_rules(None, own_days=[2, 3])  # Wednesday and Thursday
        got = next_allowed(rules, at(LONDON, 2026, 1, 14, 10, 0), LONDON)  # a Wednesday
        assert local(got, LONDON) == datetime.datetime(2026, 1, 16, 0, 0)

    def test_own_days_with_quiet_hours_and_weekends(self):
        rules = contact_rules(
            communication(quiet_on_weekends=True, **QUIET), own_days=[0]
        )  # Monday
        got = next_allowed(rules, at(LONDON, 2026, 1, 16, 21, 0), LONDON)  # Friday evening
        assert local(got, LONDON) == datetime.datetime(2026, 1, 20, 8, 0)  # Tuesday

    def test_no_allowed_minute_in_the_week_raises(self):
        rules = contact_rules(communication(**QUIET), own_start=T(8), own_end=T(20))
        with pytest.raises(NeverAllowed):
            next_allowed(rules, at(LONDON, 2026, 1, 14, 12), LONDON)
        with pytest.raises(NeverAllowed):
            latest_allowed(rules, at(LONDON, 2026, 1, 14, 12), LONDON)
        every_day = contact_rules(None, own_days=range(7))
        with pytest.raises(NeverAllowed):
            next_allowed(every_day, at(LONDON, 2026, 1, 14, 12), LONDON)

    def test_contact_rules_for_combines_policy_and_preference(self):
        rules = contact_rules_for(
            pref(no_contact_start=T(7), no_contact_end=T(9), no_contact_days=[6]),
            communication(quiet_on_weekends=True, **QUIET),
        )
        assert rules == ContactRules(T(20), T(8), True, T(7), T(9), frozenset({6}))


class TestQuietHoursAcrossDST:
    rules = ContactRules(quiet_start=T(20), quiet_end=T(8))

    def test_spring_forward_night_ends_at_eight_summer_time(self):
        got = next_allowed(self.rules, at(LONDON, 2026, 3, 28, 22, 0), LONDON)
        assert got == datetime.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 08:00 BST

    def test_fall_back_night_ends_at_eight_winter_time(self):
        got = next_allowed(self.rules, at(LONDON, 2026, 10, 24, 22, 0), LONDON)
        assert got == datetime.datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 08:00 GMT

    def test_new_york_spring_forward(self):
        got = next_allowed(self.rules, at(NEW_YORK, 2026, 3, 7, 22, 0), NEW_YORK)
        assert got == datetime.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT

    def test_new_york_fall_back(self):
        got = next_allowed(self.rules, at(NEW_YORK, 2026, 10, 31, 22, 0), NEW_YORK)
        assert got == datetime.datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 08:00 EST

    def test_the_repeated_hour_inside_quiet_hours_is_blocked_both_times(self):
        rules = ContactRules(quiet_start=T(0), quiet_end=T(6))
        first = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
        second = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT
        assert not is_allowed(rules, first, LONDON)
        assert not is_allowed(rules, second, LONDON)
        assert next_allowed(rules, first, LONDON) == datetime.datetime(
            2026, 10, 25, 6, 0, tzinfo=UTC
        )


# --- engagement.updates.schedule.next_update_after -----------------------------------------


class TestCadences:
    # Sent on time (a tick a few minutes after Friday 9 January 17:00 GMT).
    sent = at(LONDON, 2026, 1, 9, 17, 4)

    @pytest.mark.parametrize(
        ("cadence", "due"),
        [
            ("weekly", datetime.datetime(2026, 1, 16, 17, 0)),
            ("fortnightly", datetime.datetime(2026, 1, 23, 17, 0)),
            # Monthly is every four weeks, so it stays on the parent's Friday.
            ("monthly", datetime.datetime(2026, 2, 6, 17, 0)),
        ],
    )
    def test_each_cadence_a_late_tick_keeps_the_slot(self, cadence, due):
        got = next_update_after(pref(cadence=cadence), communication(), self.sent, LONDON)
        assert local(got, LONDON) == due

    def test_off_paused_and_unsubscribed_have_no_next_update(self):
        assert next_update_after(pref(cadence="off"), communication(), self.sent, LONDON) is None
        assert next_update_after(pref(paused=True), communication(), self.sent, LONDON) is None
        unsubscribed = pref(unsubscribed_at=self.sent)
        assert next_update_after(unsubscribed, communication(), self.sent, LONDON) is None

    def test_a_cadence_the_policy_no_longer_allows_falls_back_to_its_default(self):
        only = communication(allowed_cadences=["fortnightly", "monthly"], default_cadence="monthly")
        assert effective_cadence(pref(cadence="weekly"), only) == "monthly"
        got = next_update_after(pref(cadence="weekly"), only, self.sent, LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 2, 6, 17, 0)

    def test_policy_default_off_means_none(self):
        only = communication(allowed_cadences=["off"], default_cadence="off")
        assert next_update_after(pref(cadence="weekly"), only, self.sent, LONDON) is None

    def test_first_update_after_a_midweek_login(self):
        # Wednesday 7 January: the first Friday at least four days on.
        got = next_update_after(pref(), communication(), at(LONDON, 2026, 1, 7, 10), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 16, 17, 0)

    @pytest.mark.parametrize("weekday", range(7))
    def test_preferred_day_and_hour(self, weekday):
        got = next_update_after(
            pref(weekday=weekday, hour=9), communication(), at(LONDON, 2026, 1, 5, 12), LONDON
        )
        mine = local(got, LONDON)
        assert mine.weekday() == weekday and mine.time() == T(9)
        # At least the weekly gap less the grace, at most a week more.
        assert datetime.timedelta(days=4) <= got - at(LONDON, 2026, 1, 5, 12)
        assert got - at(LONDON, 2026, 1, 5, 12) < datetime.timedelta(days=11)

    def test_never_sooner_than_gap_less_grace_after_the_last(self):
        sent = at(LONDON, 2026, 1, 9, 17, 4)
        for cadence, days in (("weekly", 7), ("fortnightly", 14), ("monthly", 28)):
            for weekday in range(7):
                got = next_update_after(
                    pref(cadence=cadence, weekday=weekday), communication(), sent, LONDON
                )
                assert got - sent > datetime.timedelta(days=days - 3)


class TestMovedOutOfBlockedTimes:
    def test_an_hour_in_quiet_hours_waits_for_the_morning(self):
        got = next_update_after(
            pref(weekday=1, hour=21), communication(**QUIET), at(LONDON, 2026, 1, 5, 12), LONDON
        )
        assert local(got, LONDON) == datetime.datetime(2026, 1, 14, 8, 0)  # Wednesday

    def test_saturday_waits_until_monday_and_the_rhythm_holds(self):
        rules = communication(quiet_on_weekends=True, **QUIET)
        saturday = pref(weekday=5, hour=10)
        first = next_update_after(saturday, rules, at(LONDON, 2026, 1, 5, 12), LONDON)
        assert local(first, LONDON) == datetime.datetime(2026, 1, 12, 8, 0)  # Monday
        # Sent a few minutes late on that Monday: the next is the Monday a week on, not two.
        second = next_update_after(saturday, rules, first + datetime.timedelta(minutes=4), LONDON)
        assert local(second, LONDON) == datetime.datetime(2026, 1, 19, 8, 0)

    def test_parents_own_window(self):
        mine = pref(no_contact_start=T(16), no_contact_end=T(19))
        got = next_update_after(mine, communication(**QUIET), at(LONDON, 2026, 1, 5, 12), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 9, 19, 0)

    def test_parents_own_days(self):
        mine = pref(no_contact_days=[4, 5])  # not Fridays or Saturdays
        got = next_update_after(mine, communication(**QUIET), at(LONDON, 2026, 1, 5, 12), LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 1, 11, 8, 0)  # Sunday morning

    def test_rules_that_never_allow_give_none(self):
        mine = pref(no_contact_start=T(8), no_contact_end=T(20))
        assert (
            next_update_after(mine, communication(**QUIET), at(LONDON, 2026, 1, 5), LONDON) is None
        )


class TestDaylightSaving:
    def test_london_spring_forward_keeps_17_00(self):
        sent = at(LONDON, 2026, 3, 27, 17, 2)  # Friday, GMT
        got = next_update_after(pref(), communication(), sent, LONDON)
        assert got == datetime.datetime(2026, 4, 3, 16, 0, tzinfo=UTC)  # 17:00 BST

    def test_london_fall_back_keeps_17_00(self):
        sent = at(LONDON, 2026, 10, 23, 17, 2)  # Friday, BST
        got = next_update_after(pref(), communication(), sent, LONDON)
        assert got == datetime.datetime(2026, 10, 30, 17, 0, tzinfo=UTC)  # 17:00 GMT

    def test_new_york_spring_forward_keeps_17_00(self):
        sent = at(NEW_YORK, 2026, 3, 6, 17, 2)  # Friday, EST
        got = next_update_after(pref(), communication(), sent, NEW_YORK)
        assert got == datetime.datetime(2026, 3, 13, 21, 0, tzinfo=UTC)  # 17:00 EDT

    def test_new_york_fall_back_keeps_17_00(self):
        sent = at(NEW_YORK, 2026, 10, 30, 17, 2)  # Friday, EDT
        got = next_update_after(pref(), communication(), sent, NEW_YORK)
        assert got == datetime.datetime(2026, 11, 6, 22, 0, tzinfo=UTC)  # 17:00 EST

    def test_fortnightly_across_the_change_keeps_the_hour(self):
        sent = at(LONDON, 2026, 3, 20, 9, 1)
        got = next_update_after(pref(cadence="fortnightly", hour=9), communication(), sent, LONDON)
        assert local(got, LONDON) == datetime.datetime(2026, 4, 3, 9, 0)

    def test_an_hour_skipped_in_spring_is_still_sent_once_london(self):
        sunday_one = pref(weekday=6, hour=1)  # 01:00 does not exist on 29 March
        got = next_update_after(sunday_one, communication(), at(LONDON, 2026, 3, 22, 1, 5), LONDON)
        assert got == datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # when clocks jumped
        following = next_update_after(sunday_one, communication(), got, LONDON)
        assert following == datetime.datetime(2026, 4, 5, 0, 0, tzinfo=UTC)  # 01:00 BST

    def test_an_hour_skipped_in_spring_is_still_sent_once_new_york(self):
        sunday_two = pref(weekday=6, hour=2)  # 02:00 does not exist on 8 March
        got = next_update_after(
            sunday_two, communication(), at(NEW_YORK, 2026, 3, 1, 2, 5), NEW_YORK
        )
        assert got == datetime.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT
        following = next_update_after(sunday_two, communication(), got, NEW_YORK)
        assert local(following, NEW_YORK) == datetime.datetime(2026, 3, 15, 2, 0)

    def test_an_hour_repeated_in_autumn_is_sent_once_the_first_time(self):
        sunday_one = pref(weekday=6, hour=1)  # 01:00 happens twice on 25 October
        got = next_update_after(sunday_one, communication(), at(LONDON, 2026, 10, 18, 1, 5), LONDON)
        assert got == datetime.datetime(2026, 10, 25, 0, 0, tzinfo=UTC)  # 01:00 BST
        following = next_update_after(sunday_one, communication(), got, LONDON)
        assert following == datetime.datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # 01:00 GMT

    def test_new_york_repeated_hour(self):
        sunday_one = pref(weekday=6, hour=1)  # 01:00 happens twice on 1 November
        got = next_update_after(
            sunday_one, communication(), at(NEW_YORK, 2026, 10, 25, 1, 5), NEW_YORK
        )
        assert got == datetime.datetime(2026, 11, 1, 5, 0, tzinfo=UTC)  # 01:00 EDT
        following = next_update_after(sunday_one, communication(), got, NEW_YORK)
        assert following == datetime.datetime(2026, 11, 8, 6, 0, tzinfo=UTC)  # 01:00 EST

    def test_moved_out_of_quiet_hours_on_the_spring_forward_night(self):
        saturday_late = pref(weekday=5, hour=22)
        got = next_update_after(
            saturday_late, communication(**QUIET), at(LONDON, 2026, 3, 20, 12), LONDON
        )
        assert got == datetime.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # Sunday 08:00 BST
