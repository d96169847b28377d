"""Fixtures of the ACI contract's tests (issue 17): a frozen clock, the ARS's data, a
contract signed on ``SIGNED`` under avenant 2's scale. Registered in ``conftest.py``."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from projects.models import (
    AciContract,
    FundingRate,
    FundingScale,
    Mission,
    MissionIndicator,
    SourceStatus,
)

from .helpers import sign_contract

SIGNED = date(2024, 3, 15)


class Clock:
    """``timezone.now`` (and so ``timezone.localdate``) frozen on a day, moved by the test."""

    def __init__(self, monkeypatch) -> None:
        self.day = SIGNED
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: self.moment)
        self.real_now = real_now

    @property
    def moment(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.day, time(12)))

    def at(self, day: date) -> None:
        self.day = day


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


def in_force_scale() -> FundingScale:
    return FundingScale.objects.in_force(SIGNED)


@pytest.fixture
def aci_data(db):
    """What the ARS enters before the signature: mission amounts and indicators (issue 17:
    not verified, entered as data with their source)."""
    scale = in_force_scale()
    for mission, fixed, variable in (
        (Mission.GP_ACCESS, 10_000, 20_000),
        (Mission.PREVENTION, 5_000, 10_000),
    ):
        FundingRate.objects.create(
            scale=scale,
            tier=1,
            item=mission,
            fixed_amount=fixed,
            variable_amount=variable,
            source="Saisie de l’ARS (test)",
            source_status=SourceStatus.PRESS,
        )
    MissionIndicator.objects.create(
        mission=Mission.GP_ACCESS,
        name="Patients sans médecin traitant orientés",
        unit="patients",
        target=200,
        source="Saisie de l’ARS (test)",
    )
    MissionIndicator.objects.create(
        mission=Mission.GP_ACCESS,
        name="Médecins participants",
        unit="médecins",
        target=10,
        source="Saisie de l’ARS (test)",
        position=1,
    )
    MissionIndicator.objects.create(
        mission=Mission.PREVENTION,
        name="Actions de prévention",
        unit="actions",
        target=4,
        source="Saisie de l’ARS (test)",
    )
    return scale


@pytest.fixture
def contract(clock, aci_data, project, owner, ars, urps, am) -> AciContract:
    clock.at(SIGNED)
    return sign_contract(project, SIGNED, coordinator=owner, ars=ars, urps=urps, am=am)
