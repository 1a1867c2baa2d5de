"""Writes for session logs: logging, drafts, signing, addenda. Booking (a session, a series,
a move) lives in booking.py; its services are named here too, for callers of this module."""

from __future__ import annotations

import datetime

from concurrency.exceptions import RecordModifiedError
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from goals.models import Goal, GoalRating
from goals.services import goal_rate
from practice.access import policy_to_write
from practice.auditlog.services import audit, saved_and_audited
from practice.fragments import touch_children
from practice.models import Guardianship, Practice, User
from practice.services import ensure_not_discharged

from .booking import session_reschedule, session_schedule, weekly_starts
from .models import MAX_SESSION_MINUTES, NOTE_MAX_LENGTH, Addendum, SessionLog, SignedLogError

__all__ = [
    "DraftNotStored",
    "LOG_FIELDS",
    "SessionLogConflict",
    "addendum_add",
    "session_draft_save",
    "session_log_save",
    "session_reschedule",
    "session_schedule",
    "session_sign",
    "weekly_starts",
]

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
# What a draft may hold: the log form's fields (goal ratings are `goal_<pk>`), nothing else.
DRAFT_FIELDS = frozenset([*LOG_FIELDS, "guardians_attended"])


class SessionLogConflict(ValidationError):
    """The log was saved by someone else since the form was opened (its version moved on):
    nothing was saved. `current` is the log as it is saved now."""

    def __init__(self, current: SessionLog):
        super().__init__(
            _(
                "Someone else saved this log since you opened it. Nothing of yours was saved: "
                "your text is still below. Check what changed, then save again."
            ),
            code="conflict",
        )
        self.current = current


class DraftNotStored(ValidationError):
    """An autosave that was not kept (the page says so instead of "Draft saved")."""


def _starts_at(session: SessionLog) -> str:
    local = timezone.localtime(session.scheduled_start, Practice.get().tz)
    return formats.date_format(local, "D j M Y, H:i")


def _not_before_start(session: SessionLog, status: str, now: datetime.datetime) -> None:
    """Attended and missed are facts about a session that has begun; a cancellation may be
    recorded ahead."""
    if status in SessionLog.NEEDS_START and session.scheduled_start > now:
        raise ValidationError(
            {
                "status": _(
                    "This session starts on %(when)s: it can be recorded as attended or missed "
                    "once it has begun. A cancellation can be recorded now."
                )
                % {"when": _starts_at(session)}
            }
        )


def _validate_log(
    session: SessionLog, data: dict, attendees: list[User], now: datetime.datetime
) -> None:
    _not_before_start(session, data.get("status", session.status), now)
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


def _locked_unsigned(
    session: SessionLog, user: User, version: int | None, *, signed_message: str
) -> SessionLog:
    """The log, locked for this transaction, when `user` may write it, it is not signed and
    (given the version the form was opened at) nobody has saved it since."""
    session = SessionLog.objects.select_for_update().select_related("child").get(pk=session.pk)
    policy_to_write(user, session.child)
    ensure_not_discharged(session.child)
    if session.is_signed:
        raise SignedLogError(signed_message)
    if version is not None and version != session.version:
        raise SessionLogConflict(session)
    return session


def _save_versioned(session: SessionLog) -> None:
    # The version check above runs under the row lock; this is django-concurrency's own check
    # (an UPDATE ... WHERE version = the one read), for any path that skipped the lock.
    try:
        with transaction.atomic():  # a savepoint, so the row can still be read after
            session.save()
    except RecordModifiedError as error:
        raise SessionLogConflict(SessionLog.objects.get(pk=session.pk)) from error


@transaction.atomic
def session_log_save(
    *,
    session: SessionLog,
    clinician: User,
    data: dict,
    attendees: list[User],
    ratings: dict[int, int],
    today: datetime.date,
    now: datetime.datetime | None = None,
    version: int | None = None,
    sign: bool = False,
    ip_address: str | None = None,
) -> SessionLog:
    """Save the log: fields, attendees and this session's goal ratings, and with `sign` sign
    it too, all or nothing. `version` is the one the form was opened at: a log saved since
    raises SessionLogConflict and nothing is written."""
    session = _locked_unsigned(
        session,
        clinician,
        version,
        signed_message=_("This log is signed; add an addendum instead."),
    )
    _validate_log(session, data, attendees, now or timezone.now())
    for name in LOG_FIELDS:
        if name in data:
            setattr(session, name, data[name])
    session.draft, session.draft_saved_at = {}, None
    session.full_clean()
    _save_versioned(session)
    session.guardians_attended.set(attendees)
    _replace_session_ratings(session, clinician, ratings, today)
    audit(actor=clinician, action="session.log", target=session)
    if sign:
        session = session_sign(
            session=session,
            clinician=clinician,
            ip_address=ip_address,
            now=now,
            version=session.version,
        )
    return session


def clean_draft(draft: dict) -> dict:
    """What an autosave may keep: the log form's fields only, without NUL characters (which
    PostgreSQL cannot store in JSON) and each text within the notes' limit."""
    kept = {}
    for key, value in draft.items():
        if key not in DRAFT_FIELDS and not key.startswith("goal_"):
            continue
        if isinstance(value, list):
            value = [str(item).replace("\x00", "") for item in value]
        elif isinstance(value, str):
            value = value.replace("\x00", "")
            if len(value) > NOTE_MAX_LENGTH:
                raise DraftNotStored(
                    _(
                        "Draft not saved: a note is longer than %(limit)s characters. "
                        "Shorten it to save."
                    )
                    % {"limit": formats.number_format(NOTE_MAX_LENGTH, force_grouping=True)}
                )
        kept[key] = value
    return kept


def session_draft_save(
    *,
    session: SessionLog,
    clinician: User,
    draft: dict,
    version: int | None = None,
    sequence: int | None = None,
    now: datetime.datetime | None = None,
) -> SessionLog:
    """Autosave what is being typed, so nothing is lost if the browser closes. A draft from a
    page opened before the log was last saved or signed (`version`), or older than the draft
    already kept (`sequence`, the page's count of its autosaves), is not kept: DraftNotStored."""
    policy_to_write(clinician, session.child)
    ensure_not_discharged(session.child)
    if session.is_signed:
        raise SignedLogError(_("This log is signed; add an addendum instead."))
    draft = clean_draft(draft)
    now = now or timezone.now()
    rows = SessionLog.objects.filter(pk=session.pk, signed_at__isnull=True)
    changes = {"draft": draft, "draft_saved_at": now}
    if version is not None:
        rows = rows.filter(version=version)
    if sequence is not None:
        rows = rows.filter(draft_sequence__lt=sequence)
        changes["draft_sequence"] = sequence
    if rows.update(**changes) != 1:
        raise _why_not_stored(session, version)
    touch_children([session.child_id])
    session.draft, session.draft_saved_at = draft, now
    return session


def _why_not_stored(session: SessionLog, version: int | None) -> Exception:
    saved = SessionLog.objects.filter(pk=session.pk).values("version", "signed_at").first()
    if saved is None or saved["signed_at"] is not None:
        return SignedLogError(_("Draft not saved: this log has been signed."))
    if version is not None and saved["version"] != version:
        return DraftNotStored(
            _(
                "Draft not saved: this log was saved since you opened the page. Copy anything "
                "you need, then reload the page to continue from the saved log."
            )
        )
    return DraftNotStored(_("Draft not saved: a newer draft of this page is already saved."))


@transaction.atomic
def session_sign(
    *,
    session: SessionLog,
    clinician: User,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
    version: int | None = None,
) -> SessionLog:
    """Sign and lock the log. Given `version`, only the log as it was at that version."""
    session = _locked_unsigned(
        session, clinician, version, signed_message=_("This log is already signed.")
    )
    if session.status == SessionLog.Status.SCHEDULED:
        raise ValidationError(_("Record what happened (attended, cancelled or missed) first."))
    _not_before_start(session, session.status, now or timezone.now())
    if session.status == SessionLog.Status.ATTENDED and not session.duration_minutes:
        raise ValidationError(_("Enter how long the session lasted before signing."))
    session.signed_at, session.signed_by = timezone.now(), clinician
    session.draft, session.draft_saved_at = {}, None
    _save_versioned(session)
    audit(actor=clinician, action="session.sign", target=session, ip_address=ip_address)
    return session


@transaction.atomic
def addendum_add(
    *,
    session: SessionLog,
    author: User,
    text: str,
    corrects_shared_summary: bool = False,
    ip_address: str | None = None,
) -> Addendum:
    policy_to_write(author, session.child)
    ensure_not_discharged(session.child)
    if not session.is_signed:
        raise ValidationError(_("Edit the log itself until it is signed."))
    addendum = Addendum(
        session=session,
        author=author,
        text=text.strip(),
        corrects_shared_summary=corrects_shared_summary,
    )
    return saved_and_audited(
        addendum,
        actor=author,
        action="session.addendum",
        child=session.child,
        ip_address=ip_address,
        corrects_shared_summary=corrects_shared_summary,
    )
