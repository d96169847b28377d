"""``cpts_portal.fragments``: versions bumped on change, again at commit; queryset keys."""

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
