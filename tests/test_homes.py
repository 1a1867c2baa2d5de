"""Each role lands on its own home, through the real views."""

import pytest
from django.urls import reverse

from tests.factories import ClinicianFactory


@pytest.mark.parametrize(
    ("who", "home"),
    [("clinician", "caseload"), ("parent", "portal_home"), ("admin", "practice_settings")],
)
def test_each_role_is_sent_to_its_own_home(client, cast, who, home):
    # Given a signed-in user of this role
    client.force_login(getattr(cast, who))
    # When they open the site's root
    response = client.get("/")
    # Then they are sent to their home, and it loads
    assert response.status_code == 302
    assert response.url == reverse(home)
    assert client.get(response.url).status_code == 200


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("page", ["caseload", "portal_home", "practice_settings", "staff_list"])
def test_anonymous_visitor_on_any_home_is_sent_to_login_with_next(client, db, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse(page)}"


def test_caseload_lists_only_the_clinicians_care_team_children_with_stage(client, cast):
    # Given a clinician whose caseload is Mia, and Zed on another clinician's caseload
    client.force_login(cast.clinician)
    # When they open their caseload
    html = client.get(reverse("caseload")).content.decode()
    # Then Mia is listed with her stage, and Zed is not
    assert "Mia Rowe" in html
    assert "Process" in html
    assert "Zed" not in html


def test_portal_home_lists_the_parents_children(client, cast):
    client.force_login(cast.parent)
    html = client.get(reverse("portal_home")).content.decode()
    assert "Mia Rowe" in html
    assert "Zed" not in html


def test_office_admin_home_shows_the_practice_settings_form(client, cast):
    client.force_login(cast.admin)
    response = client.get(reverse("practice_settings"))
    html = response.content.decode()
    assert 'name="sharing_age_threshold"' in html
    assert reverse("staff_list") in html


def test_clinician_who_runs_the_practice_sees_staff_and_settings_in_the_nav(client, cast):
    # Given a clinician who is also a practice admin
    runner = ClinicianFactory(is_practice_admin=True)
    client.force_login(runner)
    # When they open their home
    response = client.get("/", follow=True)
    html = response.content.decode()
    # Then they land on their caseload, with Staff and Practice settings in the navigation
    assert response.redirect_chain[-1][0] == reverse("caseload")
    assert f'href="{reverse("staff_list")}"' in html
    assert f'href="{reverse("practice_settings")}"' in html


def test_plain_clinician_has_no_staff_or_settings_in_the_nav(client, cast):
    client.force_login(cast.clinician)
    html = client.get(reverse("caseload")).content.decode()
    assert f'href="{reverse("staff_list")}"' not in html
    assert f'href="{reverse("practice_settings")}"' not in html


def test_parent_has_no_staff_pages_in_the_nav(client, cast):
    client.force_login(cast.parent)
    html = client.get(reverse("portal_home")).content.decode()
    assert f'href="{reverse("staff_list")}"' not in html
    assert f'href="{reverse("caseload")}"' not in html
    assert f'href="{reverse("child_add")}"' not in html


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("parent", "caseload"),
        ("admin", "caseload"),
        ("clinician", "portal_home"),
        ("admin", "portal_home"),
        ("clinician", "practice_settings"),
        ("parent", "practice_settings"),
    ],
)
def test_another_roles_home_is_404(client, cast, who, page):
    client.force_login(getattr(cast, who))
    assert client.get(reverse(page)).status_code == 404
