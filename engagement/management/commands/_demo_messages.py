"""Demo message threads, sent through the services (so the limits and the audit apply): Grace
has one about Mia still waiting past the response time (on Amara's and Chloe's caseloads) and
one Amara answered; Priya has a reply about Leo she has not read yet; George (limited access)
asked about Leo's timetable. Idempotent: a thread with its subject is not sent twice."""

import datetime

from django.utils import timezone

from engagement.messaging.models import MessageThread
from engagement.messaging.services import message_send, thread_start
from practice.models import User

# child, guardian, subject, days ago, the family's message, the care team's reply (or None)
THREADS = [
    (
        "Mia",
        "grace@demo.example",
        "Bedtime is getting harder",
        8,
        "Mia has been upset at bedtime most nights this week and the feelings chart is not "
        "helping. Should we keep going with it or try something else?",
        None,
    ),
    (
        "Mia",
        "grace@demo.example",
        "School trip next Thursday",
        12,
        "Mia has a school trip next Thursday, so she will miss her session. Can we move it?",
        "Thanks for letting us know. I have moved Mia's session to Friday at 16:00.",
    ),
    (
        "Leo",
        "priya@demo.example",
        "A new word at snack time",
        2,
        "Leo said 'more please' at snack time today without any waiting. We were so pleased!",
        "That is wonderful news: please tell Leo we are proud of him. Keep the five-second wait.",
    ),
    (
        "Leo",
        "george@demo.example",
        "Pick-up time on Tuesdays",
        1,
        "I collect Leo on Tuesdays. Does his session still finish at 16:30?",
        None,
    ),
]


def seed_messages(children) -> None:
    now = timezone.now()
    for name, email, subject, days_ago, body, reply in THREADS:
        child = children.get(name)
        guardian = User.objects.filter(email=email).first()
        if child is None or guardian is None:
            continue
        if MessageThread.objects.filter(child=child, guardian=guardian, subject=subject).exists():
            continue
        sent = now - datetime.timedelta(days=days_ago)
        thread = thread_start(child=child, guardian=guardian, subject=subject, body=body, now=sent)
        if reply:
            clinician = child.memberships.get(is_primary=True).clinician
            message_send(
                thread=thread, by=clinician, body=reply, now=sent + datetime.timedelta(hours=3)
            )
