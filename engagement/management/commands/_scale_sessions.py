"""Session logs for seed_scale: a weekly series per child, a year of history, a month ahead.

The rules are the visits' own (engagement/visits): past sessions were logged (attended,
cancelled or missed) and signed, except a few of the last fortnight still waiting to be logged;
an attended one has a duration, who came and a private note and shared summary; later changes
are addenda, a few of which correct the shared summary. Session ratings are not linked to
sessions yet (goal ratings carry their source).
"""

from __future__ import annotations

import datetime

from engagement.visits.models import Activity, Addendum, Modality, SessionLog, SessionSeries

SESSION_MODELS = [SessionSeries, SessionLog, SessionLog.guardians_attended.through, Addendum]
UPCOMING = 4
STATUSES = [
    (SessionLog.Status.ATTENDED, 86),
    (SessionLog.Status.CANCELLED_FAMILY, 5),
    (SessionLog.Status.CANCELLED_CLINICIAN, 5),
    (SessionLog.Status.NO_SHOW, 4),
]
SUMMARIES = [
    "We practised taking turns with a board game; it went really well by the end.",
    "We worked on naming feelings with picture cards. Try the feelings chart at bedtime.",
    "Lots of movement play today. The visual timetable helped with the change of activity.",
    "We reviewed the morning routine chart together; keep the one-prompt rule going.",
]
NOTES = [
    "Engaged well after a slow start. Continue graded exposure next week.",
    "Parent reports more stress at home; consider a check-in call.",
    "Regulation better than last session; used breathing strategy unprompted twice.",
]


def make_sessions(rng, practice, now, contexts, count, bulk):
    """About `count` session logs over the children; returns (series, sessions, addenda)."""
    if count <= 0 or not contexts:
        return 0, 0, 0
    per_child = max(1, count // len(contexts))
    today = practice.today()
    series_rows, plans = [], []
    for context in contexts:
        child = context.child
        hour = rng.choice([9, 10, 11, 13, 14, 15, 16])
        end = child.discharged_on or today + datetime.timedelta(weeks=UPCOMING)
        day = end - datetime.timedelta(weeks=per_child - 1, days=rng.randint(0, 6))
        first = datetime.datetime.combine(day, datetime.time(hour), practice.tz)
        series = SessionSeries(child=child, clinician=context.primary, first_start=first)
        series.weeks = per_child
        series_rows.append(series)
        plans.append((context, first))
    series_rows = bulk(SessionSeries, series_rows)
    logs, attendees = [], []
    for series, (context, first) in zip(series_rows, plans, strict=True):
        for week in range(per_child):
            start = first + datetime.timedelta(weeks=week)
            logs.append(_session(rng, now, series, context, start))
            attendees.append(context.full_guardians)
    logs = bulk(SessionLog, logs)
    through = SessionLog.guardians_attended.through
    links, addenda = [], []
    for log, guardians in zip(logs, attendees, strict=True):
        if log.status == SessionLog.Status.ATTENDED and guardians and rng.random() < 0.6:
            links.append(through(sessionlog_id=log.pk, user_id=rng.choice(guardians).pk))
        if log.signed_at and rng.random() < 0.01:
            corrects = log.summary_shared and rng.random() < 0.5
            addenda.append(
                Addendum(
                    session=log,
                    author_id=log.clinician_id,
                    text="Correction: the home practice is twice a day, not once."
                    if corrects
                    else "Late entry: the family phoned afterwards to say it went well at home.",
                    corrects_shared_summary=corrects,
                )
            )
    bulk(through, links)
    bulk(Addendum, addenda)
    return len(series_rows), len(logs), len(addenda)


def _session(rng, now, series, context, start) -> SessionLog:
    child, clinician = context.child, context.primary
    log = SessionLog(
        child=child,
        clinician=clinician,
        series=series,
        scheduled_start=start,
        planned_minutes=rng.choice([30, 45, 50, 50, 60]),
        modality=rng.choices(list(Modality), [70, 20, 5, 5])[0],
    )
    recent = now - start < datetime.timedelta(days=14)
    if start >= now or (recent and rng.random() < 0.15):
        return log  # still scheduled: upcoming, or waiting to be logged
    log.status = rng.choices(*zip(*STATUSES, strict=True))[0]
    log.signed_at = min(now, start + datetime.timedelta(hours=rng.randint(2, 48)))
    log.signed_by = clinician
    if log.status != SessionLog.Status.ATTENDED:
        log.child_attended = False
        log.cancellation_note = "Unwell" if log.status != SessionLog.Status.NO_SHOW else ""
        return log
    log.duration_minutes = log.planned_minutes - rng.choice([0, 0, 0, 5, 10])
    log.guardian_participation = rng.randint(1, 5) if context.full_guardians else None
    log.stage = child.stage
    log.activities = rng.sample([a.value for a in Activity], rng.randint(1, 3))
    log.private_note = rng.choice(NOTES)
    log.shared_summary = rng.choice(SUMMARIES)
    log.summary_shared = rng.random() < 0.9
    log.next_steps = "Keep practising the strategy once a day."
    return log
