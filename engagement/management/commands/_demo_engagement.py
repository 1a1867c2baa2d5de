"""Demo engagement: an engagement agreement for every child in therapy (most families have
agreed; Mia's has a second version Grace has not agreed to yet), a request to reschedule one of
Leo's sessions, and for Kai a family that was closely involved 9 to 16 weeks ago and has gone
quiet since, with an open barrier: Amara's caseload lists it as falling. Idempotent: skipped
once any demo child has an engagement agreement."""

import datetime

from engagement.barriers.models import Barrier
from engagement.barriers.services import barrier_record
from engagement.engagement_agreements.models import (
    EngagementAcknowledgement,
    EngagementAgreement,
)
from engagement.engagement_agreements.services import (
    agreement_defaults,
    engagement_agreement_acknowledge,
    engagement_agreement_record,
)
from engagement.rescheduling.services import reschedule_request_create
from engagement.visits.models import SessionLog
from practice.models import AuditEvent

ROLE = (
    "Join the last 15 minutes of each session so we can show you what we practised, and try "
    "the week's home practice a few times. You know your child best: tell us what works."
)
NOT_YET_AGREED = {"Lily", "Sam"}
FALLING = "Kai"


def seed_engagement(children, practice, now) -> None:
    if EngagementAgreement.objects.filter(child__is_demo=True).exists():
        return
    for name, child in children.items():
        if type(child).objects.filter(pk=child.pk, discharged_on__isnull=False).exists():
            continue  # discharged by an earlier part of the seed: the record is read-only
        agreement = _record(child)
        if name not in NOT_YET_AGREED:
            _agree_all(agreement)
    mia = children.get("Mia")
    if mia is not None:
        _record(mia, parent_sessions=EngagementAgreement.ParentSessions.EVERY)
    _reschedule_request(children.get("Leo"), now)
    _falling_family(children.get(FALLING), now)


def _clinician(child):
    return child.memberships.get(is_primary=True).clinician


def _record(child, **changes):
    values = {**agreement_defaults(child), "parent_sessions": "most", "parent_role": ROLE}
    values.update(changes)
    return engagement_agreement_record(child=child, by=_clinician(child), **values)


def _agree_all(agreement):
    for guardianship in agreement.child.guardianships.exclude(access="none"):
        engagement_agreement_acknowledge(agreement=agreement, guardian=guardianship.guardian)


def _reschedule_request(child, now) -> None:
    if child is None:
        return
    session = SessionLog.objects.upcoming(now).filter(child=child).order_by("scheduled_start")
    guardian = child.guardianships.filter(access="full").first()
    if session.first() is None or guardian is None:
        return
    reschedule_request_create(
        session=session.first(),
        guardian=guardian.guardian,
        preferred_times="Any weekday after 4pm, or Saturday morning. Thursday is swimming.",
        now=now,
    )


def _falling_family(child, now) -> None:
    """Engaged 9 to 16 weeks ago (sessions with a parent, portal visits), quiet since."""
    guardianship = child and child.guardianships.filter(access="full").first()
    if guardianship is None:
        return
    guardian, clinician = guardianship.guardian, _clinician(child)
    long_ago = now - datetime.timedelta(weeks=16)
    agreement = child.engagement_agreements.order_by("-version").first()
    EngagementAgreement.objects.filter(pk=agreement.pk).update(created_at=long_ago)
    EngagementAcknowledgement.objects.filter(agreement=agreement).update(acknowledged_at=long_ago)
    for week in range(9, 16):
        start = now - datetime.timedelta(weeks=week)
        AuditEvent.objects.create(
            actor=guardian,
            action="portal.child_view",
            target_type="practice.Child",
            target_id=str(child.pk),
            child=child,
            at=start - datetime.timedelta(days=2),
        )
        session = SessionLog.objects.create(
            child=child,
            clinician=clinician,
            scheduled_start=start,
            status="attended",
            duration_minutes=50,
            guardian_participation=5,
            stage=child.stage,
            activities=["parent_coaching"],
        )
        session.guardians_attended.add(guardian)
    barrier_record(child=child, by=guardian, kind=Barrier.Kind.WORK)
