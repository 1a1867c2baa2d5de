"""The office's list of children (issue 15, item 10): every child's name for practice admins
and office staff, in the menu, paged, with nothing clinical, each linking to what they may
open; nobody else reaches it."""

import pytest
from django.urls import reverse

from tests.factories import ChildFactory, SafetyConcernFactory, SessionLogFactory


def test_the_office_finds_every_child_in_the_menu_with_links_it_may_open(client, cast):
    client.force_login(cast.admin)
    home = client.get(reverse("practice_settings")).content.decode()
    assert f'href="{reverse("children_list")}">Children</a>' in home
    page = client.get(reverse("children_list")).content.decode()
    for child in (cast.child, cast.other_child):
        assert child.display_name in page
        for url in ("child_detail", "child_edit", "audit_child"):
            link = reverse(url, args=[child.pk])
            assert link in page
            # Every link opens for the office (its record view is the office's: no clinical).
            assert client.get(link).status_code == 200


def test_nothing_clinical_is_listed(client, cast):
    SessionLogFactory(child=cast.child, clinician=cast.clinician, days_ago=2)
    SafetyConcernFactory(child=cast.child, recorded_by=cast.clinician)
    client.force_login(cast.admin)
    page = client.get(reverse("children_list")).content.decode()
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    for word in ("stage", "Safety", "Clinical", "Commitment", "Process", "goal", "session"):
        assert word not in main


def test_a_name_search_narrows_the_list(client, cast):
    client.force_login(cast.admin)
    page = client.get(reverse("children_list"), {"q": "mia ro"}).content.decode()
    assert "Mia Rowe" in page and "Zed Other" not in page
    none = client.get(reverse("children_list"), {"q": "Nobody"}).content.decode()
    assert "No child's name matches." in none


def test_the_list_is_paged_by_surname(client, cast):
    for n in range(55):
        ChildFactory(
            first_name=f"Kid{n:02d}", last_name=f"Surname{n:02d}", clinician=cast.clinician
        )
    client.force_login(cast.admin)
    first = client.get(reverse("children_list"))
    names = [child.last_name for child in first.context["page"]]
    assert len(names) == 50 and names == sorted(names)
    html = first.content.decode()
    assert "Page 1 of 2" in html and "Later in the alphabet" in html
    second = client.get(reverse("children_list"), {"page": 2})
    assert len(second.context["page"]) == 7


def test_a_clinician_who_runs_the_practice_reaches_it_from_the_settings_page(client, cast):
    cast.clinician.is_practice_admin = True
    cast.clinician.save()
    client.force_login(cast.clinician)
    settings_page = client.get(reverse("practice_settings")).content.decode()
    assert reverse("children_list") in settings_page
    page = client.get(reverse("children_list")).content.decode()
    assert "Zed Other" in page  # not on Alice's care team: the office view opens it


@pytest.mark.parametrize("who", ["clinician", "outsider", "parent", "barred", "other_parent"])
def test_nobody_else_reaches_it(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("children_list")).status_code in (403, 404)
    menu = client.get(reverse("home"), follow=True).content.decode()
    assert reverse("children_list") not in menu


def test_its_queries_do_not_grow_with_the_children(client, cast, django_assert_max_num_queries):
    client.force_login(cast.admin)
    client.get(reverse("children_list"))
    for size in (3, 60):
        for _ in range(size):
            ChildFactory(clinician=cast.clinician)
        # The practice, the session, the user, two-step, then the count and the page (and the
        # session write of the idle timeout): two queries of its own at any size.
        with django_assert_max_num_queries(9):
            assert client.get(reverse("children_list")).status_code == 200
