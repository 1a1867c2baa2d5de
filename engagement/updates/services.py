"""Writes to a parent's UpdatePreference: their choices from the portal, the one-click
unsubscribe, and (re)scheduling the next progress email."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from practice.audit import audit
from practice.models import CommunicationPolicy, Practice, User

from .models import ProgressUpdate, UpdatePreference
from .schedule import (
    allowed_cadences,
    is_receiving,
    never_allowed,
    next_update_after,
    practice_policy,
    preference_for,
)

PREFERENCE_FIELDS = [
    "cadence",
    "weekday",
    "hour",
    "paused",
    "no_contact_start",
    "no_contact_end",
    "no_contact_days",
]
# Preferences rescheduled per query batch when the policy changes.
RESCHEDULE_CHUNK = 500


def _after(now: datetime.datetime, last_end: datetime.datetime | None) -> datetime.datetime:
    return max(last_end, now) if last_end else now


def update_preference_schedule(
    *,
    pref: UpdatePreference,
    communication: CommunicationPolicy | None = None,
    now: datetime.datetime | None = None,
    save: bool = True,
) -> datetime.datetime | None:
    """Recompute when the parent's next progress email falls due: a cadence after the end of
    their last update, and never before now."""
    communication = communication or practice_policy()
    now = now or timezone.now()
    last_end = ProgressUpdate.objects.filter(parent_id=pref.parent_id).aggregate(
        last=Max("period_end")
    )["last"]
    pref.next_update_at = next_update_after(
        pref, communication, _after(now, last_end), Practice.get().tz
    )
    if save:
        pref.save(update_fields=["next_update_at", "updated_at"])
    return pref.next_update_at


def _validate(pref: UpdatePreference, communication: CommunicationPolicy) -> None:
    errors = {}
    if pref.cadence not in allowed_cadences(communication):
        errors["cadence"] = _("Choose one of the options the practice offers.")
    if not 0 <= pref.hour <= 23:
        errors["hour"] = _("Choose an hour from 0 to 23.")
    if (pref.no_contact_start is None) != (pref.no_contact_end is None):
        errors["no_contact_end"] = _("Give both times, or neither.")
    elif pref.no_contact_start is not None and pref.no_contact_start == pref.no_contact_end:
        errors["no_contact_end"] = _("The end must differ from the start.")
    if any(day not in range(7) for day in pref.no_contact_days):
        errors["no_contact_days"] = _("Choose days of the week.")
    if errors:
        raise ValidationError(errors)
    if never_allowed(pref, communication, Practice.get().tz):
        raise ValidationError(
            _(
                "With the practice's quiet hours, these times leave no time in the week when we "
                "could write to you. Shorten them or choose fewer days."
            )
        )


@transaction.atomic
def update_preference_set(
    *,
    parent: User,
    cadence: str,
    weekday: int,
    hour: int,
    paused: bool = False,
    no_contact_start: datetime.time | None = None,
    no_contact_end: datetime.time | None = None,
    no_contact_days: Iterable[int] = (),
    request=None,
) -> UpdatePreference:
    """Save a parent's choices and reschedule. Choosing a cadence again undoes an
    unsubscribe."""
    if not parent.is_parent:
        raise PermissionDenied(_("Only a parent has progress emails."))
    communication = practice_policy()
    preference_for(parent, communication)
    pref = UpdatePreference.objects.select_for_update().get(parent=parent)
    values = {
        "cadence": cadence,
        "weekday": int(weekday),
        "hour": int(hour),
        "paused": bool(paused),
        "no_contact_start": no_contact_start,
        "no_contact_end": no_contact_end,
        "no_contact_days": sorted({int(day) for day in no_contact_days}),
    }
    changed = [name for name in PREFERENCE_FIELDS if getattr(pref, name) != values[name]]
    for name, value in values.items():
        setattr(pref, name, value)
    _validate(pref, communication)
    resubscribed = pref.unsubscribed_at is not None and cadence != CommunicationPolicy.Cadence.OFF
    if resubscribed:
        pref.unsubscribed_at = None
    pref.full_clean()
    update_preference_schedule(pref=pref, communication=communication, save=False)
    pref.save()
    audit(
        actor=parent,
        action="update_preference.set",
        target=pref,
        request=request,
        fields=changed,
        resubscribed=resubscribed,
    )
    return pref


@transaction.atomic
def update_preference_unsubscribe(*, parent: User, request=None) -> UpdatePreference:
    """The one-click unsubscribe: no more progress emails until the parent chooses a cadence
    again in the portal."""
    preference_for(parent)
    pref = UpdatePreference.objects.select_for_update().get(parent=parent)
    if pref.unsubscribed_at is None:
        pref.unsubscribed_at = timezone.now()
    pref.cadence = CommunicationPolicy.Cadence.OFF
    pref.next_update_at = None
    pref.save()
    audit(actor=None, action="update_preference.unsubscribe", target=pref, request=request)
    return pref


def update_preference_start(*, parent: User, now: datetime.datetime | None = None) -> None:
    """A parent's first login: create the preference (policy default) and schedule the first
    update, whose period starts now. Later logins only fill a missing schedule."""
    if not parent.is_parent:
        return
    # Most logins are not the first and find the schedule in place: one query.
    if UpdatePreference.objects.filter(
        parent=parent, first_login_at__isnull=False, next_update_at__isnull=False
    ).exists():
        return
    now = now or timezone.now()
    communication = practice_policy()
    with transaction.atomic():
        pref = preference_for(parent, communication)
        pref = UpdatePreference.objects.select_for_update().get(pk=pref.pk)
        if pref.first_login_at is not None and (
            pref.next_update_at is not None or not is_receiving(pref, communication)
        ):
            return
        pref.first_login_at = pref.first_login_at or now
        update_preference_schedule(pref=pref, communication=communication, now=now, save=False)
        pref.save(update_fields=["first_login_at", "next_update_at", "updated_at"])


def update_preferences_reschedule(
    *, communication: CommunicationPolicy, now: datetime.datetime | None = None
) -> int:
    """After a policy change: recompute next_update_at for every parent who has signed in, in
    chunks (one query for the last periods per chunk, one bulk update). Returns how many."""
    now = now or timezone.now()
    tz = Practice.get().tz
    prefs = UpdatePreference.objects.filter(first_login_at__isnull=False).order_by("pk")
    count, last_pk = 0, 0
    while True:
        chunk = list(prefs.filter(pk__gt=last_pk)[:RESCHEDULE_CHUNK])
        if not chunk:
            return count
        last_ends = dict(
            ProgressUpdate.objects.filter(parent_id__in=[p.parent_id for p in chunk])
            .values("parent_id")
            .annotate(last=Max("period_end"))
            .values_list("parent_id", "last")
        )
        for pref in chunk:
            after = _after(now, last_ends.get(pref.parent_id))
            due = next_update_after(pref, communication, after, tz)
            # One already due waits for the next tick rather than a cadence more.
            already_due = pref.next_update_at is not None and pref.next_update_at <= now
            pref.next_update_at = pref.next_update_at if due and already_due else due
        UpdatePreference.objects.bulk_update(chunk, ["next_update_at"])
        count += len(chunk)
        last_pk = chunk[-1].pk
