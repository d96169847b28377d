"""Public-output rules, pure functions: the stage of a project in plain words, and the
colour bucket of a coverage share."""

from django.utils.translation import gettext_lazy as _

from projects.models.choices import Stage

# The words a professional reads on the public pages, by stage of the pipeline.
_PLAIN_STAGES = {
    Stage.DRAFT: _("En projet : les professionnels préparent leur lettre d’intention"),
    Stage.LETTER_DEPOSITED: _("En projet : lettre d’intention déposée auprès de l’ARS"),
    Stage.LETTER_TO_COMPLETE: _("En projet : lettre d’intention en cours de complément"),
    Stage.URPS_OPINION: _("En projet : lettre d’intention à l’étude"),
    Stage.LETTER_VALIDATED: _("En projet : rédaction du projet de santé"),
    Stage.HEALTH_PROJECT_DRAFTING: _("En projet : rédaction du projet de santé"),
    Stage.HEALTH_PROJECT_DEPOSITED: _("En projet : projet de santé déposé"),
    Stage.HEALTH_PROJECT_TO_COMPLETE: _("En projet : rédaction du projet de santé"),
    Stage.HEALTH_PROJECT_VALIDATED: _("Projet de santé validé, contrat en préparation"),
    Stage.CONTRACT_SIGNED: _("CPTS constituée : contrat signé avec l’Assurance Maladie"),
    Stage.RUNNING: _("CPTS en fonctionnement"),
    Stage.ABANDONED: _("Projet abandonné"),
}
# Stages where the CPTS has signed the ACI contract (« CPTS avec ACI signé »).
ACI_SIGNED_STAGES: tuple[Stage, ...] = (Stage.CONTRACT_SIGNED, Stage.RUNNING)


def plain_stage(stage: str) -> str:
    """The stage of a project as the public pages and the open data say it."""
    return str(_PLAIN_STAGES[Stage(stage)])


# Coverage buckets of the map, by number (0 = no covered inhabitant); each has its CSS class
# ``coverage-<number>`` (static/publication/coverage.css) and its legend.
COVERAGE_BUCKETS: dict[int, str] = {
    0: _("aucune population couverte"),
    1: _("moins de 25 %"),
    2: _("de 25 à moins de 50 %"),
    3: _("de 50 à moins de 75 %"),
    4: _("75 % et plus"),
}
_BUCKET_LOWEST = ((4, 75), (3, 50), (2, 25))


def coverage_share(covered: int, population: int) -> float:
    """Covered population as a percentage of the population (0 when it is unknown)."""
    if population <= 0:
        return 0.0
    return round(100 * min(covered, population) / population, 1)


def coverage_bucket(covered: int, population: int) -> int:
    """The map's bucket of a covered population: 0 when nobody is covered, else 1..4 by
    quarter of the population (lower bound inclusive)."""
    if covered <= 0 or population <= 0:
        return 0
    share = 100 * covered / population
    return next((bucket for bucket, lowest in _BUCKET_LOWEST if share >= lowest), 1)
