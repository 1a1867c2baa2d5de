"""No goal edit is silently lost: two people saving the same goal from forms opened at the same
version. The second gets a clear conflict showing what differs (saved now, and theirs), their
own text stays in the form, and nothing is overwritten; having compared, they may save again.
On PostgreSQL, two saves at the same moment in two connections: one wins, one conflicts."""

import threading

import pytest
from concurrency.exceptions import RecordModifiedError
from django.db import connection, connections, transaction
from django.urls import reverse

from goals import services
from goals.models import Goal, GoalChange
from tests.conftest import need
from tests.factories import CareTeamMembershipFactory, ClinicianFactory


def colleague_on_the_team(cast):
    colleague = ClinicianFactory(full_name="Cora Lane")
    CareTeamMembershipFactory(child=cast.child, clinician=colleague)
    return colleague


def opened_form(client, user, goal) -> dict:
    """What the edit page shows this user: its fields' values, the hidden version included."""
    client.force_login(user)
    response = client.get(reverse("goal_edit", args=[goal.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {name: ("" if value is None else value) for name, value in data.items()}


def save(client, user, goal, data):
    client.force_login(user)
    return client.post(reverse("goal_edit", args=[goal.pk]), data)


def test_the_second_of_two_stale_forms_gets_the_conflict_and_nothing_is_overwritten(
    client, cast, make_goal
):
    # Given a goal, and two clinicians of the care team who open its edit form at one version
    goal = make_goal()
    colleague = colleague_on_the_team(cast)
    alice = opened_form(client, cast.clinician, goal)
    cora = opened_form(client, colleague, goal)
    assert alice["version"] == cora["version"] == goal.version
    # When Alice saves a new title and level 0
    alice.update(title="Ask for help in words", level_0="Asks every morning")
    assert save(client, cast.clinician, goal, alice).status_code == 302
    # And Cora, from her older form, saves her own level 0 and baseline
    cora.update(level_0="Asks at school too", baseline="Points, no words")
    response = save(client, colleague, goal, cora)
    # Then Cora is told, clearly, and shown what differs: saved now against hers
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this goal after you opened it" in page
    assert "Last saved by Alice Carter" in page
    differences = {d.name: (d.saved, d.yours) for d in response.context["conflict"].differences}
    assert differences == {
        "title": ("Ask for help in words", "Ask for help with words"),
        "level_0": ("Asks every morning", "Asks at school too"),
        "baseline": ("", "Points, no words"),
    }
    # And her own text is kept in the form
    form = response.context["form"]
    assert form["level_0"].value() == "Asks at school too"
    assert form["baseline"].value() == "Points, no words"
    assert "Asks at school too" in page
    # And nothing of Alice's was overwritten
    goal.refresh_from_db()
    assert (goal.title, goal.level_0, goal.baseline) == (
        "Ask for help in words",
        "Asks every morning",
        "",
    )
    assert GoalChange.objects.filter(goal=goal, summary="Edited").count() == 1
    # When Cora, having compared, saves again from the form she was shown
    again = {name: form[name].value() for name in form.fields}
    again = {name: ("" if value is None else value) for name, value in again.items()}
    assert again["version"] == goal.version
    assert save(client, colleague, goal, again).status_code == 302
    # Then hers is saved, knowingly, and both edits are in the history
    goal.refresh_from_db()
    assert goal.level_0 == "Asks at school too" and goal.baseline == "Points, no words"
    assert GoalChange.objects.filter(goal=goal, summary="Edited").count() == 2


def test_an_edit_form_without_its_version_is_refused_with_a_clear_message(client, cast, make_goal):
    goal = make_goal()
    data = opened_form(client, cast.clinician, goal)
    del data["version"]
    data["title"] = "Changed without a version"
    response = save(client, cast.clinician, goal, data)
    assert response.status_code == 200
    assert "This form is out of date" in response.content.decode()
    goal.refresh_from_db()
    assert goal.title == "Ask for help with words"


def test_a_stale_goal_saved_anywhere_is_refused_by_the_model(cast, make_goal):
    # The version is checked by the save itself (django-concurrency's conditional UPDATE), so
    # a path that skipped the service could not overwrite a newer save either.
    goal = make_goal()
    stale = Goal.objects.get(pk=goal.pk)
    services.goal_update(goal=goal, clinician=cast.clinician, title="Newer")
    stale.title = "Older"
    with pytest.raises(RecordModifiedError), transaction.atomic():
        stale.save()
    assert Goal.objects.get(pk=goal.pk).title == "Newer"


def test_the_service_refuses_an_edit_made_at_an_older_version(cast, make_goal):
    goal = make_goal()
    opened_at = goal.version
    services.goal_update(goal=goal, clinician=cast.clinician, version=opened_at, title="First")
    with pytest.raises(services.GoalEditConflict) as conflict:
        services.goal_update(goal=goal, clinician=cast.clinician, version=opened_at, title="Late")
    assert [d.name for d in conflict.value.differences] == ["title"]
    assert Goal.objects.get(pk=goal.pk).title == "First"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_one_wins_the_other_conflicts(cast, make_goal):
    need(connection.vendor == "postgresql", "two connections saving at once need PostgreSQL")
    # Given a goal and two clinicians whose forms were opened at the same version
    goal = make_goal()
    colleague = colleague_on_the_team(cast)
    opened_at = goal.version
    edits = {cast.clinician: "Level 0 by Alice", colleague: "Level 0 by Cora"}
    outcome: dict = {}
    start = threading.Barrier(2)

    def run(user, text):
        try:
            start.wait()
            services.goal_update(
                goal=Goal(pk=goal.pk), clinician=user, version=opened_at, level_0=text
            )
            outcome[user.pk] = "saved"
        except services.GoalEditConflict as conflict:
            outcome[user.pk] = conflict
        finally:
            connections.close_all()

    # When both save at once, in two connections
    threads = [threading.Thread(target=run, args=item) for item in edits.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one saved and the other got the conflict, showing the winner's text against theirs
    saved = [pk for pk, result in outcome.items() if result == "saved"]
    conflicts = [result for result in outcome.values() if result != "saved"]
    assert len(saved) == 1 and len(conflicts) == 1
    winner = next(user for user in edits if user.pk == saved[0])
    loser_text = next(text for user, text in edits.items() if user.pk != saved[0])
    [difference] = conflicts[0].differences
    assert (difference.saved, difference.yours) == (edits[winner], loser_text)
    # And nothing was lost: the saved goal is the winner's, at a new version, edited once
    goal.refresh_from_db()
    assert goal.level_0 == edits[winner] and goal.version != opened_at
    assert GoalChange.objects.filter(goal=goal, summary="Edited").count() == 1
