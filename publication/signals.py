"""The open-data files are computed again after any change of what they show."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from projects.models import CptsProject
from territories.models import Territory

from .models import Publication
from .opendata import forget_files


def _forget_on_commit(**kwargs) -> None:
    transaction.on_commit(forget_files)


for model in (CptsProject, Publication, Territory):
    post_save.connect(_forget_on_commit, sender=model, dispatch_uid=f"opendata-save-{model}")
    post_delete.connect(_forget_on_commit, sender=model, dispatch_uid=f"opendata-del-{model}")


@receiver(m2m_changed, sender=Territory.communes.through, dispatch_uid="opendata-communes")
def _communes_changed(**kwargs) -> None:
    _forget_on_commit()
