from django.urls import reverse


def test_each_role_lands_on_its_home(client, cast):
    for user, expected in [
        (cast.clinician, reverse("caseload")),
        (cast.parent, reverse("portal_home")),
        (cast.admin, reverse("practice_settings")),
    ]:
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 302
        assert response.url == expected
        assert client.get(expected).status_code == 200
