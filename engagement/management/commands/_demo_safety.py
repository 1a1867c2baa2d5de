"""A demo safety concern, recorded through the service (so the family is told and the audit
has the disclosures). Idempotent: a child who has one already gets no second."""

from practice.models import SafetyConcern
from practice.safety.services import safety_concern_record

CHILD = "Jordan"  # 16, sharing level safety only: the family still sees safety statements


def seed_safety(children) -> None:
    child = children.get(CHILD)
    if child is None or SafetyConcern.objects.filter(child=child).exists():
        return
    clinician = child.memberships.get(is_primary=True).clinician
    safety_concern_record(
        child=child,
        recorded_by=clinician,
        kind=SafetyConcern.Kind.SELF_HARM,
        clinical_record=(
            "Jordan disclosed superficial cutting on the forearm over the past two weeks, linked "
            "to exam stress. No suicidal intent or plan. Safety plan agreed in session; GP "
            "informed with consent; review next session."
        ),
        family_statement=(
            "In today's session Jordan shared that they have been hurting themselves when "
            "stressed. Jordan is safe and agreed a plan with us. We would like to talk with you "
            "this week about how to support Jordan at home: please call the practice."
        ),
    )
