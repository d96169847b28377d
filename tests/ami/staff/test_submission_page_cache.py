"""The answer page keeps « Acteurs du même territoire » and its blank action forms between
requests (``views.kept_form_keys``, ``selectors.related_submissions``): any change they
show is there at the next request; a form sent back with its errors is never taken from
the cache."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ami.models import AccessLog, Submission
from ami.staff import services
from cpts_portal.roles import Role
from tests.factories import (
    ActorFactory,
    CampaignFactory,
    CommuneFactory,
    RegionFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Status = Submission.Status


def url_of(submission: Submission) -> str:
    return reverse("staff:submission", args=[submission.pk])


def html(client, submission: Submission) -> str:
    response = client.get(url_of(submission))
    assert response.status_code == 200
    return response.content.decode()


def block(page: str) -> str:
    """« Acteurs du même territoire »."""
    return page[page.index('id="meme-territoire"') : page.index('id="echanges"')]


def orient(page: str) -> str:
    return page[page.index('id="orientation-titre"') : page.index("Enregistrer l’orientation")]


def assign(page: str) -> str:
    return page[page.index('id="attribution-titre"') : page.index("Attribuer à cet agent")]


@pytest.fixture
def douarnenez(db):
    return CommuneFactory(insee_code="29046", name="Douarnenez")


@pytest.fixture
def answer(douarnenez):
    return SubmissionFactory(
        status=Status.IN_REVIEW, territory=TerritoryFactory(communes=[douarnenez])
    )


def test_a_new_neighbour_shows_in_the_block_and_the_orientation_form_at_once(
    as_user, owner, answer, douarnenez
):
    client = as_user(owner)
    page = html(client, answer)
    assert "Aucune autre réponse sur ces communes" in block(page)

    neighbour = SubmissionFactory(territory=TerritoryFactory(communes=[douarnenez]))

    page = html(client, answer)
    assert neighbour.reference in block(page)
    assert f'value="{neighbour.pk}"' in orient(page)


def test_a_neighbours_new_status_and_actor_show_at_once(as_user, owner, answer, douarnenez):
    neighbour = SubmissionFactory(territory=TerritoryFactory(communes=[douarnenez]))
    neighbour.actors.all().delete()
    ActorFactory(submission=neighbour, name="Dr Anne Riou", practice_place="Douarnenez")
    client = as_user(owner)
    assert "Reçue" in block(html(client, answer))

    services.change_status(neighbour, Status.IN_REVIEW, by=owner)
    ActorFactory(submission=neighbour, name="Dr Bruno Martin")

    page = html(client, answer)
    assert "Dr Anne Riou, Douarnenez (+1)" in block(page)
    assert "En cours d&#x27;analyse" in block(page)
    assert "Dr Anne Riou (En cours d&#x27;analyse)" in orient(page)


def test_a_neighbour_moved_away_leaves_at_once(as_user, owner, answer, douarnenez):
    territory = TerritoryFactory(communes=[douarnenez])
    neighbour = SubmissionFactory(territory=territory)
    client = as_user(owner)
    assert neighbour.reference in block(html(client, answer))

    territory.communes.set([CommuneFactory()])

    assert neighbour.reference not in block(html(client, answer))


def test_the_block_kept_for_a_region_is_not_shown_to_the_national_level(
    as_user, owner, answer, douarnenez
):
    """A territory may cross a regional border: each reader sees the answers of their
    regions only, whoever saw the page first."""
    occitanie = RegionFactory(code="76", name="Occitanie")
    other_region = SubmissionFactory(
        campaign=CampaignFactory(region=occitanie),
        territory=TerritoryFactory(communes=[douarnenez]),
    )
    assert other_region.reference not in block(html(as_user(owner), answer))

    national = UserFactory(roles=[Role.NATIONAL])

    assert other_region.reference in block(html(as_user(national), answer))
    assert other_region.reference not in block(html(as_user(owner), answer))


def test_a_new_agent_and_an_attribution_show_in_the_assign_form_at_once(as_user, owner, answer):
    client = as_user(owner)
    assert "Nolwenn Kerhervé" not in assign(html(client, answer))

    colleague = UserFactory(first_name="Nolwenn", last_name="Kerhervé", roles=[Role.ARS])
    page = html(client, answer)
    assert "Nolwenn Kerhervé" in assign(page)
    assert f'value="{colleague.pk}" selected' not in assign(page)

    services.assign(answer, colleague, by=owner)

    assert f'value="{colleague.pk}" selected' in assign(html(client, answer))


def test_a_moved_exchange_shows_in_the_exchange_and_orientation_forms_at_once(
    as_user, owner, answer
):
    client = as_user(owner)
    starts = timezone.localtime() + timedelta(days=10)
    starts = starts.replace(hour=14, minute=0, second=0, microsecond=0)
    services.plan_exchange(
        answer, owner, starts_at=starts, ends_at=starts + timedelta(hours=1), place="Mairie"
    )
    page = html(client, answer)
    assert f'value="{starts:%Y-%m-%d}"' in page
    assert "Maintenir l’échange du" in orient(page)

    later = starts + timedelta(days=7)
    answer.refresh_from_db()
    services.plan_exchange(
        answer, owner, starts_at=later, ends_at=later + timedelta(hours=1), place="Mairie"
    )

    page = html(client, answer)
    assert f'value="{later:%Y-%m-%d}"' in page
    assert f'value="{starts:%Y-%m-%d}"' not in page
    assert f"{later.day} " in orient(page).split("Maintenir l’échange du", 1)[1][:40]


def test_a_form_sent_back_with_errors_is_not_taken_from_the_cache(as_user, owner, answer):
    client = as_user(owner)
    blank = html(client, answer)  # the blank forms kept
    assert "fr-select-group--error" not in blank

    response = client.post(reverse("staff:close", args=[answer.pk]), {"cloture-reason": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert "fr-select-group--error" in page
    assert "fr-select-group--error" not in html(client, answer)


def test_the_access_log_lists_each_visit_newest_first(as_user, owner, answer):
    client = as_user(owner)
    html(client, answer)
    AccessLog.objects.filter(submission=answer).update(details={"via": "admin"})
    page = html(client, answer)
    log = page[
        page.index('id="journal-acces"') : page.index("</table>", page.index("journal-acces"))
    ]
    cells = re.findall(r"<td>(Consultation[^<]*)</td>", log)
    assert cells == [
        "Consultation de la réponse",
        "Consultation de la réponse — dans l’administration",
    ]
    stamps = re.findall(r'<time datetime="([^"]+)">', log)
    assert stamps == sorted(stamps, reverse=True) and len(stamps) == 2


def territory_block(page: str) -> str:
    return page[page.index('id="territoire"') : page.index('id="meme-territoire"')]


def test_a_commune_added_to_the_territory_and_an_overlap_show_at_once(
    as_user, owner, answer, douarnenez
):
    client = as_user(owner)
    assert "Tréboul-sur-Mer" not in territory_block(html(client, answer))

    answer.territory.communes.add(CommuneFactory(name="Tréboul-sur-Mer"))
    page = html(client, answer)
    assert "Tréboul-sur-Mer" in territory_block(page)
    assert "Projet voisin de Douarnenez" not in territory_block(page)

    TerritoryFactory(name="Projet voisin de Douarnenez", communes=[douarnenez])

    assert "Projet voisin de Douarnenez" in territory_block(html(client, answer))


def test_a_page_whose_forms_are_kept_builds_none_of_them(as_user, owner, answer, monkeypatch):
    from ami.staff import views

    built = []
    for name in ("AssignForm", "OrientForm", "CloseForm", "ExchangeForm"):
        form_class = getattr(views, name)
        monkeypatch.setattr(
            views, name, lambda *a, _c=form_class, **k: built.append(_c.__name__) or _c(*a, **k)
        )
    client = as_user(owner)
    first = html(client, answer)
    assert sorted(built) == ["AssignForm", "CloseForm", "ExchangeForm", "OrientForm"]
    built.clear()

    again = html(client, answer)

    assert built == []

    def same(part: str) -> str:  # the CSRF tokens, outside the kept markup, differ
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", part)

    assert same(assign(again)) == same(assign(first))
    assert same(orient(again)) == same(orient(first))
