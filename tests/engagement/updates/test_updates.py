"""Progress updates: the beat's tick opens one ProgressUpdate and one outbox email per due
parent and period, once; the email says what is new for each child exactly as DESIGN.md's
table allows that guardian, nothing when nothing is new, and no clinical content at all when
the practice sends notices only."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagement.updates import delivery
from engagement.updates.content import build_progress_emails
from engagement.updates.models import ProgressUpdate, UpdatePreference
from engagement.updates.tasks import progress_updates_tick
from engagement.visits.services import session_sign
from goals import services as goal_services
from goals.models import Goal, GoalRating
from practice.celery import app
from practice.models import Child, CommunicationPolicy, OutgoingEmail
from tests.conftest import need
from tests.factories import (
    AgreementFactory,
    ChildFactory,
    ClinicianFactory,
    GuardianshipFactory,
    ParentFactory,
    ProgressUpdateFactory,
    SessionLogFactory,
    UpdatePreferenceFactory,
)
from tests.family_record import (
    ALWAYS_WITHHELD,
    CORRECTION,
    GOAL,
    HOME_PRACTICE,
    KEEP,
    LEVELS,
    NOT_SHARED,
    OWN_NOTE,
    PRIVATE_GOAL,
    SAFETY_STATEMENT,
    STAGE_NOTE,
    SUMMARY,
    TABLE,
    family_record,
)

Cadence = CommunicationPolicy.Cadence


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    def run(now=None):
        now = now or timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            progress_updates_tick.apply(kwargs={"now": now.isoformat()})

    return run


def due(parent, now, *, first_login_days=10, **fields) -> UpdatePreference:
    return UpdatePreferenceFactory(
        parent=parent,
        cadence=Cadence.WEEKLY,
        weekday=now.weekday(),
        hour=9,
        first_login_at=now - datetime.timedelta(days=first_login_days),
        next_update_at=now - datetime.timedelta(minutes=1),
        **fields,
    )


def rated_goal(cast, child, title="Builds a tower of blocks", level=1, *, parent=None):
    goal = goal_services.goal_create(
        child=child, clinician=cast.clinician, title=title, domain="motor", **LEVELS
    )
    today = cast.practice.today()
    goal_services.goal_rate(
        goal=goal,
        rated_by=cast.clinician,
        level=level,
        rated_on=today,
        source="review",
        today=today,
    )
    return goal


def family(cast, name: str, *, news=True) -> tuple:
    """A parent with one child on Alice's care team at level full, and (with news) a goal
    rated in the period."""
    child = ChildFactory(first_name=name, last_name="Family", clinician=cast.clinician)
    AgreementFactory(child=child, sharing_level="full")
    parent = ParentFactory(full_name=f"Parent of {name}")
    GuardianshipFactory(child=child, guardian=parent)
    goal = rated_goal(cast, child, title=f"Goal of {name}") if news else None
    return parent, child, goal


# --- The tick ---------------------------------------------------------------------------------


def test_the_tick_opens_one_update_and_sends_one_email_per_due_parent(cast, communication, tick):
    # Given three due parents with news, and one whose next update is next week
    now = timezone.now() + datetime.timedelta(minutes=2)
    families = [family(cast, name) for name in ("Ada", "Ben", "Cy")]
    for parent, _child, _goal in families:
        due(parent, now)
    later, _child, _goal = family(cast, "Dee")
    pref = due(later, now)
    UpdatePreference.objects.filter(pk=pref.pk).update(
        next_update_at=now + datetime.timedelta(days=7)
    )
    # When the beat ticks
    tick(now)
    # Then each due parent has one update and one sent email, with their own child's goal
    assert ProgressUpdate.objects.count() == 3
    assert OutgoingEmail.objects.filter(kind="progress_update", state="sent").count() == 3
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        parent.email for parent, _c, _g in families
    )
    for parent, child, goal in families:
        (message,) = [m for m in mail.outbox if m.to == [parent.email]]
        assert goal.title in message.body and child.first_name in message.subject
        others = [g.title for _p, _c, g in families if g != goal]
        assert not any(title in message.body for title in others)
        update = ProgressUpdate.objects.get(parent=parent)
        assert update.email.message_id == message.extra_headers["Message-ID"]
        assert update.period_end == now
        pref = UpdatePreference.objects.get(parent=parent)
        assert pref.next_update_at > now
    # And the parent not yet due is untouched
    assert not ProgressUpdate.objects.filter(parent=later).exists()
    assert UpdatePreference.objects.get(parent=later).next_update_at == now + datetime.timedelta(
        days=7
    )


def test_a_second_tick_creates_nothing_more(cast, communication, tick):
    parent, _child, _goal = family(cast, "Ada")
    now = timezone.now() + datetime.timedelta(minutes=2)
    due(parent, now)
    tick(now)
    tick(now)
    tick(now + datetime.timedelta(minutes=5))
    assert ProgressUpdate.objects.count() == 1
    assert OutgoingEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_rendering_a_chunk_twice_creates_no_second_email(cast, communication, tick):
    parent, _child, _goal = family(cast, "Ada")
    now = timezone.now() + datetime.timedelta(minutes=2)
    update = ProgressUpdateFactory(
        parent=parent, period_start=now - datetime.timedelta(days=7), period_end=now
    )
    first = delivery.progress_emails_create([update.pk], now=now)
    second = delivery.progress_emails_create([update.pk], now=now)
    assert len(first) == 1 and second == []
    assert OutgoingEmail.objects.count() == 1


def _tick_queries(tick, now) -> int:
    with CaptureQueriesContext(connection) as captured:
        tick(now)
    return len(captured.captured_queries)


def test_the_ticks_cost_does_not_grow_with_parents_not_due(cast, communication, tick):
    # Given one due parent and a few parents not due
    now = timezone.now() + datetime.timedelta(minutes=2)

    def not_due(count):
        for index in range(count):
            parent, _child, _goal = family(cast, f"Later{index}", news=False)
            pref = due(parent, now)
            pref.next_update_at = now + datetime.timedelta(days=3)
            pref.save()

    parent, _child, _goal = family(cast, "Ada")
    due(parent, now)
    not_due(2)
    few = _tick_queries(tick, now)
    # When many more parents who are not due are added, and another one falls due
    not_due(30)
    parent, _child, _goal = family(cast, "Ben")
    due(parent, now)
    many = _tick_queries(tick, now)
    # Then a tick costs the same
    assert many == few


def test_the_first_period_starts_at_the_first_login_then_at_the_previous_end(
    cast, communication, tick
):
    parent, _child, _goal = family(cast, "Ada")
    now = timezone.now() + datetime.timedelta(minutes=2)
    pref = due(parent, now, first_login_days=12)
    tick(now)
    first = ProgressUpdate.objects.get(parent=parent)
    assert first.period_start == pref.first_login_at and first.period_end == now
    # A week later, with a new rating
    later = now + datetime.timedelta(days=7)
    UpdatePreference.objects.filter(pk=pref.pk).update(
        next_update_at=later - datetime.timedelta(minutes=1)
    )
    tick(later)
    second = ProgressUpdate.objects.order_by("period_start").last()
    assert (second.period_start, second.period_end) == (now, later)


def test_a_worker_that_died_while_rendering_leaves_an_update_the_tick_renders(
    cast, communication, tick
):
    parent, _child, goal = family(cast, "Ada")
    now = timezone.now() + datetime.timedelta(minutes=2)
    update = ProgressUpdateFactory(
        parent=parent, period_start=now - datetime.timedelta(days=7), period_end=now
    )
    ProgressUpdate.objects.filter(pk=update.pk).update(created_at=now - datetime.timedelta(hours=1))
    tick(now)
    update.refresh_from_db()
    assert update.email.state == "sent"
    assert goal.title in mail.outbox[0].body


# --- What is sent, and when -------------------------------------------------------------------


def test_nothing_new_is_skipped_not_sent(cast, communication, tick):
    parent, _child, _goal = family(cast, "Ada", news=False)
    now = timezone.now() + datetime.timedelta(minutes=2)
    due(parent, now)
    tick(now)
    update = ProgressUpdate.objects.get(parent=parent)
    assert update.email.state == "skipped"
    assert update.email.skip_reason == "no_news"
    assert mail.outbox == []


def test_a_discharged_child_has_no_section_and_alone_stops_the_updates(cast, communication, tick):
    # Given Ada's parent, whose brother Ben has been discharged, and Cy's, whose only child has
    parent, _ada, ada_goal = family(cast, "Ada")
    ben = ChildFactory(first_name="Ben", last_name="Family", clinician=cast.clinician)
    GuardianshipFactory(child=ben, guardian=parent)
    ben_goal = rated_goal(cast, ben, title="Goal of Ben")
    Child.objects.filter(pk=ben.pk).update(discharged_on=cast.practice.today())
    cy_parent, cy, _cy_goal = family(cast, "Cy")
    Child.objects.filter(pk=cy.pk).update(discharged_on=cast.practice.today())
    now = timezone.now() + datetime.timedelta(minutes=2)
    due(parent, now)
    due(cy_parent, now)
    # When the beat ticks
    tick(now)
    # Then Ada's parent hears of Ada only, and Cy's parent gets nothing at all
    (message,) = mail.outbox
    assert message.to == [parent.email]
    assert ada_goal.title in message.body and ben_goal.title not in message.body
    assert "Ben" not in message.body and "Ben" not in message.subject
    assert not ProgressUpdate.objects.filter(parent=cy_parent).exists()
    assert not OutgoingEmail.objects.filter(recipient=cy_parent.email).exists()


def test_a_guardian_with_access_none_gets_nothing(cast, communication, tick):
    rated_goal(cast, cast.child, title=GOAL)
    now = timezone.now() + datetime.timedelta(minutes=2)
    due(cast.barred, now)
    tick(now)
    assert not OutgoingEmail.objects.filter(recipient=cast.barred.email).exists()
    assert mail.outbox == []


def test_notice_only_sends_no_clinical_content(cast, communication, tick):
    communication.email_detail = CommunicationPolicy.EmailDetail.NOTICE_ONLY
    communication.save()
    upcoming = family_record(cast)
    Child.objects.filter(pk=cast.child.pk).update(discharged_on=None)
    now = timezone.now() + datetime.timedelta(minutes=2)
    due(cast.parent, now, first_login_days=30)
    tick(now)
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    next_day = timezone.localtime(upcoming.scheduled_start, cast.practice.tz).strftime("%d %B")
    for part in (message.subject, message.body, html):
        for text in [GOAL, SUMMARY, CORRECTION, HOME_PRACTICE, "Mia", "Rowe", "Milestone"]:
            assert text not in part, text
        assert next_day.lstrip("0") not in part
    assert "portal" in message.body and "http://testserver/portal/" in html
    assert "new progress update" in message.subject


def test_each_email_carries_the_one_click_unsubscribe(cast, communication, tick):
    parent, _child, _goal = family(cast, "Ada")
    now = timezone.now() + datetime.timedelta(minutes=2)
    due(parent, now)
    tick(now)
    (message,) = mail.outbox
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://testserver/") and unsubscribe.endswith(">")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body
    assert "/portal/updates/" in message.body


def test_an_email_rendered_in_quiet_hours_waits_for_them_to_end(cast):
    # Given quiet hours 20:00-08:00 and an update rendered at 23:00 local (a late worker)
    tz = cast.practice.tz
    communication = CommunicationPolicy.objects.get(practice=cast.practice)
    communication.quiet_hours_start, communication.quiet_hours_end = (
        datetime.time(20),
        datetime.time(8),
    )
    communication.save()
    now = datetime.datetime(2026, 11, 24, 23, 0, tzinfo=tz)
    parent, _child, goal = family(cast, "Ada")
    GoalRating.objects.filter(goal=goal).update(created_at=now - datetime.timedelta(days=1))
    due(parent, now)
    update = ProgressUpdateFactory(
        parent=parent, period_start=now - datetime.timedelta(days=7), period_end=now
    )
    # When its email is put on the outbox
    to_deliver = delivery.progress_emails_create([update.pk], now=now)
    # Then it is not delivered now but waits, pending, until 08:00 the next morning
    update.refresh_from_db()
    assert to_deliver == []
    assert update.email.state == "pending"
    assert update.email.send_after == datetime.datetime(2026, 11, 25, 8, 0, tzinfo=tz)


def test_the_parents_own_times_hold_the_email_too(cast, communication):
    tz = cast.practice.tz
    now = datetime.datetime(2026, 11, 24, 17, 0, tzinfo=tz)  # a Tuesday
    parent, _child, goal = family(cast, "Ada")
    GoalRating.objects.filter(goal=goal).update(created_at=now - datetime.timedelta(days=1))
    due(parent, now, no_contact_days=[1, 2])
    update = ProgressUpdateFactory(
        parent=parent, period_start=now - datetime.timedelta(days=7), period_end=now
    )
    delivery.progress_emails_create([update.pk], now=now)
    update.refresh_from_db()
    assert update.email.send_after == datetime.datetime(2026, 11, 26, 0, 0, tzinfo=tz)


# --- Every row of the confidentiality table ---------------------------------------------------


def _email_for(cast, parent):
    """The email Pat would get for everything recorded in the last month."""
    now = timezone.now() + datetime.timedelta(minutes=2)
    communication = CommunicationPolicy.objects.get(practice=cast.practice)
    period = (now - datetime.timedelta(days=30), now)
    (email,) = build_progress_emails([parent], {parent.pk: period}, communication)
    return email


@pytest.mark.parametrize("level, access, record, goals, summaries, discharge", TABLE)
def test_the_email_says_exactly_what_the_table_allows(
    cast, level, access, record, goals, summaries, discharge, set_access
):
    # Given Mia's record with something of every row (still in therapy), a rating of her
    # private goal, and Pat under this level and access
    upcoming = family_record(cast)
    Child.objects.filter(pk=cast.child.pk).update(discharged_on=None)
    today = cast.practice.today()
    private = Goal.objects.get(title=PRIVATE_GOAL)
    goal_services.goal_rate(
        goal=private, rated_by=cast.clinician, level=0, rated_on=today, source="review", today=today
    )
    set_access(level, access)
    next_time = timezone.localtime(upcoming.scheduled_start, cast.practice.tz)
    rows = {
        "in therapy, upcoming sessions, attendance": (
            record,
            ["Mia Rowe", next_time.strftime("%H:%M"), "attended"],
        ),
        "goals, ratings, milestones, home practice": (
            goals,
            [
                GOAL,
                LEVELS["level_0"],
                "The care team: 0 the expected outcome",
                "Your view: +1",
                "A parent",  # another parent's view, unnamed
                "Reached the expected outcome",
                HOME_PRACTICE,
            ],
        ),
        "shared summaries and their corrections": (summaries, [SUMMARY, CORRECTION]),
    }
    # When the email Pat would get is rendered
    email = _email_for(cast, cast.parent)
    html = email.html
    # Then each row is there exactly when the table allows it, in every part
    for name, part in (("text", email.text), ("html", html)):
        for row, (allowed, texts) in rows.items():
            for text in texts:
                assert (text in part) is allowed, f"{name}: {row}: {text}"
        # And what no guardian may ever see, or what an email never carries, is nowhere
        for text in [*ALWAYS_WITHHELD, OWN_NOTE, NOT_SHARED, STAGE_NOTE, KEEP, SAFETY_STATEMENT]:
            assert text not in part, f"{name}: {text}"
        assert "Chris" not in part  # the co-parent's view is "a parent's view", unnamed
    assert ("Mia" in email.subject) is record
    assert email.has_news is record
    # And a guardian who may not see Mia has no section at all
    if not record:
        assert email.sections == []


def test_a_parent_of_another_family_never_hears_of_this_child(cast):
    family_record(cast)
    Child.objects.filter(pk=cast.child.pk).update(discharged_on=None)
    email = _email_for(cast, cast.other_parent)
    assert [section.child for section in email.sections] == [cast.other_child]
    for part in (email.subject, email.text, email.html):
        assert "Mia" not in part and GOAL not in part


def test_rendering_a_chunk_costs_the_same_for_more_parents(cast, communication):
    now = timezone.now() + datetime.timedelta(minutes=2)

    def chunk(count, prefix):
        ids = []
        for index in range(count):
            parent, child, _goal = family(cast, f"{prefix}{index}")
            GuardianshipFactory(child=child, guardian=ParentFactory(), access="none")
            ids.append(
                ProgressUpdateFactory(
                    parent=parent, period_start=now - datetime.timedelta(days=7), period_end=now
                ).pk
            )
        with CaptureQueriesContext(connection) as captured:
            created = delivery.progress_emails_create(ids, now=now)
        assert len(created) == count
        return len(captured.captured_queries)

    assert chunk(2, "Few") == chunk(20, "Many")


# --- Two ticks at once (PostgreSQL: row locks) ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_share_the_due_parents_without_overlap():
    need(connection.vendor == "postgresql", "row locks (skip_locked) need PostgreSQL")
    # Given 250 due parents (three chunks)
    clinician = ClinicianFactory()
    now = timezone.now() + datetime.timedelta(minutes=2)
    for index in range(250):
        child = ChildFactory(first_name=f"Kid{index}", clinician=clinician)
        parent = ParentFactory()
        GuardianshipFactory(child=child, guardian=parent)
        due(parent, now)
    # When two ticks run at the same moment, in two connections
    handed_out: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def run(index):
        try:
            start.wait()
            delivery.progress_updates_open(now=now, enqueue=handed_out[index].extend)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every parent has one update, handed out to one of the ticks only
    first, second = set(handed_out[0]), set(handed_out[1])
    assert ProgressUpdate.objects.count() == 250
    assert not first & second
    assert first | second == set(ProgressUpdate.objects.values_list("pk", flat=True))
    assert not UpdatePreference.objects.filter(next_update_at__lte=now).exists()


def test_what_people_typed_is_escaped_in_the_html(cast):
    goal = rated_goal(cast, cast.child, title="Says <b>hello</b> & waves")
    email = _email_for(cast, cast.parent)
    assert "Says &lt;b&gt;hello&lt;/b&gt; &amp; waves" in email.html
    assert "<b>hello</b>" not in email.html
    assert goal.title in email.text


def test_an_update_that_cannot_be_rendered_does_not_hold_back_its_chunk(
    cast, communication, tick, monkeypatch
):
    # Given three due parents, one of whose emails cannot be built (a bug, bad data)
    families = [family(cast, name) for name in ("Ada", "Ben", "Cy")]
    now = timezone.now() + datetime.timedelta(minutes=2)
    for parent, _child, _goal in families:
        due(parent, now)
    broken = families[1][0]
    build = delivery.build_progress_emails

    def fragile(parents, *args, **kwargs):
        if broken in parents:
            raise RuntimeError("cannot render")
        return build(parents, *args, **kwargs)

    monkeypatch.setattr(delivery, "build_progress_emails", fragile)
    # (each queued task fails on its own, as on a worker)
    monkeypatch.setattr(app.conf, "task_eager_propagates", False)
    # When the beat ticks
    tick(now)
    # Then the two others are sent, and the broken one waits (the tick will try it again)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [families[0][0].email, families[2][0].email]
    )
    assert ProgressUpdate.objects.get(parent=broken).email is None


def test_a_chunk_is_created_claimed_and_sent_without_reading_it_back(cast, communication, settings):
    """The render task creates the due rows already claimed (sending, attempt 1) and hands
    them to SMTP from memory; a worker that dies before sending leaves them to the sweeper,
    which sends them once the stuck timeout has passed, with the same Message-ID."""
    from practice.outbox import services as outbox

    settings.OUTBOX_STUCK_SECONDS = 600
    now = timezone.now()
    rows = []
    for name in ("Ada", "Ben"):
        parent, _child, goal = family(cast, name)
        GoalRating.objects.filter(goal=goal).update(created_at=now - datetime.timedelta(days=1))
        due(parent, now)
        rows.append(
            ProgressUpdateFactory(
                parent=parent, period_start=now - datetime.timedelta(days=7), period_end=now
            )
        )
    # When the first chunk is rendered claimed and sent
    emails = delivery.progress_emails_create([rows[0].pk], now=now, claim=True)
    assert [(e.state, e.attempts) for e in emails] == [("sending", 1)]
    outbox.emails_send_claimed(emails)
    (sent,) = mail.outbox
    first = OutgoingEmail.objects.get(pk=emails[0].pk)
    assert first.state == "sent" and sent.message()["Message-ID"] == first.message_id
    # When the second is rendered claimed but its worker dies before sending
    (lost,) = delivery.progress_emails_create([rows[1].pk], now=now, claim=True)
    assert OutgoingEmail.objects.get(pk=lost.pk).state == "sending"
    # Then the sweeper leaves it while its worker might be alive, and sends it after
    assert outbox.stuck_emails_release(now=timezone.now()) == 0
    OutgoingEmail.objects.filter(pk=lost.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(seconds=601)
    )
    assert outbox.stuck_emails_release(now=timezone.now()) == 1
    outbox.email_deliver(email_id=lost.pk)
    lost.refresh_from_db()
    assert lost.state == "sent" and lost.attempts == 2
    assert mail.outbox[1].message()["Message-ID"] == lost.message_id


def test_the_email_says_nothing_of_a_session_not_yet_begun(cast):
    # Given a session in 2099 signed today as attended with a shared summary (written straight
    # to the table: the service now refuses it), and a real session held yesterday
    ahead = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        scheduled_start=datetime.datetime(2099, 5, 4, 10, 0, tzinfo=datetime.UTC),
        status="attended",
        duration_minutes=50,
        shared_summary="Written before the session happened",
    )
    ahead.signed_at = timezone.now()
    ahead.save()
    held = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        days_ago=1,
        status="attended",
        duration_minutes=50,
        shared_summary="Held yesterday and shared",
    )
    session_sign(session=held, clinician=cast.clinician)
    # When Pat's email is built, then only the session that happened is in it
    email = _email_for(cast, cast.parent)
    assert "Held yesterday and shared" in email.text
    assert "Written before the session happened" not in email.text + email.html
    assert "4 May" not in email.text
