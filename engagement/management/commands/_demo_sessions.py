"""Demo session logs: past signed logs (summaries, private notes, a correcting addendum, a
cancellation and a no-show) and an upcoming weekly series per child."""

import datetime

from django.utils import timezone

from engagement.visits.models import Addendum, SessionLog
from engagement.visits.services import session_schedule

SUMMARIES = [
    "We practised naming feelings with picture cards. {name} chose 'frustrated' and 'proud' "
    "on their own. At home: use the feelings chart at bedtime.",
    "We played turn-taking games. {name} waited for their turn four times out of five. "
    "Please try one short board game this week.",
    "We worked on the morning routine with a picture checklist. {name} did five steps alone.",
    "Parent coaching: we practised giving one clear instruction at a time and praising "
    "straight away. It went really well.",
]
PRIVATE = [
    "Presented as anxious on arrival; settled after 10 minutes. Monitor sleep.",
    "Parent reports conflict at home around screen time; explore next session.",
    "Good rapport. Consider moving to Change stage at next review.",
    "Some avoidance when discussing school; no risk indicators.",
]


def seed_sessions(children, practice, now) -> None:
    if SessionLog.objects.filter(child__is_demo=True).exists():
        return
    for index, child in enumerate(children.values()):
        if child.is_discharged or child.stage == "commitment":
            continue
        clinician = child.memberships.get(is_primary=True).clinician
        local = timezone.localtime(now, practice.tz).replace(
            hour=15 + index % 3, minute=30, second=0, microsecond=0
        )
        for week in range(4, 0, -1):
            _past(child, clinician, local - datetime.timedelta(weeks=week), week, index)
        session_schedule(
            child=child,
            clinician=clinician,
            scheduled_by=clinician,
            start=local + datetime.timedelta(days=1 + index % 5),
            now=now,
            weeks=6,
        )
        if index == 0:  # one session today still to log, so the caseload shows the flow
            SessionLog.objects.create(
                child=child,
                clinician=clinician,
                scheduled_start=local.replace(hour=9, minute=0),
                stage=child.stage,
            )


def _past(child, clinician, start, week, index) -> None:
    status = SessionLog.Status.ATTENDED
    if (index, week) == (0, 3):
        status = SessionLog.Status.CANCELLED_FAMILY
    elif (index, week) == (2, 2):
        status = SessionLog.Status.NO_SHOW
    attended = status == SessionLog.Status.ATTENDED
    name = child.preferred_name or child.first_name
    session = SessionLog.objects.create(
        child=child,
        clinician=clinician,
        scheduled_start=start,
        status=status,
        duration_minutes=50 if attended else None,
        child_attended=attended,
        guardian_participation=3 + week % 3 if attended else None,
        stage=child.stage,
        activities=["play", "parent_coaching"] if attended else [],
        shared_summary=SUMMARIES[(week + index) % 4].format(name=name) if attended else "",
        private_note=PRIVATE[(week + index) % 4] if attended else "",
        next_steps="Review the home practice chart together." if attended else "",
    )
    guardian = child.guardianships.filter(access="full").first()
    if attended and guardian:
        session.guardians_attended.add(guardian.guardian)
    session.signed_at, session.signed_by = start + datetime.timedelta(hours=2), clinician
    session.save()  # signing locks it: attendees are added first
    if (index, week) == (0, 1):
        Addendum.objects.create(
            session=session,
            author=clinician,
            text="The game we played was 'Guess Who', not 'Snap'.",
            corrects_shared_summary=True,
        )
