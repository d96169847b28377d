"""Reads of the AMI shared by the admin and the staff pages."""

from collections.abc import Iterable

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from territories.models import Commune, Territory
from territories.permissions import User, scope_by_region
from territories.selectors import (
    Area,
    TerritoryOverview,
    area_of,
    region_identity,
    territory_overview,
)

from . import hooks
from .models import Actor, Submission


def readable_submissions(user: User) -> QuerySet[Submission]:
    """The answers ``user`` may read: those of their region's campaigns (every region for
    the national level). The one place the staff pages scope answers by region."""
    return scope_by_region(Submission.objects.all(), user, "campaign__region")


def submission_area(submission: Submission) -> Area:
    """The communes of the envisaged territory and of the actors' places of practice."""
    commune_ids = set(
        submission.actors.exclude(practice_commune=None).values_list("practice_commune", flat=True)
    )
    if submission.territory_id:
        commune_ids |= set(submission.territory.communes.values_list("pk", flat=True))
    return area_of(commune_ids)


def same_territory_submissions(submission: Submission) -> QuerySet[Submission]:
    """Other answers whose territory or actors share a commune or an EPCI with this one.

    The AMI's purpose is to « mettre en relation des acteurs d’un même territoire ».
    """
    area = submission_area(submission)
    if not area:
        return Submission.objects.none()
    # EXISTS rather than joins and DISTINCT: at 10,000 answers the DISTINCT over both joins
    # took 1.5 s per query on PostgreSQL. The area's communes in a subquery of their own, not
    # a join from each row to its commune's EPCI: 30 ms less at 10,000 answers.
    in_area = Commune.objects.filter(Q(pk__in=area.commune_ids) | Q(epci__in=area.epci_ids)).values(
        "pk"
    )
    communes = Territory.communes.through.objects.filter(territory=OuterRef("territory_id"))
    actors = Actor.objects.filter(submission=OuterRef("pk"))
    return (
        Submission.objects.filter(
            Exists(communes.filter(commune__in=in_area))
            | Exists(actors.filter(practice_commune__in=in_area))
        )
        .exclude(pk=submission.pk)
        .select_related("campaign")
        .order_by("-submitted_at")
    )


def same_territory_projects(submission: Submission) -> Iterable[Model]:
    """CPTS projects whose territory shares a commune or an EPCI with this answer's.

    The projects app answers through ``ami.hooks.projects_in_area`` (the AMI is below it).
    """
    return hooks.projects_in_area(submission_area(submission))


def public_territory_summary(submission: Submission) -> TerritoryOverview | None:
    """The territory as the référents built it; no other answer's territory is named."""
    return territory_overview(
        submission.territory, region=submission.campaign.region.name, with_overlaps=False
    )


def referent_page_context(submission: Submission) -> dict:
    """What the référents' follow-up page shows, whether fresh or sent back with errors."""
    return {
        "submission": submission,
        "region_identity": region_identity(submission.campaign.region),
        "events": submission.events.visible_to_referent().select_related("author"),
        "territory_summary": public_territory_summary(submission),
    }
