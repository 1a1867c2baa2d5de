"""Safety concerns: the care team records a risk; the family's statement reaches every guardian
with any access at once, except those not to be told; the clinical record never leaves the care
team; each guardian told is one disclosure in the audit."""

import uuid
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from practice.models import AuditEvent, Guardianship, OutgoingEmail, SafetyConcern
from practice.safety.services import safety_concern_record
from tests.factories import GuardianshipFactory, ParentFactory

CLINICAL = "Disclosed bruising from a belt at home; strategy meeting booked with social care."
STATEMENT = "Mia told us something that worries us about her safety. Please call us today."
REASON_NOT_TOLD = "Alleged source of harm."


@pytest.fixture
def family(cast):
    """Beside the cast's full-access parent and barred father: a limited-access grandmother and
    a stepfather who is not to be told."""
    grandmother = ParentFactory(full_name="Gran Rowe", email="gran@test.example")
    GuardianshipFactory(
        child=cast.child,
        guardian=grandmother,
        relationship="grandparent",
        access="limited",
        access_reason="School runs only",
    )
    stepfather = ParentFactory(full_name="Steve Rowe", email="steve@test.example")
    GuardianshipFactory(child=cast.child, guardian=stepfather, relationship="step_parent")
    return grandmother, stepfather


def record(cast, family, **overrides):
    _, stepfather = family
    fields = {
        "child": cast.child,
        "recorded_by": cast.clinician,
        "kind": SafetyConcern.Kind.ABUSE_DISCLOSED,
        "clinical_record": CLINICAL,
        "family_statement": STATEMENT,
        "not_to_be_told": [stepfather],
        "not_told_reason": REASON_NOT_TOLD,
        **overrides,
    }
    return safety_concern_record(**fields)


def portal_pages(client, user, child):
    client.force_login(user)
    return [
        client.get(reverse("portal_home")).content.decode(),
        client.get(reverse("portal_child", args=[child.pk])).content.decode(),
    ]


def test_full_and_limited_guardians_see_the_statement_on_both_portal_pages(client, cast, family):
    grandmother, _ = family
    record(cast, family)
    for guardian in (cast.parent, grandmother):
        for page in portal_pages(client, guardian, cast.child):
            assert STATEMENT in page
            assert CLINICAL not in page and REASON_NOT_TOLD not in page


@pytest.mark.parametrize("level", ["progress", "safety_only"])
def test_every_sharing_level_shows_the_statement(client, cast, family, level):
    cast.child.confidentiality_agreements.all().delete()
    from tests.factories import AgreementFactory

    AgreementFactory(child=cast.child, sharing_level=level, version=9)
    record(cast, family)
    assert all(STATEMENT in page for page in portal_pages(client, cast.parent, cast.child))


def test_a_guardian_not_to_be_told_never_sees_the_statement(client, cast, family):
    _, stepfather = family
    record(cast, family)
    for page in portal_pages(client, stepfather, cast.child):
        assert STATEMENT not in page and CLINICAL not in page


def test_access_none_and_another_family_see_nothing(client, cast, family):
    record(cast, family)
    client.force_login(cast.barred)
    assert STATEMENT not in client.get(reverse("portal_home")).content.decode()
    assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 404
    client.force_login(cast.other_parent)
    assert STATEMENT not in client.get(reverse("portal_home")).content.decode()
    assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 404
    page = client.get(reverse("portal_child", args=[cast.other_child.pk])).content.decode()
    assert STATEMENT not in page


def test_one_disclosure_per_guardian_told_and_no_clinical_text_in_the_audit(cast, family):
    grandmother, stepfather = family
    concern = record(cast, family)
    disclosures = AuditEvent.objects.filter(action="safety.disclose", target_id=str(concern.pk))
    told = {event.details["guardian"] for event in disclosures}
    assert told == {cast.parent.pk, grandmother.pk}  # not the stepfather, not the barred father
    for event in AuditEvent.objects.filter(child=cast.child):
        text = f"{event.reason} {event.details}"
        assert CLINICAL not in text and STATEMENT not in text and REASON_NOT_TOLD not in text


def test_the_care_team_records_a_concern_from_the_child_page(client, cast, family):
    _, stepfather = family
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert reverse("safety_concern_add", args=[cast.child.pk]) in page
    form = client.get(reverse("safety_concern_add", args=[cast.child.pk])).content.decode()
    assert "Steve Rowe" in form and "Nick Rowe" not in form  # access none is never told anyway
    response = client.post(
        reverse("safety_concern_add", args=[cast.child.pk]),
        {
            "kind": "abuse_disclosed",
            "clinical_record": CLINICAL,
            "family_statement": STATEMENT,
            "not_to_be_told": [stepfather.pk],
            "not_told_reason": REASON_NOT_TOLD,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "2 guardians can now read" in page
    assert CLINICAL in page and "Steve Rowe" in page  # the care team's Safety card


def test_bad_input_gets_a_clear_error_and_keeps_what_was_typed(client, cast, family):
    _, stepfather = family
    client.force_login(cast.clinician)
    response = client.post(
        reverse("safety_concern_add", args=[cast.child.pk]),
        {
            "kind": "self_harm",
            "clinical_record": CLINICAL,
            "family_statement": "",
            "not_to_be_told": [stepfather.pk],
            "not_told_reason": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert "Say why these guardians are not to be told." in page
    assert CLINICAL in page  # what was typed is still there
    assert not SafetyConcern.objects.exists()


def test_the_statement_must_be_written_apart_from_the_clinical_record(client, cast, family):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("safety_concern_add", args=[cast.child.pk]),
        {"kind": "other", "clinical_record": CLINICAL, "family_statement": CLINICAL},
    )
    assert "apart from the clinical record" in response.content.decode()
    assert not SafetyConcern.objects.exists()


def test_only_the_care_team_records_a_concern(client, cast, family):
    for user in (cast.outsider, cast.admin, cast.parent):
        client.force_login(user)
        url = reverse("safety_concern_add", args=[cast.child.pk])
        assert client.get(url).status_code == 404
    with pytest.raises(PermissionDenied):  # issue 12: the policy refuses, the page says 403
        record(cast, family, recorded_by=cast.outsider)


def test_a_guardian_of_another_child_cannot_be_listed(cast, family):
    with pytest.raises(ValidationError):
        record(cast, family, not_to_be_told=[cast.other_parent])


def test_the_office_sees_no_safety_card_and_no_clinical_text(client, cast, family):
    record(cast, family)
    client.force_login(cast.admin)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert CLINICAL not in page and STATEMENT not in page


def test_the_django_admin_never_shows_the_clinical_record_or_the_statement(client, cast, family):
    concern = record(cast, family)
    cast.admin.is_staff = cast.admin.is_superuser = True
    cast.admin.save()
    client.force_login(cast.admin)
    for url in (
        reverse("admin:practice_safetyconcern_changelist"),
        reverse("admin:practice_safetyconcern_change", args=[concern.pk]),
    ):
        page = client.get(url).content.decode()
        assert CLINICAL not in page and STATEMENT not in page and REASON_NOT_TOLD not in page


def test_a_guardian_whose_access_becomes_none_stops_seeing_it(client, cast, family):
    record(cast, family)
    Guardianship.objects.filter(guardian=cast.parent).update(access="none")
    client.force_login(cast.parent)
    assert STATEMENT not in client.get(reverse("portal_home")).content.decode()


@pytest.mark.parametrize(
    "viewer,url",
    [
        ("clinician", lambda cast: reverse("child_detail", args=[cast.child.pk])),
        ("parent", lambda cast: reverse("portal_home")),
        ("parent", lambda cast: reverse("portal_child", args=[cast.child.pk])),
    ],
    ids=["child page", "portal home", "portal child"],
)
def test_pages_with_concerns_cost_the_same_queries_for_3_or_30(client, cast, family, viewer, url):
    from tests.querycount import count_queries

    counts = []
    for size in (3, 30):
        while SafetyConcern.objects.count() < size:
            record(cast, family)
        counts.append(count_queries(client, getattr(cast, viewer), url(cast))[0])
    assert counts[0] == counts[1], counts


# --- Nothing done twice (issue 12) ------------------------------------------------------------


def test_a_double_clicked_concern_is_recorded_once_with_one_set_of_emails(
    requests_commit, cast, family
):
    client = requests_commit
    client.force_login(cast.clinician)
    url = reverse("safety_concern_add", args=[cast.child.pk])
    shown = client.get(url)
    key = str(shown.context["form"]["once_key"].value())
    assert f'name="once_key" value="{key}"' in shown.content.decode()
    data = {"kind": "other", "clinical_record": CLINICAL, "family_statement": STATEMENT}
    data["once_key"] = key
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    concern = SafetyConcern.objects.get()
    emails = OutgoingEmail.objects.filter(kind="safety_notice")
    assert emails.count() == 3  # Pat, the grandmother, the stepfather: once each
    assert AuditEvent.objects.filter(action="safety.record", target_id=str(concern.pk)).count() == 1


def test_the_form_key_is_new_each_time_the_form_is_shown(client, cast, family):
    client.force_login(cast.clinician)
    url = reverse("safety_concern_add", args=[cast.child.pk])
    keys = {str(client.get(url).context["form"]["once_key"].value()) for _ in range(2)}
    assert len(keys) == 2


def test_two_concerns_with_different_keys_are_two(cast, family):
    record(cast, family, once_key=uuid.uuid4())
    record(cast, family, once_key=uuid.uuid4())
    record(cast, family)  # no key: a seed or a task
    assert SafetyConcern.objects.count() == 3


def test_a_concern_that_loses_the_race_returns_the_first_and_tells_no_one_twice(cast, family):
    # Two requests with the same key at once: the other one commits between this one's check
    # and its insert. The check is made to miss it (as it would have, a moment earlier); the
    # unique key stops the insert, and this request's concern, audit and emails roll back.
    key = uuid.uuid4()
    first = record(cast, family, once_key=key)
    emails = OutgoingEmail.objects.count()
    manager = SafetyConcern._default_manager
    checks = []

    def check_made_before_the_other_commit(*args, **kwargs):
        checks.append(kwargs)
        found = type(manager).filter(manager, *args, **kwargs)
        return found.none() if len(checks) == 1 else found

    with mock.patch.object(manager, "filter", check_made_before_the_other_commit):
        concern = record(cast, family, once_key=key)
    assert concern.pk == first.pk and SafetyConcern.objects.count() == 1
    assert OutgoingEmail.objects.count() == emails
    assert AuditEvent.objects.filter(action="safety.record").count() == 1
