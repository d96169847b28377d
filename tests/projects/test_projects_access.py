"""Who sees which page: owner, colleague, outsider (coordinators), staff, anonymous."""

import pytest
from django.urls import reverse

from projects.models import DocumentKind
from projects.services import add_document
from tests.factories import UserFactory

from .helpers import pdf_file

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN, HIDDEN = 200, 302, 403, 404

# url name -> expected status for: anonymous, owner, colleague, outsider, ars, urps, am, nobody
#   (nobody: logged in, without any role).
MATRIX = {
    "list": (LOGIN, OK, OK, OK, OK, OK, OK, OK),
    "create": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "detail": (LOGIN, OK, OK, HIDDEN, OK, OK, OK, HIDDEN),
    "edit": (LOGIN, FORBIDDEN, FORBIDDEN, HIDDEN, OK, FORBIDDEN, FORBIDDEN, HIDDEN),
    "holder": (LOGIN, OK, OK, HIDDEN, OK, FORBIDDEN, FORBIDDEN, HIDDEN),
    "territory": (LOGIN, FORBIDDEN, FORBIDDEN, HIDDEN, OK, FORBIDDEN, FORBIDDEN, HIDDEN),
    "pdf": (LOGIN, OK, OK, HIDDEN, OK, OK, OK, HIDDEN),
    "abandon": (LOGIN, OK, OK, HIDDEN, OK, FORBIDDEN, FORBIDDEN, HIDDEN),
    "letter": (LOGIN, OK, OK, HIDDEN, OK, OK, OK, HIDDEN),
    "urps_opinion": (LOGIN, FORBIDDEN, FORBIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN),
    "am_opinion": (LOGIN, FORBIDDEN, FORBIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN),
    "health_project": (LOGIN, OK, OK, HIDDEN, OK, OK, OK, HIDDEN),
    "contract": (LOGIN, OK, OK, HIDDEN, OK, OK, OK, HIDDEN),
    "milestone": (LOGIN, OK, OK, HIDDEN, OK, FORBIDDEN, FORBIDDEN, HIDDEN),
    "document": (LOGIN, OK, OK, HIDDEN, OK, OK, OK, HIDDEN),
    "override": (LOGIN, FORBIDDEN, FORBIDDEN, HIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN),
}
USERS = ("anonymous", "owner", "colleague", "outsider", "ars", "urps", "am", "nobody")


def url_for(name: str, project, other_project, document) -> str:
    pk = {"pk": project.pk}
    return {
        "list": reverse("projects:list"),
        "create": reverse("projects:create"),
        "detail": reverse("projects:detail", kwargs=pk),
        "edit": reverse("projects:edit", kwargs=pk),
        "holder": reverse("projects:holder", kwargs=pk),
        "territory": reverse("projects:territory", kwargs=pk),
        "pdf": reverse("projects:pdf", kwargs=pk),
        "abandon": reverse("projects:stage_change", kwargs={**pk, "target": "abandonne"}),
        "letter": reverse("projects:letter", kwargs=pk),
        "urps_opinion": reverse("projects:urps_opinion", kwargs=pk),
        "am_opinion": reverse("projects:am_opinion", kwargs=pk),
        "health_project": reverse("projects:health_project", kwargs=pk),
        "contract": reverse("projects:contract", kwargs=pk),
        "milestone": reverse(
            "projects:milestone",
            kwargs={**pk, "milestone_pk": project.milestones.first().pk},
        ),
        "document": document.get_absolute_url(),
        "override": reverse(
            "projects:overlap_override", kwargs={**pk, "other_pk": other_project.pk}
        ),
    }[name]


@pytest.mark.parametrize("view", MATRIX)
def test_every_project_view_for_every_kind_of_visitor(
    client, view, project, other_project, owner, colleague, outsider, ars, urps, am
):
    document = add_document(project, DocumentKind.STATUTES, pdf_file("statuts.pdf"), owner)
    url = url_for(view, project, other_project, document)
    users = {
        "anonymous": None,
        "owner": owner,
        "colleague": colleague,
        "outsider": outsider,
        "ars": ars,
        "urps": urps,
        "am": am,
        "nobody": UserFactory(username="personne", is_staff=False),
    }
    for who, expected in zip(USERS, MATRIX[view], strict=True):
        client.logout()
        if users[who] is not None:
            client.force_login(users[who])
        response = client.get(url)
        assert response.status_code == expected, f"{view} as {who}: {response.status_code}"
        if expected == LOGIN:
            assert response.url.startswith(reverse("login") + "?next=")


def test_coordinators_list_only_their_projects(client, project, other_project, outsider, owner):
    client.force_login(outsider)
    page = client.get(reverse("projects:list")).content.decode()
    assert "CPTS de Brest" in page
    assert "CPTS du Pays de Douarnenez" not in page
    assert "Mes projets de CPTS" in page
    client.force_login(owner)
    page = client.get(reverse("projects:list")).content.decode()
    assert "CPTS du Pays de Douarnenez" in page and "CPTS de Brest" not in page


@pytest.mark.parametrize("who", ["ars", "urps", "am"])
def test_staff_list_every_project_of_the_region_with_its_stage(
    client, project, other_project, who, request
):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("projects:list")).content.decode()
    assert "Projets de CPTS de la région" in page
    assert "CPTS de Brest" in page and "CPTS du Pays de Douarnenez" in page
    assert page.count('fr-badge--no-icon">Avant-projet</p>') == 2


def test_outsider_cannot_post_to_another_projects_pages(client, project, outsider):
    client.force_login(outsider)
    for name in ("letter", "holder", "health_project", "document_upload"):
        url = reverse(f"projects:{name}", kwargs={"pk": project.pk})
        assert client.post(url, {}).status_code == 404, name


def test_the_old_projects_sign_in_link_leads_a_coordinator_in_by_the_portals(
    client, owner, project
):
    owner.set_password("motdepasse-solide-42")
    owner.save()
    next_page = "?next=" + project.get_absolute_url()
    response = client.get(reverse("projects:login") + next_page)
    assert response.status_code == 301
    assert response.url == reverse("login") + next_page
    response = client.post(response.url, {"username": "alice", "password": "motdepasse-solide-42"})
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
