"""DESIGN.md's confidentiality table, walked row by row over every parent-facing page.

One record holds an item of every row (and items no parent may ever see); for each sharing
level and each guardian access, the portal pages a guardian can reach are searched for each
text. The exports are walked the same way in test_export.py.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from goals.models import Goal
from goals.services import goal_rate
from practice.models import Child
from tests.family_record import (
    ALWAYS_WITHHELD,
    CORRECTION,
    GOAL,
    HOME_PRACTICE,
    KEEP,
    OWN_NOTE,
    SAFETY_STATEMENT,
    STAGE_NOTE,
    SUMMARY,
    TABLE,
    family_record,
)


def portal_pages(client, cast) -> dict[str, tuple[int, str]]:
    """Every page of the portal that could show something of Mia, with its status."""
    client.force_login(cast.parent)
    urls = {
        "portal home": reverse("portal_home"),
        "portal child": reverse("portal_child", args=[cast.child.pk]),
    }
    for goal in Goal.objects.filter(child=cast.child):
        urls[f"goal {goal.pk}"] = reverse("goal_detail", args=[goal.pk])
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        pages[name] = (response.status_code, response.content.decode())
    return pages


@pytest.mark.parametrize("level, access, record, goals, summaries, discharge", TABLE)
def test_every_portal_page_shows_exactly_what_the_table_allows(
    client, cast, level, access, record, goals, summaries, discharge, set_access
):
    # Given Mia's record with something of every row, seen by Pat at this level and access
    upcoming = family_record(cast)
    set_access(level, access)
    next_time = timezone.localtime(upcoming.scheduled_start, cast.practice.tz)
    rows = {
        "that the child is in therapy, stage, upcoming sessions": (
            record,
            ["Mia Rowe", STAGE_NOTE, next_time.strftime("%H:%M")],
        ),
        "goals, ratings, milestones, home practice": (
            goals,
            [GOAL, OWN_NOTE, "Reached the expected outcome", HOME_PRACTICE],
        ),
        "shared summaries and their corrections": (summaries, [SUMMARY, CORRECTION]),
        "discharge summary": (discharge, [KEEP]),
        "safety statement, own barrier status": (record, [SAFETY_STATEMENT]),
    }
    # When Pat opens every portal page
    pages = portal_pages(client, cast)
    shown = "".join(text for status, text in pages.values() if status == 200)
    # Then each row shows exactly when the table allows it
    for row, (allowed, texts) in rows.items():
        for text in texts:
            assert (text in shown) is allowed, f"{row}: {text}"
    # And what no guardian may ever see is nowhere
    for text in ALWAYS_WITHHELD:
        assert text not in shown, text
    # And pages of a child the guardian may not see are 404, never an empty page
    assert pages["portal child"][0] == (200 if record else 404)
    for name, (status, _) in pages.items():
        if name.startswith("goal "):
            goal = Goal.objects.get(pk=int(name.split()[1]))
            expected = 200 if goals and not goal.private_to_child else 404
            assert status == expected, name


@pytest.mark.parametrize("level, access, record, goals, summaries, discharge", TABLE)
def test_counts_and_scores_are_computed_only_over_what_the_guardian_sees(
    client, cast, level, access, record, goals, summaries, discharge, set_access
):
    # Given a shared goal rated 0 and a child-private goal rated +2 by the clinician
    family_record(cast)
    private = Goal.objects.get(child=cast.child, private_to_child=True)
    today = cast.practice.today()
    Child.objects.filter(pk=cast.child.pk).update(discharged_on=None)  # rating needs an open record
    goal_rate(
        goal=private, rated_by=cast.clinician, level=2, rated_on=today, source="review", today=today
    )
    set_access(level, access)
    # When Pat opens the portal
    client.force_login(cast.parent)
    response = client.get(reverse("portal_child", args=[cast.child.pk]))
    if not goals:
        assert "Progress score" not in response.content.decode()
        return
    # Then the clinician's score is 50: the shared goal alone, at its expected outcome
    page = response.content.decode()
    score = re.search(r"Progress score \(clinician\).*?>\s*(—|\d+)\s*<", page, re.S).group(1)
    assert score == "50"
