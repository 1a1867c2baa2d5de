"""The confidentiality agreement on the hub pages: the care team's prompt to record or review
it, who has read the version in force, and the portal's request to read it."""

from __future__ import annotations

import datetime

from practice.access import ChildPolicy, current_agreement
from practice.confidentiality import agreement_prompt, agreements_to_acknowledge
from practice.models import Child, ConfidentialityAgreement, Guardianship, Practice, User


def agreement_hub(
    child_policy: ChildPolicy,
    child: Child,
    practice: Practice,
    today: datetime.date,
    agreements: list[ConfidentialityAgreement],
    guardianships: list[Guardianship],
) -> dict:
    """For the staff child page. `agreements` come with their acknowledgements prefetched."""
    in_force = current_agreement(child, today)
    not_read = []
    if in_force is not None:
        in_force = next((a for a in agreements if a.pk == in_force.pk), in_force)
        read = {acknowledgement.guardian_id for acknowledgement in in_force.acknowledgements.all()}
        not_read = [
            g.guardian
            for g in guardianships
            if g.access != Guardianship.Access.NONE and g.guardian_id not in read
        ]
    return {
        "agreement_prompt": (
            agreement_prompt(child, practice, today) if child_policy.is_care_team else None
        ),
        "agreement_in_force": in_force,
        "agreement_not_read_by": not_read,
    }


def agreement_to_read(user: User, child: Child, today: datetime.date):
    """For the portal child page: the version in force if this guardian has not read it."""
    return agreements_to_acknowledge(user, [child], today).get(child.pk)
