"""The audit log in words (issue 15, item 10): each action is a sentence an admin reads, with
who did it and whose record it was, never a code such as `child.view` or `practice.Child #3`."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from practice.auditlog.words import ACTIONS, action_label, audit_sentence
from tests.factories import AuditEventFactory

ROOT = Path(__file__).resolve().parents[2]
CONSTANTS = {"ACTION", "RESET_ACTION"}


def recorded_actions() -> set[str]:
    """Every action the product's code records: `action="..."` keywords and the constants
    passed as `action=`, read from the source (what a new feature adds shows up here)."""
    found = set()
    for folder in ("practice", "goals", "engagement"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.keyword) and node.arg == "action":
                    value = node.value
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.add(value.value)
                    elif isinstance(value, ast.IfExp):
                        found |= {
                            part.value
                            for part in (value.body, value.orelse)
                            if isinstance(part, ast.Constant)
                        }
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                    names = {t.id for t in node.targets if isinstance(t, ast.Name)}
                    if names & CONSTANTS and isinstance(node.value.value, str):
                        found.add(node.value.value)
                # action = "a" if ... else "b" (the two-step sign-in's disable or reset)
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.IfExp)
                    and any(isinstance(t, ast.Name) and t.id == "action" for t in node.targets)
                ):
                    for part in (node.value.body, node.value.orelse):
                        if isinstance(part, ast.Constant):
                            found.add(part.value)
    return found


def test_every_action_the_code_records_has_words():
    recorded = recorded_actions()
    assert {"child.view", "auth.mfa_reset", "password_reset.request"} <= recorded
    assert recorded - set(ACTIONS) == set()


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_sentence_names_the_actor_and_fills_in(action):
    label, sentence = ACTIONS[action]
    assert "%(actor)s" in str(sentence)
    assert str(sentence) % {"actor": "A", "child": "C", "action": action}
    assert "." not in str(label) and "_" not in str(label)


def test_a_view_reads_as_a_sentence_with_both_names(cast):
    event = AuditEventFactory(actor=cast.clinician, action="child.view", child=cast.child)
    assert audit_sentence(event) == "Alice Carter opened Mia Rowe's record"
    assert action_label("child.view") == "Opened a child's record"


def test_an_unknown_action_still_reads_as_a_sentence_with_its_code(cast):
    in_record = AuditEventFactory(actor=cast.clinician, action="thing.new", child=cast.child)
    assert audit_sentence(in_record) == (
        "Alice Carter did something in Mia Rowe's record the log has no words for yet (thing.new)"
    )
    alone = AuditEventFactory(actor=None, action="thing.new", child=None)
    assert audit_sentence(alone) == (
        "Someone not signed in did something the log has no words for yet (thing.new)"
    )
    assert action_label("thing.new") == "thing.new"


def test_the_sentences_are_translated(cast):
    event = AuditEventFactory(actor=cast.clinician, action="child.view", child=cast.child)
    with translation.override("en-GB"):
        assert "opened" in audit_sentence(event)


def test_the_page_shows_sentences_and_labels_not_codes(client, cast):
    AuditEventFactory(actor=cast.clinician, action="child.view", child=cast.child, target_id="3")
    client.force_login(cast.admin)
    page = client.get(reverse("audit_list")).content.decode()
    assert "Alice Carter opened Mia Rowe&#x27;s record" in page
    assert '<option value="child.view">Opened a child&#x27;s record</option>' in page
    assert "<code>child.view</code>" not in page and "practice.Child" not in page
    assert "Alice Carter's events" in page
    assert "Events in Mia Rowe's record" in page


def test_a_target_reads_as_the_kind_of_record(client, cast):
    from practice.auditlog.services import audit

    audit(actor=cast.clinician, action="child.update", target=cast.child, child=cast.child)
    client.force_login(cast.admin)
    page = client.get(reverse("audit_list")).content.decode()
    assert "Alice Carter changed Mia Rowe&#x27;s details" in page
    assert f"practice.Child #{cast.child.pk}" not in page
    assert '<td class="small d-none d-lg-table-cell">Child</td>' in page


def test_break_glass_reads_as_emergency_access_not_a_flag(client, cast):
    AuditEventFactory(
        actor=cast.outsider,
        action="session.view",
        child=cast.child,
        details={"break_glass": True},
    )
    client.force_login(cast.admin)
    page = client.get(reverse("audit_list")).content.decode()
    assert "Bob Stone opened a session with Mia Rowe" in page
    assert "Emergency access" in page and "break_glass: True" not in page
