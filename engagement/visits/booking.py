"""Booking sessions: a one-off, a weekly series, or a move to a new time (DESIGN.md: SessionLog).

A booking that overlaps another session of the same child or the same clinician (one that is
not cancelled) is refused, naming the clash, unless the clinician chooses to book anyway (kept
on the session). The check and the insert run under a lock on the clinician's and the child's
rows, so two bookings made at the same moment cannot both pass it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from practice.access import policy_to_write
from practice.auditlog.services import audit, saved_and_audited
from practice.fragments import touch_children
from practice.models import Child, Practice, User
from practice.once import create_once
from practice.services import ensure_not_discharged
from practice.timing import instant_at, wall_time

from .models import MAX_SESSION_MINUTES, SessionLog, SessionSeries

# The most clashes named in one message: enough to see the pattern of a series.
CLASHES_NAMED = 3


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime
    minutes: int

    @property
    def end(self) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=self.minutes)

    def overlaps(self, session: SessionLog) -> bool:
        ends = session.scheduled_start + datetime.timedelta(minutes=session.planned_minutes)
        return session.scheduled_start < self.end and ends > self.start


def weekly_starts(first: datetime.datetime, weeks: int, tz: ZoneInfo) -> list[datetime.datetime]:
    """The same local wall-clock time each week, across DST changes, as aware UTC datetimes."""
    local = wall_time(first, tz)
    return [instant_at(local + datetime.timedelta(weeks=week), tz) for week in range(weeks)]


def lock_booking(child_id: int, clinician_id: int) -> None:
    """Hold the clinician's row, then the child's, until the booking commits: every booking
    takes them in this order, so two of them wait in line and never on each other. (SQLite
    has no row locks; its IMMEDIATE transactions already run one writer at a time.)"""
    list(User.objects.select_for_update().filter(pk=clinician_id).values_list("pk"))
    list(Child.objects.select_for_update().filter(pk=child_id).values_list("pk"))


def clashes(
    child: Child, clinician: User, slots: list[Slot], *, ignore: SessionLog | None = None
) -> list[SessionLog]:
    """Sessions of this child or this clinician, not cancelled, overlapping any of the slots
    (one query: a session starts at most MAX_SESSION_MINUTES before it can overlap)."""
    longest = datetime.timedelta(minutes=MAX_SESSION_MINUTES)
    near = Q()
    for slot in slots:
        near |= Q(scheduled_start__gt=slot.start - longest, scheduled_start__lt=slot.end)
    candidates = (
        SessionLog.objects.not_cancelled()
        .filter(Q(child=child) | Q(clinician=clinician))
        .filter(near)
        .select_related("child", "clinician")
        .order_by("scheduled_start")
    )
    if ignore is not None:
        candidates = candidates.exclude(pk=ignore.pk)
    return [session for session in candidates if any(slot.overlaps(session) for slot in slots)]


def _clash_message(clash: SessionLog, child: Child, by: User, tz) -> str:
    # Another child is named only to whoever holds that diary: the session's own clinician.
    visible = clash.child_id == child.pk or clash.clinician_id == by.pk
    local = timezone.localtime(clash.scheduled_start, tz)
    return _(
        "This overlaps %(child)s's session with %(clinician)s on %(when)s (%(minutes)s "
        "minutes). Choose another time, or tick “book anyway”."
    ) % {
        "child": clash.child.display_name if visible else _("another child"),
        "clinician": clash.clinician.full_name,
        "when": formats.date_format(local, "D j M Y, H:i"),
        "minutes": clash.planned_minutes,
    }


def refuse_clashes(
    child: Child, clinician: User, by: User, slots: list[Slot], *, ignore=None
) -> None:
    found = clashes(child, clinician, slots, ignore=ignore)
    if found:
        tz = Practice.get().tz
        messages = [_clash_message(clash, child, by, tz) for clash in found[:CLASHES_NAMED]]
        if len(found) > CLASHES_NAMED:
            messages.append(
                _("… and %(count)s more overlapping sessions.")
                % {"count": len(found) - CLASHES_NAMED}
            )
        raise ValidationError({"start_date": messages})


@transaction.atomic
def session_schedule(
    *,
    child: Child,
    clinician: User,
    scheduled_by: User,
    start: datetime.datetime,
    now: datetime.datetime,
    weeks: int = 1,
    planned_minutes: int = 50,
    modality: str = "clinic",
    location: str = "",
    book_anyway: bool = False,
    once_key=None,
) -> list[SessionLog]:
    """One session, or a weekly series of `weeks` sessions at the same local time. The same
    `once_key` (the form's) twice gives back what the first call booked."""
    policy_to_write(scheduled_by, child)
    if clinician != scheduled_by:
        policy_to_write(clinician, child)
    if start < now:
        raise ValidationError({"start_date": _("A new session cannot be scheduled in the past.")})
    if not 1 <= weeks <= 52:
        raise ValidationError({"weeks": _("A series runs for 1 to 52 weeks.")})
    lock_booking(child.pk, clinician.pk)
    ensure_not_discharged(child)  # reads the row: `child` may predate the discharge
    slots = [
        Slot(begins, planned_minutes) for begins in weekly_starts(start, weeks, Practice.get().tz)
    ]

    def book():
        if not book_anyway:
            refuse_clashes(child, clinician, scheduled_by, slots)
        series = None
        if weeks > 1:
            series = SessionSeries.objects.create(
                child=child,
                clinician=clinician,
                first_start=start,
                weeks=weeks,
                created_by=scheduled_by,
                once_key=once_key,
            )
        sessions = []
        for slot in slots:
            session = SessionLog(
                child=child,
                clinician=clinician,
                series=series,
                scheduled_start=slot.start,
                planned_minutes=planned_minutes,
                modality=modality,
                location=location,
                stage=child.stage,
                booked_despite_clash=book_anyway,
                once_key=once_key if series is None else None,
            )
            session.full_clean()
            sessions.append(session)
        SessionLog.objects.bulk_create(sessions)
        touch_children([child.pk])
        audit(
            actor=scheduled_by,
            action="session.schedule",
            target=child,
            child=child,
            weeks=weeks,
            book_anyway=book_anyway,
        )
        return series or sessions[0]

    made, _created = create_once(SessionSeries if weeks > 1 else SessionLog, once_key, book)
    if isinstance(made, SessionSeries):
        return list(made.sessions.order_by("scheduled_start"))
    return [made]


@transaction.atomic
def session_reschedule(
    *,
    session: SessionLog,
    by: User,
    start: datetime.datetime,
    now: datetime.datetime,
    book_anyway: bool = False,
) -> SessionLog:
    """A cancelled or missed session is rescheduled in one step; an upcoming one is moved."""
    policy_to_write(by, session.child)
    lock_booking(session.child_id, session.clinician_id)
    session = SessionLog.objects.select_for_update().select_related("child").get(pk=session.pk)
    ensure_not_discharged(session.child)
    if SessionLog.objects.filter(rescheduled_from=session).exists():
        raise ValidationError(_("This session has already been rescheduled."))
    if start < now:
        raise ValidationError({"start_date": _("A new session cannot be scheduled in the past.")})
    if not book_anyway:
        slot = Slot(start, session.planned_minutes)
        refuse_clashes(session.child, session.clinician, by, [slot], ignore=session)
    if not session.is_signed and session.status == SessionLog.Status.SCHEDULED:
        # Moving an upcoming session: its old slot is cancelled by the clinician.
        session.status = SessionLog.Status.CANCELLED_CLINICIAN
        session.save(update_fields=["status", "version", "updated_at"])
    new = SessionLog(
        child=session.child,
        clinician=session.clinician,
        rescheduled_from=session,
        scheduled_start=start,
        planned_minutes=session.planned_minutes,
        modality=session.modality,
        location=session.location,
        stage=session.child.stage,
        booked_despite_clash=book_anyway,
    )
    return saved_and_audited(new, actor=by, action="session.reschedule", book_anyway=book_anyway)
