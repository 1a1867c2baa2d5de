"""The audit log in words: each action as a sentence an admin reads ("Amara Okafor opened Mia
Thompson's record"), never a code (`child.view`, `practice.Child #3`).

Every action the product records has a label (the filter's choice: what happened, with no one
named) and a sentence with the actor's name and, for an event in a child's record, the child's.
An action added later without words here still reads as a sentence (UNKNOWN), with its code in
brackets so it can be looked up; tests/practice/test_audit_words.py fails until it gets its own.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

# action: (label, sentence). %(actor)s is who did it; %(child)s the child whose record it is.
ACTIONS = {
    "auth.login": (_("Signed in"), _("%(actor)s signed in")),
    "auth.mfa_enrol": (_("Turned on two-step sign-in"), _("%(actor)s turned on two-step sign-in")),
    "auth.mfa_verify": (
        _("Signed in with a two-step code"),
        _("%(actor)s signed in with a two-step code"),
    ),
    "auth.mfa_fail": (
        _("Typed a wrong two-step code"),
        _("%(actor)s typed a wrong two-step code"),
    ),
    "auth.mfa_recovery_codes": (
        _("Made new recovery codes"),
        _("%(actor)s made new recovery codes for two-step sign-in"),
    ),
    "auth.mfa_disable": (
        _("Turned off two-step sign-in"),
        _("%(actor)s turned off their two-step sign-in"),
    ),
    "auth.mfa_reset": (
        _("Reset someone's two-step sign-in"),
        _("%(actor)s reset a staff member's two-step sign-in"),
    ),
    "password_reset.request": (
        _("Asked for a password reset"),
        _("%(actor)s asked for a password reset"),
    ),
    "barrier.record": (
        _("Recorded a barrier"),
        _("%(actor)s recorded a barrier in %(child)s's record"),
    ),
    "barrier.update": (
        _("Updated a barrier"),
        _("%(actor)s updated a barrier in %(child)s's record"),
    ),
    "break_glass": (
        _("Opened a record in an emergency"),
        _("%(actor)s used emergency access to open %(child)s's record"),
    ),
    "caseload.reassign": (
        _("Moved a child to another clinician"),
        _("%(actor)s moved %(child)s to another clinician's caseload"),
    ),
    "child.create": (_("Added a child"), _("%(actor)s added %(child)s")),
    "child.update": (_("Changed a child's details"), _("%(actor)s changed %(child)s's details")),
    "child.view": (_("Opened a child's record"), _("%(actor)s opened %(child)s's record")),
    "child.stage_change": (
        _("Moved a child to another stage"),
        _("%(actor)s moved %(child)s to another stage of therapy"),
    ),
    "child.discharge": (_("Discharged a child"), _("%(actor)s discharged %(child)s")),
    "communication_policy.update": (
        _("Changed the communication boundaries"),
        _("%(actor)s changed the communication boundaries"),
    ),
    "confidentiality.record": (
        _("Recorded a confidentiality agreement"),
        _("%(actor)s recorded %(child)s's confidentiality agreement"),
    ),
    "confidentiality.acknowledge": (
        _("Read a confidentiality agreement"),
        _("%(actor)s read and acknowledged %(child)s's confidentiality agreement"),
    ),
    "email.retry": (_("Sent a failed email again"), _("%(actor)s sent a failed email again")),
    "engagement.view": (
        _("Opened a family's engagement"),
        _("%(actor)s opened the engagement of %(child)s's family"),
    ),
    "engagement_agreement.record": (
        _("Recorded an engagement agreement"),
        _("%(actor)s recorded %(child)s's engagement agreement"),
    ),
    "engagement_agreement.acknowledge": (
        _("Agreed to an engagement agreement"),
        _("%(actor)s agreed to %(child)s's engagement agreement"),
    ),
    "export.record": (
        _("Exported a child's record"),
        _("%(actor)s exported %(child)s's record"),
    ),
    "export.family": (
        _("Downloaded a family's data"),
        _("%(actor)s downloaded their family's data"),
    ),
    "goal.create": (_("Set a goal"), _("%(actor)s set a goal in %(child)s's record")),
    "goal.propose": (_("Proposed a goal"), _("%(actor)s proposed a goal for %(child)s")),
    "goal.agree": (_("Agreed to a goal"), _("%(actor)s agreed to a goal for %(child)s")),
    "goal.update": (_("Changed a goal"), _("%(actor)s changed a goal of %(child)s's")),
    "goal.status": (
        _("Changed a goal's status"),
        _("%(actor)s changed the status of a goal of %(child)s's"),
    ),
    "goal.rate": (_("Rated a goal"), _("%(actor)s rated a goal of %(child)s's")),
    "goal.comment": (_("Commented on a goal"), _("%(actor)s commented on a goal of %(child)s's")),
    "goal.view": (_("Opened a goal"), _("%(actor)s opened a goal of %(child)s's")),
    "guardian.add": (
        _("Added a family member"),
        _("%(actor)s added a family member to %(child)s's record"),
    ),
    "guardian.access_change": (
        _("Changed a family member's access"),
        _("%(actor)s changed what a family member of %(child)s's may see"),
    ),
    "home_practice.assign": (
        _("Set home practice"),
        _("%(actor)s set home practice for %(child)s"),
    ),
    "home_practice.end": (
        _("Ended home practice"),
        _("%(actor)s ended a home practice of %(child)s's"),
    ),
    "home_practice.check_in": (
        _("Checked in home practice"),
        _("%(actor)s checked in %(child)s's home practice"),
    ),
    "home_practice.check_in_replace": (
        _("Changed a home practice check-in"),
        _("%(actor)s changed a check-in of %(child)s's home practice"),
    ),
    "invitation.create": (_("Sent an invitation"), _("%(actor)s sent an invitation")),
    "invitation.accept": (
        _("Accepted an invitation"),
        _("%(actor)s accepted their invitation"),
    ),
    "message.send": (
        _("Sent a message"),
        _("%(actor)s sent a message about %(child)s"),
    ),
    "message.thread_view": (
        _("Opened a conversation"),
        _("%(actor)s opened a conversation about %(child)s"),
    ),
    "observation.share": (
        _("Shared an observation from home"),
        _("%(actor)s shared an observation from home about %(child)s"),
    ),
    "observation.reply": (
        _("Replied to an observation"),
        _("%(actor)s replied to an observation about %(child)s"),
    ),
    "parent_profile.update": (
        _("Changed what they told us about themselves"),
        _("%(actor)s changed what they told the practice about themselves"),
    ),
    "portal.home_view": (
        _("Opened the portal"),
        _("%(actor)s opened the portal, which shows %(child)s"),
    ),
    "portal.child_view": (
        _("Opened a child's page in the portal"),
        _("%(actor)s opened %(child)s's page in the portal"),
    ),
    "practice.update": (
        _("Changed the practice settings"),
        _("%(actor)s changed the practice settings"),
    ),
    "progress_update.preview": (
        _("Previewed a progress email"),
        _("%(actor)s previewed the progress email about %(child)s"),
    ),
    "report.engagement_view": (
        _("Opened the engagement report"),
        _("%(actor)s opened the engagement report"),
    ),
    "reschedule_request.create": (
        _("Asked to move a session"),
        _("%(actor)s asked to move a session of %(child)s's"),
    ),
    "reschedule_request.answer": (
        _("Answered a request to move a session"),
        _("%(actor)s answered a request to move a session of %(child)s's"),
    ),
    "safety.record": (
        _("Recorded a safety concern"),
        _("%(actor)s recorded a safety concern about %(child)s"),
    ),
    "safety.disclose": (
        _("Told a family about a safety concern"),
        _("%(actor)s told %(child)s's family about a safety concern"),
    ),
    "safety.notify": (
        _("Emailed a family about an important message"),
        _("%(actor)s emailed %(child)s's family about an important message"),
    ),
    "session.schedule": (
        _("Booked a session"),
        _("%(actor)s booked a session for %(child)s"),
    ),
    "session.reschedule": (
        _("Moved a session"),
        _("%(actor)s moved a session of %(child)s's"),
    ),
    "session.cancel_by_family": (
        _("Cancelled a session for the family"),
        _("%(actor)s cancelled a session of %(child)s's"),
    ),
    "session.log": (
        _("Wrote a session's notes"),
        _("%(actor)s wrote the notes of a session with %(child)s"),
    ),
    "session.sign": (
        _("Signed a session's notes"),
        _("%(actor)s signed the notes of a session with %(child)s"),
    ),
    "session.addendum": (
        _("Added to signed session notes"),
        _("%(actor)s added to the signed notes of a session with %(child)s"),
    ),
    "session.view": (
        _("Opened a session"),
        _("%(actor)s opened a session with %(child)s"),
    ),
    "staff.create": (_("Invited a member of staff"), _("%(actor)s invited a member of staff")),
    "staff.deactivate": (
        _("Turned off a staff account"),
        _("%(actor)s turned off a staff member's account"),
    ),
    "staff.reactivate": (
        _("Turned a staff account back on"),
        _("%(actor)s turned a staff member's account back on"),
    ),
    "update_preference.set": (
        _("Chose their progress emails"),
        _("%(actor)s chose how often they get progress emails"),
    ),
    "update_preference.unsubscribe": (
        _("Stopped progress emails"),
        _("%(actor)s stopped their progress emails from the link in an email"),
    ),
}

UNKNOWN = _("%(actor)s did something the log has no words for yet (%(action)s)")
UNKNOWN_IN_RECORD = _(
    "%(actor)s did something in %(child)s's record the log has no words for yet (%(action)s)"
)


def action_label(action: str) -> str:
    """What happened, with no one named: the audit filter's choice."""
    words = ACTIONS.get(action)
    return str(words[0]) if words else action


def action_choices(actions: list[str]) -> list[tuple[str, str]]:
    """The filter's choices, in the order of their labels."""
    return sorted(((a, action_label(a)) for a in actions), key=lambda choice: choice[1])


def audit_sentence(event) -> str:
    """One event as a sentence: who did what, in whose record."""
    actor = event.actor.full_name if event.actor_id else _g("Someone not signed in")
    child = event.child.display_name if event.child_id else _g("a child")
    words = ACTIONS.get(event.action)
    if words is None:
        template = UNKNOWN_IN_RECORD if event.child_id else UNKNOWN
    else:
        template = words[1]
    return str(template) % {"actor": actor, "child": child, "action": event.action}


def record_kind(event) -> str:
    """What the event's target is, in words ("Goal", "Session"), not `goals.Goal #12`."""
    if not event.target_type:
        return ""
    try:
        model = apps.get_model(event.target_type)
    except (LookupError, ValueError):
        return ""
    return capfirst(str(model._meta.verbose_name))
