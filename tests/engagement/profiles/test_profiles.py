"""A parent keeps their profile ("About you") in the portal; the care team sees it beside the
family on the child page; no other guardian ever sees it."""

from django.urls import reverse

from engagement.models import ParentProfile

HOPES = "That bedtimes feel calm again"
KNOWS = "She needs a minute of quiet after school"


def answers(**extra):
    data = {
        "preferred_channel": "phone",
        "language": "Polish",
        "learning_style": "demonstration",
        "availability": "Weekday mornings",
        "do_not_contact": "After 19:00",
        "hopes": HOPES,
        "knows_best": KNOWS,
    }
    data.update(extra)
    return data


def test_parent_edits_about_you_and_it_round_trips(client, cast):
    # Given the portal nav links to "About you"
    client.force_login(cast.parent)
    url = reverse("about_you")
    assert url in client.get(reverse("portal_home")).content.decode()
    assert client.get(url).status_code == 200
    # When the parent saves their answers
    response = client.post(url, answers(), follow=True)
    # Then they are saved and shown back in the form
    profile = ParentProfile.objects.get(parent=cast.parent)
    assert (profile.preferred_channel, profile.language) == ("phone", "Polish")
    assert (profile.hopes, profile.knows_best) == (HOPES, KNOWS)
    page = response.content.decode()
    assert "Saved." in page and HOPES in page and "Weekday mornings" in page
    # And saving again changes the same row
    client.post(url, answers(language="English"))
    assert ParentProfile.objects.get().language == "English"


def test_care_team_sees_the_profile_beside_the_family(client, cast):
    client.force_login(cast.parent)
    client.post(reverse("about_you"), answers())
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "About this parent" in page and HOPES in page and KNOWS in page
    assert "After 19:00" in page and "learns best by being shown" in page


def test_a_co_parent_and_the_office_never_see_it(client, cast, co_parent):
    # Given a co-parent with full access, and the parent's profile
    client.force_login(cast.parent)
    client.post(reverse("about_you"), answers())
    # Then the co-parent's own "About you" and portal pages never show it
    client.force_login(co_parent)
    for url in [
        reverse("about_you"),
        reverse("portal_home"),
        reverse("portal_child", args=[cast.child.pk]),
    ]:
        assert HOPES not in client.get(url).content.decode(), url
    # And the office (minimum necessary) does not see it on the child page
    client.force_login(cast.admin)
    assert HOPES not in client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()


def test_only_parents_have_an_about_you_page(client, cast):
    client.force_login(cast.clinician)
    assert client.get(reverse("about_you")).status_code in (403, 404, 302)
    assert not ParentProfile.objects.exists()
