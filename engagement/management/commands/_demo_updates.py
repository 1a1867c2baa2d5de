"""Demo progress-email preferences: every demo parent as if they had signed in a few weeks ago,
with a few of the choices the Email updates page offers (weekly on a Friday evening, monthly,
paused, own times not to be contacted, unsubscribed from a link). Idempotent: a parent who has
a preference keeps it."""

import datetime

from engagement.updates.models import UpdatePreference
from engagement.updates.schedule import practice_policy
from engagement.updates.services import update_preference_schedule
from practice.models import Practice, User

# email: the fields that differ from the policy's default
CHOICES = {
    "grace@demo.example": {"cadence": "weekly", "weekday": 4, "hour": 17},
    "priya@demo.example": {"cadence": "monthly", "weekday": 0, "hour": 9},
    "george@demo.example": {"cadence": "fortnightly", "weekday": 2, "hour": 18},
    "helen@demo.example": {
        "cadence": "weekly",
        "weekday": 3,
        "hour": 19,
        "no_contact_start": datetime.time(18),
        "no_contact_end": datetime.time(21),
    },
    "anita@demo.example": {"cadence": "fortnightly", "paused": True},
    "james@demo.example": {"cadence": "off", "unsubscribed": True},
}
SIGNED_IN_DAYS_AGO = 21


def seed_updates(practice: Practice, now: datetime.datetime) -> None:
    communication = practice_policy(practice)
    parents = User.objects.filter(role=User.Role.PARENT, is_demo=True).exclude(
        update_preference__first_login_at__isnull=False
    )
    UpdatePreference.objects.filter(parent__in=parents).delete()  # made before any login: reseeded
    for parent in parents:
        choices = dict(CHOICES.get(parent.email, {}))
        unsubscribed = choices.pop("unsubscribed", False)
        choices.setdefault("cadence", communication.default_cadence)
        pref = UpdatePreference(
            parent=parent,
            first_login_at=now - datetime.timedelta(days=SIGNED_IN_DAYS_AGO),
            unsubscribed_at=now - datetime.timedelta(days=3) if unsubscribed else None,
            **choices,
        )
        update_preference_schedule(pref=pref, communication=communication, now=now, save=False)
        pref.save()
