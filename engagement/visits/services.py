"""Writes for session logs: scheduling, logging, drafts, signing, addenda, rescheduling."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal, GoalRating
from goals.services import goal_rate
from practice.access import policy_for
from practice.audit import audit
from practice.models import Child, Guardianship, Practice, User
from practice.services import ensure_not_discharged

from .models import MAX_SESSION_MINUTES, Addendum, SessionLog, SessionSeries, SignedLogError

LOG_FIELDS = [
    "status",
    "duration_minutes",
    "modality",
    "location",
    "child_attended",
    "guardian_participation",
    "stage",
    "activities",
    "private_note",
    "shared_summary",
    "summary_shared",
    "next_steps",
]


def _care_team_only(user: User, child: Child) -> None:
    policy = policy_for(user, child)
    if policy is None or not policy.is_care_team:
        raise PermissionDenied(_("Only a clinician on the child's care team can do this."))


def weekly_starts(first: datetime.datetime, weeks: int, tz) -> list[datetime.datetime]:
    """The same local wall-clock time each week, across DST changes, as aware UTC datetimes."""
    local = first.astimezone(tz).replace(tzinfo=None)
    return [
        (local + datetime.timedelta(weeks=week)).replace(tzinfo=tz).astimezone(datetime.UTC)
        for week in range(weeks)
    ]


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
) -> list[SessionLog]:
    """One session, or a weekly series of `weeks` sessions at the same local time."""
    _care_team_only(scheduled_by, child)
    if clinician != scheduled_by:
        _care_team_only(clinician, child)
    ensure_not_discharged(child)  # reads the row: `child` may predate the discharge
    if start < now:
        raise ValidationError({"start_date": _("A new session cannot be scheduled in the past.")})
    if not 1 <= weeks <= 52:
        raise ValidationError({"weeks": _("A series runs for 1 to 52 weeks.")})
    series = None
    if weeks > 1:
        series = SessionSeries.objects.create(
            child=child,
            clinician=clinician,
            first_start=start,
            weeks=weeks,
            created_by=scheduled_by,
        )
    sessions = []
    for begins in weekly_starts(start, weeks, Practice.get().tz):
        session = SessionLog(
            child=child,
            clinician=clinician,
            series=series,
            scheduled_start=begins,
            planned_minutes=planned_minutes,
            modality=modality,
            location=location,
            stage=child.stage,
        )
        session.full_clean()
        sessions.append(session)
    SessionLog.objects.bulk_create(sessions)
    audit(actor=scheduled_by, action="session.schedule", target=child, child=child, weeks=weeks)
    return sessions


def _validate_log(session: SessionLog, data: dict, attendees: list[User]) -> None:
    errors = {}
    attended = data.get("status") == SessionLog.Status.ATTENDED
    duration = data.get("duration_minutes")
    if attended and not duration:
        errors["duration_minutes"] = _("Enter how long the session lasted.")
    if duration is not None and not 1 <= duration <= MAX_SESSION_MINUTES:
        errors["duration_minutes"] = _("A session lasts between 1 minute and 8 hours.")
    guardian_ids = set(
        Guardianship.objects.filter(child=session.child).values_list("guardian_id", flat=True)
    )
    if any(user.pk not in guardian_ids for user in attendees):
        errors["guardians_attended"] = _("Only this child's own guardians can be attendees.")
    if errors:
        raise ValidationError(errors)


def _replace_session_ratings(
    session: SessionLog, clinician: User, ratings: dict[int, int], today: datetime.date
) -> None:
    previous = list(session.ratings.all())
    session.ratings.clear()
    GoalRating.objects.filter(pk__in=[rating.pk for rating in previous]).delete()
    goals = Goal.objects.filter(child=session.child, status=Goal.Status.ACTIVE)
    goals = {goal.pk: goal for goal in goals.filter(pk__in=ratings)}
    if set(ratings) - set(goals):
        raise ValidationError(_("A rating was given for a goal that is not this child's."))
    rated_on = min(timezone.localtime(session.scheduled_start, Practice.get().tz).date(), today)
    for goal_id, level in ratings.items():
        rating = goal_rate(
            goal=goals[goal_id],
            rated_by=clinician,
            level=level,
            rated_on=rated_on,
            source=GoalRating.Source.SESSION,
            today=today,
        )
        session.ratings.add(rating)


@transaction.atomic
def session_log_save(
    *,
    session: SessionLog,
    clinician: User,
    data: dict,
    attendees: list[User],
    ratings: dict[int, int],
    today: datetime.date,
) -> SessionLog:
    """Save the log (not yet signed): fields, attendees and this session's goal ratings."""
    session = SessionLog.objects.select_for_update().get(pk=session.pk)
    _care_team_only(clinician, session.child)
    ensure_not_discharged(session.child)
    if session.is_signed:
        raise SignedLogError(_("This log is signed; add an addendum instead."))
    _validate_log(session, data, attendees)
    for name in LOG_FIELDS:
        if name in data:
            setattr(session, name, data[name])
    session.draft, session.draft_saved_at = {}, None
    session.full_clean()
    session.save()
    session.guardians_attended.set(attendees)
    _replace_session_ratings(session, clinician, ratings, today)
    audit(actor=clinician, action="session.log", target=session, child=session.child)
    return session


def session_draft_save(*, session: SessionLog, clinician: User, draft: dict) -> SessionLog:
    """Autosave what is being typed, so nothing is lost if the browser closes."""
    _care_team_only(clinician, session.child)
    ensure_not_discharged(session.child)
    if session.is_signed:
        raise SignedLogError(_("This log is signed; add an addendum instead."))
    now = timezone.now()
    SessionLog.objects.filter(pk=session.pk, signed_at__isnull=True).update(
        draft=draft, draft_saved_at=now
    )
    session.draft, session.draft_saved_at = draft, now
    return session


@transaction.atomic
def session_sign(*, session: SessionLog, clinician: User, request=None) -> SessionLog:
    session = SessionLog.objects.select_for_update().get(pk=session.pk)
    _care_team_only(clinician, session.child)
    ensure_not_discharged(session.child)
    if session.is_signed:
        raise SignedLogError(_("This log is already signed."))
    if session.status == SessionLog.Status.SCHEDULED:
        raise ValidationError(_("Record what happened (attended, cancelled or missed) first."))
    if session.status == SessionLog.Status.ATTENDED and not session.duration_minutes:
        raise ValidationError(_("Enter how long the session lasted before signing."))
    session.signed_at, session.signed_by = timezone.now(), clinician
    session.draft, session.draft_saved_at = {}, None
    session.save()
    audit(
        actor=clinician, action="session.sign", target=session, child=session.child, request=request
    )
    return session


@transaction.atomic
def addendum_add(
    *,
    session: SessionLog,
    author: User,
    text: str,
    corrects_shared_summary: bool = False,
    request=None,
) -> Addendum:
    _care_team_only(author, session.child)
    ensure_not_discharged(session.child)
    if not session.is_signed:
        raise ValidationError(_("Edit the log itself until it is signed."))
    addendum = Addendum(
        session=session,
        author=author,
        text=text.strip(),
        corrects_shared_summary=corrects_shared_summary,
    )
    addendum.full_clean()
    addendum.save()
    audit(
        actor=author,
        action="session.addendum",
        target=addendum,
        child=session.child,
        request=request,
        corrects_shared_summary=corrects_shared_summary,
    )
    return addendum


@transaction.atomic
def session_reschedule(
    *, session: SessionLog, by: User, start: datetime.datetime, now: datetime.datetime
) -> SessionLog:
    """A cancelled or missed session is rescheduled in one step."""
    _care_team_only(by, session.child)
    ensure_not_discharged(session.child)
    rescheduled = SessionLog.objects.filter(rescheduled_from=session).first()
    if rescheduled is not None:
        raise ValidationError(_("This session has already been rescheduled."))
    if start < now:
        raise ValidationError({"start_date": _("A new session cannot be scheduled in the past.")})
    if not session.is_signed and session.status == SessionLog.Status.SCHEDULED:
        # Moving an upcoming session: its old slot is cancelled by the clinician.
        session.status = SessionLog.Status.CANCELLED_CLINICIAN
        session.save(update_fields=["status", "updated_at"])
    new = SessionLog(
        child=session.child,
        clinician=session.clinician,
        rescheduled_from=session,
        scheduled_start=start,
        planned_minutes=session.planned_minutes,
        modality=session.modality,
        location=session.location,
        stage=session.child.stage,
    )
    new.full_clean()
    new.save()
    audit(actor=by, action="session.reschedule", target=new, child=session.child)
    return new
