"""A project is published only with its coordinator's consent and the ARS's validation."""

import pytest
from django.core.exceptions import PermissionDenied

from projects.models import Stage
from publication import services
from publication.models import Publication, PublicationEvent
from publication.selectors import published_projects

from .conftest import CONTACT, make_project

pytestmark = pytest.mark.django_db
Kind = PublicationEvent.Kind


@pytest.fixture
def project(geography, people):
    return make_project("CPTS du Porzay", [geography.douarnenez], coordinators=[people.owner])


def test_consent_alone_does_not_publish(project, people):
    services.give_consent(project, people.owner, CONTACT)
    assert project not in published_projects()


def test_consent_then_validation_publishes_with_who_and_when(project, people):
    services.give_consent(project, people.owner, CONTACT)
    services.validate(project, people.ars)
    publication = Publication.objects.get(project=project)
    assert publication.is_published
    assert publication.consented_by == people.owner and publication.consented_at
    assert publication.validated_by == people.ars and publication.validated_at
    assert list(publication.events.values_list("kind", "author")) == [
        (Kind.CONSENTED, people.owner.pk),
        (Kind.VALIDATED, people.ars.pk),
    ]
    assert project in published_projects()


def test_ars_cannot_validate_without_consent(project, people):
    with pytest.raises(ValueError):
        services.validate(project, people.ars)


@pytest.mark.parametrize("who", ["colleague", "outsider", "urps", "am"])
def test_only_the_coordinator_of_the_project_consents(project, people, who):
    with pytest.raises(PermissionDenied):
        services.give_consent(project, getattr(people, who), CONTACT)


@pytest.mark.parametrize("who", ["owner", "colleague", "urps", "am"])
def test_only_the_ars_validates(project, people, who):
    services.give_consent(project, people.owner, CONTACT)
    with pytest.raises(PermissionDenied):
        services.validate(project, getattr(people, who))


def test_a_changed_consent_must_be_validated_again(project, people):
    services.give_consent(project, people.owner, CONTACT)
    services.validate(project, people.ars)
    services.give_consent(
        project, people.owner, services.PublicContact(name="Autre", email="autre@example.org")
    )
    assert project not in published_projects()


def test_withdrawn_consent_unpublishes_at_once(project, people):
    services.give_consent(project, people.owner, CONTACT)
    services.validate(project, people.ars)
    services.withdraw_consent(project, people.owner)
    assert project not in published_projects()
    assert Publication.objects.get(project=project).events.last().kind == Kind.CONSENT_WITHDRAWN


def test_ars_withdraws_a_publication(project, people):
    services.give_consent(project, people.owner, CONTACT)
    services.validate(project, people.ars)
    services.withdraw_validation(project, people.ars, comment="Contact erroné")
    assert project not in published_projects()


def test_an_abandoned_project_is_not_published(project, people):
    services.give_consent(project, people.owner, CONTACT)
    services.validate(project, people.ars)
    type(project).objects.filter(pk=project.pk).update(stage=Stage.ABANDONED)
    assert project not in published_projects()


def test_api_token_is_stored_hashed_and_revocable(people):
    token, key = services.create_api_token(
        "SI de l’ARS", institution=people.ars.staff_membership.institution
    )
    assert key not in token.key_hash and len(key) >= 40
    assert token.prefix == key[:8]
    services.revoke_api_token(token)
    assert not token.is_active
