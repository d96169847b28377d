"""factory_boy factories shared by the test suite."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from ami.models import Actor, Campaign, PracticeSetting, Profession, Referent, Submission


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    title = "AMI Communauté professionnelle territoriale de santé (CPTS)"
    slug = factory.Sequence(lambda n: f"ami-test-{n}")
    edition = "Avril 2022"
    region = "Bretagne"
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    summary = "Identifier les acteurs intéressés par une CPTS."
    intro = "CONTEXTE\n\nCréées par la loi de 2016, les CPTS..."
    contact_email = "ars-test@ars.sante.fr"


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    has_reflection = True
    context = "Un groupe de professionnels réfléchit à une CPTS."
    territory_text = "Douarnenez Communauté"
    meeting_wish = "En septembre"
    consent_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def rows(self, create: bool, extracted, **kwargs) -> None:
        if create:
            ActorFactory(submission=self)
            ReferentFactory(submission=self)


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    submission = factory.SubFactory(SubmissionFactory, rows=False)
    name = factory.Sequence(lambda n: f"Dr Acteur {n}")
    profession = Profession.GENERAL_PRACTITIONER
    practice_place = "Douarnenez"
    practice_setting = PracticeSetting.MSP


class ReferentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referent

    submission = factory.SubFactory(SubmissionFactory, rows=False)
    name = factory.Sequence(lambda n: f"Référent {n}")
    function = "Médecin"
    email = factory.Sequence(lambda n: f"referent{n}@example.org")
    phone = "+33298921234"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@ars.sante.fr")
    is_staff = True

    @factory.post_generation
    def roles(self, create: bool, extracted, **kwargs) -> None:
        for role in extracted or ():
            self.groups.add(Group.objects.get(name=role))
