"""``cpts_portal.fragments``: versions bumped on change, again at commit; queryset keys."""

import re

import pytest

from ami.models import STATISTICS_VERSION, Submission
from cpts_portal.fragments import queryset_key, versions
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


def test_a_change_bumps_at_once_and_again_when_its_transaction_commits(
    django_capture_on_commit_callbacks,
):
    before = versions(STATISTICS_VERSION)
    with django_capture_on_commit_callbacks(execute=True):
        SubmissionFactory()
        # What a concurrent request reads before the commit: it may cache old rows under it.
        during = versions(STATISTICS_VERSION)
        assert during != before
    assert versions(STATISTICS_VERSION) not in {before, during}


def test_queryset_keys_differ_by_filter_and_parameter():
    everything = Submission.objects.all()
    received = everything.filter(status="received")
    assert queryset_key(everything) == queryset_key(Submission.objects.all())
    assert queryset_key(received) != queryset_key(everything)
    assert queryset_key(received) != queryset_key(everything.filter(status="closed"))
    assert queryset_key(everything.none()) == queryset_key(Submission.objects.none())


def test_the_commit_bump_is_registered_once_per_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        SubmissionFactory()  # a submission, its actor and référent, their campaign
        SubmissionFactory()
    bumps = [c for c in callbacks if getattr(c, "bumps", None) == STATISTICS_VERSION]
    assert len(bumps) == 1


def test_a_change_after_a_rolled_back_savepoint_is_bumped_at_commit(
    django_capture_on_commit_callbacks,
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                SubmissionFactory()  # registers the commit bump inside the savepoint...
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        SubmissionFactory()  # ...dropped with it: this change registers its own
        during = versions(STATISTICS_VERSION)
    assert versions(STATISTICS_VERSION) != during


# --- Header and footer, cached per language and role set (templates/includes) ---------------


def nav_links(page: str) -> list[str]:
    return re.findall(r'<a class="fr-nav__link" href="([^"]+)"', page)


def test_cached_header_keeps_each_users_name_token_and_menu(client):
    from django.urls import reverse

    from cpts_portal.roles import Role
    from tests.factories import UserFactory

    ars = UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")
    coordinator = UserFactory(roles=[Role.COORDINATOR], first_name="Yann", last_name="Morvan")
    dashboard = reverse("staff:dashboard")
    pages = {}
    for user in (ars, coordinator, None):  # the same fragments cache, one after the other
        client.logout()
        if user is not None:
            client.force_login(user)
        page = client.get("/").content.decode()
        pages[user and user.first_name] = page
        if user is not None:
            assert f"data-identity-name>{user.get_full_name()}</span>" in page
    # The logout form's CSRF token is rendered for each request, never kept.
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', pages[name]).group(1)
        for name in ("Anne", "Yann")
    ]
    assert tokens[0] != tokens[1]
    assert dashboard in nav_links(pages["Anne"])
    assert dashboard not in nav_links(pages["Yann"])
    assert reverse("projects:list") in nav_links(pages["Yann"])
    assert nav_links(pages[None]) == [reverse("ami:home"), reverse("publication:find_commune")]
    assert "Kervella" not in pages["Yann"] + pages[None]
    assert "Espace agents" in pages[None] and "Espace agents" not in pages["Anne"]


def test_cached_menu_marks_the_current_section(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(roles=["ARS"]))
    home = client.get("/").content.decode()
    projects = client.get("/projets/").content.decode()
    assert 'href="/" aria-current="page"' in home
    assert 'href="/projets/" aria-current="page"' in projects
    assert 'href="/" aria-current="page"' not in projects


def test_operator_is_outside_the_cached_header_and_footer(client, settings):
    assert "ARS de test" not in client.get("/").content.decode()
    settings.PORTAL_OPERATOR = "ARS de test"
    page = client.get("/").content.decode()
    assert 'portal-operator">ARS de test</p>' in page
    assert "est opéré par ARS de test" in page


def test_a_failing_cache_is_tried_once_then_owed_bumps_are_made_when_it_answers(monkeypatch):
    """A frozen Redis cost an answer one timeout per saved row (3 s for one answer): after a
    failure the process leaves the cache alone for a while, then makes the bumps it owes."""
    from cpts_portal import fragments

    calls: list[dict] = []

    class Frozen:
        def set_many(self, data, timeout=None):
            calls.append(data)
            raise TimeoutError("frozen")

    monkeypatch.setattr(fragments, "cache", Frozen())
    for _ in range(10):
        fragments.bump("statistics")
        fragments.bump("staff-filters")
    assert len(calls) == 1
    assert fragments.versions("statistics") != fragments.versions("statistics")  # afresh

    made: dict[str, str] = {}

    class Back:
        def set_many(self, data, timeout=None):
            made.update(data)

        def get_many(self, keys):
            return {key: made[key] for key in keys if key in made}

    monkeypatch.setattr(fragments, "cache", Back())
    monkeypatch.setattr(fragments, "_paused_until", 0.0)  # the pause is over
    fragments.versions("statistics")
    assert set(made) == {fragments.PREFIX + "statistics", fragments.PREFIX + "staff-filters"}
