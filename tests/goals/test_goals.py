"""Goals set together: GAS levels, proposals, agreement, ratings from every side, T-scores,
milestones, charts, and what a guardian may see of them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from goals import services
from goals.models import Goal, GoalChange, GoalRating, Milestone
from goals.scores import gas_t_score
from goals.selectors import goal_board
from practice.access import policy_for
from practice.emergency.services import break_glass_open
from practice.models import AuditEvent, Practice
from tests.factories import AgreementFactory, GuardianshipFactory, ParentFactory
from tests.goals.conftest import LEVELS

TODAY = datetime.date(2026, 11, 25)


def rate(goal, user, level, day=TODAY, **extra):
    return services.goal_rate(
        goal=goal, rated_by=user, level=level, rated_on=day, source="review", today=TODAY, **extra
    )


# --- The T-score -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "goals, expected_constant",
    [(1, 10.0), (2, 6.20), (3, 4.56), (4, 3.63), (5, 3.02), (6, 2.58)],
)
def test_t_score_matches_the_published_equal_weight_constants(goals, expected_constant):
    """The formula as published by Kiresuk & Sherman (Community Ment Health J 1968;4:443-453)
    and in Turner-Stokes L, Goal attainment scaling (GAS) in rehabilitation: a practical guide,
    Clin Rehabil 2009;23:362-370 (with its erratum): T = 50 + 10*sum(w*x) /
    sqrt(0.7*sum(w^2) + 0.3*(sum w)^2). With n equally weighted goals it reduces to
    T = 50 + C*sum(x), C = 10 / sqrt(0.7n + 0.3n^2): one goal one level up moves T by C."""
    one_up = gas_t_score([(1, 1)] + [(0, 1)] * (goals - 1))
    assert one_up - 50 == pytest.approx(expected_constant, abs=0.01)


def test_t_score_worked_examples():
    # Every goal at the expected outcome scores 50, whatever the weights.
    assert gas_t_score([(0, 1), (0, 3), (0, 2)]) == pytest.approx(50)
    # Three equally weighted goals all at -1: 50 + 4.564 * -3 = 36.31 (Turner-Stokes 2009).
    assert gas_t_score([(-1, 1)] * 3) == pytest.approx(36.31, abs=0.01)
    # Three goals all at -2 (the usual baseline): 50 - 2 * 13.69 = 22.61.
    assert gas_t_score([(-2, 1)] * 3) == pytest.approx(22.61, abs=0.01)
    # Weighted (Kiresuk-Sherman): weights 2 and 1, levels +1 and -1:
    # 50 + 10 * (2 - 1) / sqrt(0.7 * 5 + 0.3 * 9) = 50 + 10 / sqrt(6.2) = 54.02.
    assert gas_t_score([(1, 2), (-1, 1)]) == pytest.approx(54.02, abs=0.01)
    assert gas_t_score([]) is None


# --- Collaboration -------------------------------------------------------------------------


def test_the_whole_flow_set_propose_agree_rate_scores_update(client, cast):
    # A clinician sets a goal with all five levels through the page.
    client.force_login(cast.clinician)
    response = client.post(
        reverse("goal_add", args=[cast.child.pk]),
        {
            "title": "Dress for school",
            "domain": "daily_living",
            "proposed_by": "clinician",
            "baseline_level": -1,
            "weight": 1,
            "agree": "on",
            **LEVELS,
        },
    )
    goal = Goal.objects.get(title="Dress for school")
    assert response.status_code == 302 and goal.status == Goal.Status.ACTIVE
    # A parent proposes one from the portal.
    client.force_login(cast.parent)
    client.post(
        reverse("goal_propose", args=[cast.child.pk]),
        {"title": "Sleep in her own bed", "domain": "sleep", "why_it_matters": "We are tired"},
    )
    proposal = Goal.objects.get(title="Sleep in her own bed")
    assert proposal.status == Goal.Status.PROPOSED and proposal.proposed_by == "parent"
    # The clinician fills in the levels and agrees it.
    client.force_login(cast.clinician)
    services.goal_update(goal=proposal, clinician=cast.clinician, **LEVELS)
    client.post(reverse("goal_agree", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == Goal.Status.ACTIVE and proposal.agreed_by == cast.clinician
    # Both rate it; the chart and both T-scores show it.
    client.post(
        reverse("goal_rate", args=[proposal.pk]),
        {"level": 1, "rated_on": "2026-11-01", "perspective": "clinician"},
    )
    client.force_login(cast.parent)
    client.post(reverse("goal_rate", args=[proposal.pk]), {"level": 2, "rated_on": "2026-11-02"})
    page = client.get(reverse("goal_detail", args=[proposal.pk])).content.decode()
    assert "<svg" in page and "polyline" in page
    assert f"Agreed by {cast.clinician.full_name}" in page
    board = goal_board(policy_for(cast.parent, cast.child), cast.child)
    assert board.clinician_t == pytest.approx(gas_t_score([(1, 1)]))
    assert board.family_t == pytest.approx(gas_t_score([(2, 1)]))
    assert GoalRating.objects.get(goal=proposal, perspective="parent").source == "home"


def test_a_proposal_cannot_activate_itself_and_a_parent_cannot_agree(cast):
    proposal = services.goal_propose(
        child=cast.child, parent=cast.parent, title="Sleep", domain="sleep"
    )
    with pytest.raises(PermissionDenied):
        services.goal_agree(goal=proposal, clinician=cast.parent)
    with pytest.raises(PermissionDenied):
        services.goal_agree(goal=proposal, clinician=cast.outsider)
    with pytest.raises(ValidationError):  # no levels yet
        services.goal_agree(goal=proposal, clinician=cast.clinician)
    proposal.refresh_from_db()
    assert proposal.status == Goal.Status.PROPOSED


def test_parent_posting_to_agree_gets_404_and_nothing_changes(client, cast):
    proposal = services.goal_propose(
        child=cast.child, parent=cast.parent, title="Sleep", domain="sleep", **{}
    )
    client.force_login(cast.parent)
    assert client.post(reverse("goal_agree", args=[proposal.pk])).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == Goal.Status.PROPOSED


def test_every_change_is_kept_in_a_readable_history(client, cast, make_goal):
    goal = make_goal()
    services.goal_update(goal=goal, clinician=cast.clinician, level_0="Asks every morning")
    services.goal_set_status(goal=goal, clinician=cast.clinician, status="achieved")
    summaries = list(GoalChange.objects.filter(goal=goal).values_list("summary", flat=True))
    assert len(summaries) == 3
    change = GoalChange.objects.filter(goal=goal, fields__has_key="level_0").get()
    assert change.fields["level_0"] == [LEVELS["level_0"], "Asks every morning"]
    client.force_login(cast.clinician)
    page = client.get(reverse("goal_detail", args=[goal.pk])).content.decode()
    assert "Asks every morning" in page and "History" in page


def test_comments_are_seen_by_care_team_and_guardians_who_see_the_goal(client, cast, make_goal):
    goal = make_goal()
    services.goal_comment(goal=goal, author=cast.parent, text="She tried it at the shop!")
    client.force_login(cast.clinician)
    assert (
        "She tried it at the shop!"
        in client.get(reverse("goal_detail", args=[goal.pk])).content.decode()
    )
    client.force_login(cast.barred)
    assert client.get(reverse("goal_detail", args=[goal.pk])).status_code == 404


# --- Milestones ----------------------------------------------------------------------------


def test_first_clinician_rating_at_expected_or_achieving_is_a_milestone(client, cast, make_goal):
    goal = make_goal()
    rate(goal, cast.clinician, -1, day=TODAY - datetime.timedelta(days=14))
    rate(goal, cast.parent, 1)  # a parent's view is not a milestone
    assert not Milestone.objects.filter(goal=goal).exists()
    rate(goal, cast.clinician, 0)
    rate(goal, cast.clinician, 1)
    assert Milestone.objects.filter(goal=goal, kind="expected_reached").count() == 1
    services.goal_set_status(goal=goal, clinician=cast.clinician, status="achieved")
    assert Milestone.objects.filter(goal=goal, kind="achieved").exists()
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "Milestones" in page and "Goal achieved" in page
    assert "Goal achieved" in client.get(reverse("portal_home")).content.decode()


# --- Bad input ------------------------------------------------------------------------------


def test_missing_levels_get_a_clear_error_and_keep_what_was_typed(client, cast):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("goal_add", args=[cast.child.pk]),
        {
            "title": "Typed title kept",
            "domain": "social",
            "proposed_by": "clinician",
            "baseline_level": -1,
            "weight": 1,
            "agree": "on",
            "level_0": "Typed level kept",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "all five are needed" in page
    assert "Typed title kept" in page and "Typed level kept" in page
    assert not Goal.objects.filter(title="Typed title kept").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"level": 3, "rated_on": "2026-11-01"}, "Choose a level from −2 to +2."),
        ({"level": -3, "rated_on": "2026-11-01"}, "Choose a level from −2 to +2."),
        ({"level": 1, "rated_on": "2099-01-01"}, "The date cannot be in the future."),
    ],
)
def test_bad_ratings_get_a_clear_error(client, cast, data, message, make_goal):
    goal = make_goal()
    client.force_login(cast.parent)
    response = client.post(reverse("goal_rate", args=[goal.pk]), {**data, "note": "kept note"})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "kept note" in page
    assert not GoalRating.objects.filter(goal=goal).exists()


def test_rating_outside_the_scale_is_refused_by_the_service_too(cast, make_goal):
    goal = make_goal()
    with pytest.raises(ValidationError):
        rate(goal, cast.clinician, 5)


def test_a_goal_of_another_child_cannot_be_rated_or_seen(client, cast):
    other_goal = services.goal_create(
        child=cast.other_child,
        clinician=cast.outsider,
        title="Other family's goal",
        domain="social",
        **LEVELS,
    )
    client.force_login(cast.clinician)
    assert client.get(reverse("goal_detail", args=[other_goal.pk])).status_code == 404
    response = client.post(
        reverse("goal_rate", args=[other_goal.pk]),
        {"level": 1, "rated_on": "2026-11-01", "perspective": "clinician"},
    )
    assert response.status_code == 404
    client.force_login(cast.parent)
    assert client.get(reverse("goal_detail", args=[other_goal.pk])).status_code == 404
    assert not GoalRating.objects.filter(goal=other_goal).exists()


# --- Confidentiality -------------------------------------------------------------------------


SECRET_TITLE = "Tell a friend when I feel low"


def _goal_pages(client, cast):
    urls = [reverse("portal_home"), reverse("portal_child", args=[cast.child.pk])]
    return "".join(client.get(url).content.decode() for url in urls)


@pytest.mark.parametrize(
    "level, access, sees_goals",
    [
        ("full", "full", True),
        ("progress", "full", True),
        ("safety_only", "full", False),
        ("full", "limited", False),
        ("progress", "limited", False),
    ],
)
def test_goals_follow_the_confidentiality_table(client, cast, level, access, sees_goals, make_goal):
    AgreementFactory(child=cast.child, sharing_level=level, version=9, effective_date=TODAY)
    cast.guardianship.access = access
    cast.guardianship.save()
    goal = make_goal(title="Shared goal title")
    rate(goal, cast.clinician, 1)
    client.force_login(cast.parent)
    pages = _goal_pages(client, cast)
    assert ("Shared goal title" in pages) is sees_goals
    assert ("Progress score" in pages) is sees_goals
    detail = client.get(reverse("goal_detail", args=[goal.pk]))
    assert detail.status_code == (200 if sees_goals else 404)


def test_a_child_private_goal_never_reaches_a_guardian(client, cast, make_goal):
    shared = make_goal(title="Shared goal title")
    private = make_goal(title=SECRET_TITLE, private_to_child=True)
    rate(shared, cast.clinician, 0)
    rate(private, cast.clinician, 2)  # would lift the T-score and make a milestone
    client.force_login(cast.parent)
    pages = _goal_pages(client, cast)
    assert SECRET_TITLE not in pages and "Shared goal title" in pages
    assert client.get(reverse("goal_detail", args=[private.pk])).status_code == 404
    board = goal_board(policy_for(cast.parent, cast.child), cast.child)
    assert [view.goal for view in board.goals] == [shared]
    assert board.clinician_t == pytest.approx(50)  # only the shared goal, at 0
    with pytest.raises(PermissionDenied):
        services.goal_comment(goal=private, author=cast.parent, text="hello")
    # The care team sees it.
    client.force_login(cast.clinician)
    assert (
        SECRET_TITLE in client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    )


def test_a_guardian_with_access_none_sees_no_goals_anywhere(client, cast, make_goal):
    goal = make_goal(title="Shared goal title")
    client.force_login(cast.barred)
    assert "Shared goal title" not in client.get(reverse("portal_home")).content.decode()
    assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 404
    assert client.get(reverse("goal_detail", args=[goal.pk])).status_code == 404
    assert (
        client.post(
            reverse("goal_propose", args=[cast.child.pk]),
            {"title": "x", "domain": "sleep", "why_it_matters": "x"},
        ).status_code
        == 404
    )


def test_an_office_admin_sees_no_goal_text(client, cast, make_goal):
    goal = make_goal(title="Shared goal title")
    client.force_login(cast.admin)
    assert (
        "Shared goal title"
        not in client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    )
    assert client.get(reverse("goal_detail", args=[goal.pk])).status_code == 404


def test_another_familys_parent_cannot_propose_for_this_child(client, cast):
    client.force_login(cast.other_parent)
    response = client.get(reverse("goal_propose", args=[cast.child.pk]))
    assert response.status_code == 404


# --- Review and query bounds -------------------------------------------------------------------


def test_goals_past_their_review_date_are_listed_on_the_caseload(client, cast, make_goal):
    make_goal(title="Overdue goal", review_date=datetime.date(2020, 1, 1))
    make_goal(title="Later goal", review_date=datetime.date(2099, 1, 1))
    client.force_login(cast.clinician)
    page = client.get(reverse("caseload")).content.decode()
    assert "Goals due for review" in page and "Overdue goal" in page
    section = page.split("Goals due for review")[1].split("</section>")[0]
    assert "Later goal" not in section


@pytest.fixture
def _goals_with_ratings(make_goal):
    def make(cast, count):
        for number in range(count):
            goal = make_goal(title=f"Goal {number}")
            for week in range(4):
                rate(
                    goal,
                    cast.clinician,
                    week % 3 - 1,
                    day=TODAY - datetime.timedelta(days=7 * week),
                )
                rate(goal, cast.parent, week % 3 - 1, day=TODAY - datetime.timedelta(days=7 * week))
            services.goal_comment(goal=goal, author=cast.parent, text=f"comment {number}")

    return make


@pytest.mark.parametrize("count", [1, 8])
def test_goal_pages_run_a_bounded_number_of_queries(
    client, cast, count, django_assert_max_num_queries, _goals_with_ratings
):
    _goals_with_ratings(cast, count)
    goal = Goal.objects.filter(child=cast.child).first()
    client.force_login(cast.clinician)
    for url in [
        reverse("child_detail", args=[cast.child.pk]),
        reverse("goal_detail", args=[goal.pk]),
    ]:
        # + the engagement agreement and requests to reschedule on the child page (2).
        # + the child's message threads (1).
        with django_assert_max_num_queries(33):
            assert client.get(url).status_code == 200
    client.force_login(cast.parent)
    for url in [
        reverse("portal_child", args=[cast.child.pk]),
        reverse("portal_home"),
        reverse("goal_detail", args=[goal.pk]),
    ]:
        # + the engagement agreement, requests to reschedule and reported barriers (3).
        with django_assert_max_num_queries(33):
            assert client.get(url).status_code == 200


def test_a_second_guardian_of_the_family_sees_goals_but_not_anothers_rating_notes(
    client, cast, make_goal
):
    co_parent = ParentFactory(full_name="Co Parent")
    GuardianshipFactory(child=cast.child, guardian=co_parent, relationship="father")
    goal = make_goal()
    rate(goal, cast.parent, 1, note="Private home note from Pat")
    client.force_login(co_parent)
    page = client.get(reverse("goal_detail", args=[goal.pk])).content.decode()
    assert goal.title in page
    assert "Private home note from Pat" not in page


# --- Review dates, on add and on edit -------------------------------------------------------


def _edit_data(goal, **changes) -> dict:
    data = {
        "title": goal.title,
        "domain": goal.domain,
        "proposed_by": goal.proposed_by,
        "baseline_level": goal.baseline_level,
        "weight": goal.weight,
        "review_date": goal.review_date.isoformat() if goal.review_date else "",
        "version": goal.version,
        **{name: getattr(goal, name) for name in LEVELS},
    }
    return {**data, **changes}


def test_a_review_date_moved_into_the_past_is_refused_on_edit_as_on_add(client, cast, make_goal):
    goal = make_goal(review_date=datetime.date(2099, 1, 1))
    client.force_login(cast.clinician)
    yesterday = Practice.get().today() - datetime.timedelta(days=1)
    add = client.post(
        reverse("goal_add", args=[cast.child.pk]),
        {**_edit_data(goal, title="New one", review_date=yesterday.isoformat()), "agree": "on"},
    )
    assert "Choose a review date from today onwards." in add.content.decode()
    response = client.post(
        reverse("goal_edit", args=[goal.pk]),
        _edit_data(goal, review_date=yesterday.isoformat(), title="Typed title kept"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a review date from today onwards." in page and "Typed title kept" in page
    goal.refresh_from_db()
    assert goal.review_date == datetime.date(2099, 1, 1) and goal.title != "Typed title kept"
    with pytest.raises(ValidationError):
        services.goal_update(goal=goal, clinician=cast.clinician, review_date=yesterday)


def test_an_old_goal_keeping_its_past_review_date_can_still_be_edited(client, cast, make_goal):
    # A goal overdue for review is listed on the caseload; a fix to its wording is not blocked
    goal = make_goal(review_date=datetime.date(2020, 1, 1))
    client.force_login(cast.clinician)
    response = client.post(reverse("goal_edit", args=[goal.pk]), _edit_data(goal, title="Fixed"))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Fixed" and goal.review_date == datetime.date(2020, 1, 1)


# --- The goal page's reads are audited ------------------------------------------------------


def test_opening_a_goal_page_is_audited_and_an_emergency_read_is_marked(client, cast, make_goal):
    goal = make_goal()
    client.force_login(cast.clinician)
    assert client.get(reverse("goal_detail", args=[goal.pk])).status_code == 200
    event = AuditEvent.objects.get(action="goal.view", actor=cast.clinician)
    assert (event.child, event.target_id, event.details) == (cast.child, str(goal.pk), {})
    # Under break-the-glass, the read is marked so
    reason = "Child brought to the emergency department tonight; need the care plan."
    break_glass_open(clinician=cast.outsider, child=cast.child, reason=reason)
    client.force_login(cast.outsider)
    assert client.get(reverse("goal_detail", args=[goal.pk])).status_code == 200
    emergency = AuditEvent.objects.get(action="goal.view", actor=cast.outsider)
    assert emergency.details == {"break_glass": True}


# --- Free text: a stated limit, a clear error, nothing lost ---------------------------------

PASTE = "A whole document pasted in. " * 40_000  # about 1 MB


def test_a_huge_paste_into_a_goal_gets_a_clear_error_and_the_text_is_kept(client, cast, make_goal):
    client.force_login(cast.clinician)
    url = reverse("goal_add", args=[cast.child.pk])
    page = client.get(url).content.decode()
    assert "Up to 2,000 characters." in page
    response = client.post(url, {**_edit_data(make_goal(), title="Kept title"), "baseline": PASTE})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please shorten this to 2000 characters or fewer" in page
    assert response.context["form"]["baseline"].value() == PASTE
    assert "Kept title" in page and not Goal.objects.filter(title="Kept title").exists()


def test_a_huge_comment_or_nul_bytes_get_a_form_error_not_a_500(client, cast, make_goal):
    goal = make_goal()
    client.force_login(cast.parent)
    url = reverse("goal_comment", args=[goal.pk])
    response = client.post(url, {"text": PASTE})
    assert response.status_code == 400
    assert "Please shorten this to 2000 characters" in response.content.decode()
    response = client.post(url, {"text": "Hello\x00there"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    proposal = client.post(
        reverse("goal_propose", args=[cast.child.pk]),
        {"title": "Sleep\x00", "domain": "sleep", "why_it_matters": "Tired"},
    )
    assert proposal.status_code == 200 and "Null characters are not allowed." in (
        proposal.content.decode()
    )
    assert not goal.comments.exists() and Goal.objects.count() == 1
