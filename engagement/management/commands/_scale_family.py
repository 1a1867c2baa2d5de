"""Parent profiles and portal invitations for seed_scale."""

from __future__ import annotations

import datetime

from engagement.profiles.models import ParentProfile
from practice.models import Invitation

from ._scale_names import AVAILABILITY, HOPES

LANGUAGES = (["English", "Polish", "Urdu", "Spanish"], [85, 5, 5, 5])


def make_profiles(rng, parents, bulk) -> None:
    channels = [c.value for c in ParentProfile.Channel]
    styles = [s.value for s in ParentProfile.LearningStyle] + [""]
    rows = [
        ParentProfile(
            parent=parent,
            preferred_channel=rng.choice(channels),
            language=rng.choices(*LANGUAGES)[0],
            learning_style=rng.choice(styles),
            availability=rng.choice(AVAILABILITY),
            hopes=rng.choice(HOPES),
        )
        for parent in parents
    ]
    bulk(ParentProfile, rows)


def make_invitations(rng, now, parents, office, bulk) -> None:
    """Three in four not-yet-active guardians were invited; a few sends failed."""
    rows = []
    for parent in parents:
        if rng.random() >= 0.75:
            continue
        failed = rng.random() < 0.05
        rows.append(
            Invitation(
                user=parent,
                created_by=office,
                created_at=now - datetime.timedelta(days=rng.randint(0, 6)),
                sent_at=None if failed else now,
                send_error="Connection refused" if failed else "",
            )
        )
    bulk(Invitation, rows)
