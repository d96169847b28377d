"""``territories.uses``: the apps above say which of their rows use a territory."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from territories import uses
from territories.models import Territory
from tests.factories import CptsProjectFactory, SubmissionFactory, TerritoryFactory


def test_the_answers_and_projects_apps_register_their_providers():
    assert {"answers", "projects"} <= set(uses._providers)


def test_a_second_provider_under_a_name_is_refused():
    def other(ids):
        return {}

    with pytest.raises(ImproperlyConfigured):
        uses.register("projects", other, lambda: Q())


@pytest.mark.django_db
def test_uses_and_used_by(django_assert_num_queries):
    answer_territory = TerritoryFactory()
    project_territory = TerritoryFactory()
    unused = TerritoryFactory()
    submission = SubmissionFactory(territory=answer_territory)
    project = CptsProjectFactory(territory=project_territory)
    ids = [answer_territory.pk, project_territory.pk, unused.pk]
    with django_assert_num_queries(2):
        found = uses.uses_of(ids)
    assert [use.label for use in found[answer_territory.pk]] == [
        str(submission.reference) + " — Avril 2022"
    ]
    assert [use.url for use in found[project_territory.pk]] == [project.get_absolute_url()]
    assert found[unused.pk] == []
    assert list(Territory.objects.filter(uses.used_by("projects"))) == [project_territory]
    assert set(Territory.objects.filter(uses.used_filter())) == {
        answer_territory,
        project_territory,
    }
