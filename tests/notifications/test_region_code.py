"""Outgoing emails carry the region code of what they are about (issue #16), and the
outbox admin shows a regional agent their region's emails only."""

import pytest
from django.urls import reverse

from cpts_portal.roles import Role
from notifications import regions
from notifications.models import OutgoingEmail
from notifications.services import queue_email
from tests.ami.staff.conftest import client_for
from tests.factories import CampaignFactory, RegionFactory, SubmissionFactory, UserFactory
from tests.notifications.test_outbox import notification_context

pytestmark = pytest.mark.django_db


def queue(submission, **extra) -> OutgoingEmail:
    (email,) = queue_email(
        ["x@example.org"],
        "ami/emails/ars_notification",
        notification_context(submission),
        related=submission,
        **extra,
    )
    return email


def test_the_region_code_is_that_of_the_related_answer():
    occitanie = RegionFactory(code="76", name="Occitanie")
    assert queue(SubmissionFactory()).region_code == "53"
    answer = SubmissionFactory(campaign=CampaignFactory(region=occitanie))
    assert queue(answer).region_code == "76"


def test_a_region_code_given_wins_and_no_related_object_has_none():
    assert queue(SubmissionFactory(), region_code="76").region_code == "76"
    (email,) = queue_email(
        ["x@example.org"],
        "ami/emails/ars_notification",
        notification_context(SubmissionFactory()),
    )
    assert email.region_code == ""


def test_without_a_registered_hook_every_agent_reads_every_email(monkeypatch):
    monkeypatch.setattr(regions, "_hooks", {})
    assert regions.region_code_of(SubmissionFactory()) == ""
    assert regions.user_region_codes(UserFactory(roles=[Role.ARS])) is regions.EVERY_REGION


@pytest.mark.parametrize("region, shown", [("53", {"53"}), ("76", {"76"}), (None, {"53", "76"})])
def test_outbox_admin_shows_the_agent_region_emails(region, shown):
    """An ARS agent of Bretagne, one of Occitanie, and a superuser (every region)."""
    occitanie = RegionFactory(code="76", name="Occitanie")
    queue(SubmissionFactory())
    queue(SubmissionFactory(campaign=CampaignFactory(region=occitanie)))
    if region is None:
        user = UserFactory(is_superuser=True)
    else:
        user = UserFactory(roles=[Role.ARS], region=RegionFactory(code=region))
    page = client_for(user).get(reverse("admin:notifications_outgoingemail_changelist"))
    assert page.status_code == 200
    assert set(page.context["cl"].queryset.values_list("region_code", flat=True)) == shown
