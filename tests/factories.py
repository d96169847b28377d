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
    region = factory.SubFactory("tests.factories.RegionFactory")
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

    @factory.post_generation
    def region(self, create: bool, extracted, **kwargs) -> None:
        """A partner agent works for their role's institution of ``region`` (Bretagne by
        default); ``UserFactory(roles=[...], region=False)`` leaves them unattached."""
        if not create:
            return
        kind = next(
            (name for name in self.groups.values_list("name", flat=True) if name in STAFF_KINDS),
            None,
        )
        if kind is None or extracted is False:
            return
        attach_to_region(self, extracted or RegionFactory(), kind)


STAFF_KINDS = ("ARS", "URPS", "Assurance Maladie")


def attach_to_region(user, region, kind: str = "ARS"):
    """Make ``user`` an agent of the institution of ``kind`` in ``region``."""
    from territories.models import Institution, StaffMembership

    institution, _created = Institution.objects.get_or_create(
        region=region, name=f"{kind} {region.name}", defaults={"kind": kind}
    )
    StaffMembership.objects.update_or_create(user=user, defaults={"institution": institution})
    user.__dict__.pop("_membership", None)
    return institution


# --- Geography and CPTS projects (projects app) ------------------------------------------


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "territories.Region"
        django_get_or_create = ("code",)

    code = "53"
    name = "Bretagne"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "territories.Departement"
        django_get_or_create = ("code",)

    code = "29"
    name = "Finistère"
    region = factory.SubFactory(RegionFactory)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "territories.Commune"

    # Five characters like a real INSEE code, whatever the number of communes a worker has
    # made (PostgreSQL refuses a sixth; SQLite let "291000" through unseen).
    insee_code = factory.Sequence(lambda n: f"29{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    population = 10_000
    departement = factory.SubFactory(DepartementFactory)


class TerritoryFactory(factory.django.DjangoModelFactory):
    """A territory; ``TerritoryFactory(communes=[...])`` sets its communes."""

    class Meta:
        model = "territories.Territory"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Territoire {n}")
    region = factory.SubFactory(RegionFactory)

    @factory.post_generation
    def communes(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.communes.set(extracted)


class CoordinatorFactory(UserFactory):
    """A project coordinator: in the Coordinateur group, not admin staff."""

    username = factory.Sequence(lambda n: f"coordinateur{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@cpts-exemple.fr")
    is_staff = False

    @factory.post_generation
    def roles(self, create: bool, extracted, **kwargs) -> None:
        for role in ["Coordinateur"] if extracted is None else extracted:
            self.groups.add(Group.objects.get(name=role))


class CptsProjectFactory(factory.django.DjangoModelFactory):
    """A project made by ``projects.services.create_project`` (milestones and parts included).

    ``CptsProjectFactory(coordinators=[owner], territory=t)``; the author is an ARS agent.
    """

    class Meta:
        model = "projects.CptsProject"

    name = factory.Sequence(lambda n: f"CPTS Projet {n}")
    territory = None
    coordinators = ()

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from projects.services import create_project

        by = kwargs.pop("by", None) or UserFactory(roles=["ARS"])
        return create_project(
            kwargs.pop("name"),
            by,
            territory=kwargs.pop("territory", None),
            coordinators=kwargs.pop("coordinators", ()),
            submissions=kwargs.pop("submissions", ()),
        )


# --- Staff workspace (tests/ami/staff) -----------------------------------------------------


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ami.Exchange"

    submission = factory.SubFactory(SubmissionFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda exchange: exchange.starts_at + timedelta(hours=1))
    place = "ARS Bretagne, 6 place des Colombes, Rennes"
