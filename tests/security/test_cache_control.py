"""No shared cache keeps personal data: ``Cache-Control: private, no-store`` (#12, finding 8).

Checked over the permission matrix: every URL that answers 200 to a signed-in role, the
professional's private link, and the pages with personal data shown to anonymous visitors.
Public pages keep the caching their view chose.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from ami.models import Submission
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory
from tests.security.test_permission_matrix import (
    ADMIN_SAMPLES,
    MATRIX,
    OK,
    VISITORS,
    Route,
    admin_params,
    client_for,
    param_value,
    project_routes,
    world,  # noqa: F401 - the fixture
)

pytestmark = pytest.mark.django_db

SIGNED_IN = ("ars", "urps", "am", "coord", "other_coord")


def private_no_store(response) -> bool:
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


def urls_answering_ok(world, visitor: str) -> list[tuple[str, str]]:  # noqa: F811
    routes = {route.name: route for route in project_routes()}
    samples = {name: Route(name, "", params) for name, params in admin_params().items()}
    column = VISITORS.index(visitor)
    urls = []
    for name, expected in (MATRIX | ADMIN_SAMPLES).items():
        if expected[column] != OK:
            continue
        route = routes.get(name) or samples[name]
        kwargs = {param: param_value(name, param, world, visitor) for param in route.params}
        urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


@pytest.mark.parametrize("visitor", [*SIGNED_IN, "link"])
def test_every_page_a_signed_in_role_or_a_private_link_gets_is_private_no_store(
    world,  # noqa: F811
    visitor,
):
    client = client_for(visitor, world)
    urls = urls_answering_ok(world, visitor)
    if visitor == "link":  # the professional: only the private link's pages are theirs
        urls = [(name, url) for name, url in urls if url.startswith("/suivi/")]
        assert len(urls) == 4  # follow, edit, the PDF summary, a file of the answer
    else:
        assert len(urls) >= 8
    cacheable = []
    for name, url in urls:
        response = client.get(url)
        assert response.status_code == OK, f"{name} ({url}): {response.status_code}"
        if not private_no_store(response):
            cacheable.append(f"{name} ({url}): {response.get('Cache-Control')!r}")
    assert cacheable == [], f"As {visitor}, cacheable:\n" + "\n".join(cacheable)


def test_exports_in_every_format_are_private_no_store(world):  # noqa: F811
    client = client_for("ars", world)
    for extension in ("csv", "xlsx", "ods"):
        response = client.get(reverse("staff:export", kwargs={"extension": extension}))
        assert response.status_code == OK, extension
        assert private_no_store(response), (extension, response.get("Cache-Control"))


def test_the_confirmation_shown_after_sending_is_private_no_store(client, settings):
    settings.RATELIMIT_ENABLED = False
    campaign = CampaignFactory()
    response = client.post(reverse("ami:answer", kwargs={"slug": campaign.slug}), answer_data())
    assert response.status_code == 302
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == OK
    assert Submission.objects.get().referents.first().email in confirmation.content.decode()
    assert private_no_store(confirmation)


def test_a_private_link_refused_is_private_no_store_too(world):  # noqa: F811
    response = Client().get(reverse("ami:follow", kwargs={"token": world.forged_token}))
    assert response.status_code == 404
    assert private_no_store(response)


@pytest.mark.parametrize("name", ["ami:home", "privacy", "legal", "accessibility", "robots_txt"])
def test_public_pages_are_left_as_their_view_made_them(client, name):
    response = client.get(reverse(name))
    assert response.status_code == OK
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_public_cache_directive_is_kept_for_anonymous_visitors(client):
    response = client.get(reverse("territories:commune_search"), {"q": "Brest"})
    assert response.status_code == OK
    assert get_max_age(response) == 3600
    assert "public" in response["Cache-Control"]
