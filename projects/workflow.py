"""The pipeline of a CPTS project: the one place that writes ``CptsProject.stage``.

Read the table like the URPS guide's « modalités de création »: the coordinators deposit
the lettre d'intention with the Guichet CPTS, the URPS give their avis, the ARS validates
it and grants the FIR funding; the coordinators write and deposit the projet de santé, the
ARS validates it after the Assurance Maladie's avis; the ARS and the Assurance Maladie
record the signed tripartite ACI contract; the CPTS then works. A deposited document can
be sent back « à compléter » with the reasons; any stage can end as « abandonné ».
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpts_portal.history import record_event
from cpts_portal.links import absolute_url
from cpts_portal.roles import Role
from notifications.services import queue_email
from territories.selectors import region_identity

from . import permissions, selectors
from .checklist import DONE_AT_STAGE
from .models import AciContract, ContractTerms, CptsProject, LegalHolder, ProjectEvent, Stage
from .models.choices import ACTIVE_STAGES

S = Stage
COORDINATOR, ARS, URPS, AM = Role.COORDINATOR, Role.ARS, Role.URPS, Role.ASSURANCE_MALADIE


@dataclass(frozen=True)
class Transition:
    source: Stage
    target: Stage
    roles: tuple[str, ...]
    needs_comment: bool = False  # reasons: sending back « à compléter », abandoning
    data: tuple[str, ...] = ()  # required keyword arguments of ``transition``
    optional: tuple[str, ...] = ()  # keyword arguments it may also be given
    guichet_roles: tuple[str, ...] = ()  # roles that may also make it with the Guichet CPTS


TRANSITIONS: tuple[Transition, ...] = (
    # Lettre d'intention, deposited with the Guichet CPTS (URPS), then instructed by the ARS.
    Transition(S.DRAFT, S.LETTER_DEPOSITED, (COORDINATOR,)),
    # With the Guichet CPTS, the ARS may also close the examination (the consolidated avis).
    Transition(S.LETTER_DEPOSITED, S.URPS_OPINION, (URPS,), guichet_roles=(ARS,)),
    Transition(S.LETTER_DEPOSITED, S.LETTER_TO_COMPLETE, (URPS, ARS), needs_comment=True),
    Transition(S.LETTER_TO_COMPLETE, S.LETTER_DEPOSITED, (COORDINATOR,)),
    Transition(S.URPS_OPINION, S.LETTER_VALIDATED, (ARS,), data=("fir_amount", "fir_granted_on")),
    Transition(S.URPS_OPINION, S.LETTER_TO_COMPLETE, (ARS,), needs_comment=True),
    # Projet de santé, deposited with the ARS and the Assurance Maladie.
    Transition(S.LETTER_VALIDATED, S.HEALTH_PROJECT_DRAFTING, (COORDINATOR, ARS)),
    Transition(S.HEALTH_PROJECT_DRAFTING, S.HEALTH_PROJECT_DEPOSITED, (COORDINATOR,)),
    Transition(
        S.HEALTH_PROJECT_DEPOSITED, S.HEALTH_PROJECT_TO_COMPLETE, (ARS, AM), needs_comment=True
    ),
    Transition(S.HEALTH_PROJECT_TO_COMPLETE, S.HEALTH_PROJECT_DEPOSITED, (COORDINATOR,)),
    Transition(S.HEALTH_PROJECT_DEPOSITED, S.HEALTH_PROJECT_VALIDATED, (ARS,)),
    # Contrat ACI, tripartite, recorded by the ARS or the Assurance Maladie.
    Transition(
        S.HEALTH_PROJECT_VALIDATED,
        S.CONTRACT_SIGNED,
        (ARS, AM),
        data=("signed_on",),
        optional=("cpam_name",),
    ),
    Transition(S.CONTRACT_SIGNED, S.RUNNING, (ARS, AM)),
    # Any active stage can end as abandoned, with the reason.
    *(
        Transition(stage, S.ABANDONED, (ARS, COORDINATOR), needs_comment=True)
        for stage in ACTIVE_STAGES
    ),
)

# Besides the project's coordinators (always told), who hears of each new stage.
NOTIFIED_ROLES: dict[Stage, tuple[str, ...]] = {
    S.LETTER_DEPOSITED: (URPS, ARS),
    S.LETTER_TO_COMPLETE: (ARS,),
    S.URPS_OPINION: (ARS,),
    S.LETTER_VALIDATED: (URPS,),
    S.HEALTH_PROJECT_DRAFTING: (ARS,),
    S.HEALTH_PROJECT_DEPOSITED: (ARS, AM),
    S.HEALTH_PROJECT_TO_COMPLETE: (ARS, AM),
    S.HEALTH_PROJECT_VALIDATED: (AM,),
    S.CONTRACT_SIGNED: (ARS, AM, URPS),
    S.RUNNING: (ARS, AM, URPS),
    S.ABANDONED: (ARS, AM, URPS),
}

# The key date each stage sets on the project (the day of the transition).
STAGE_DATES: dict[Stage, str] = {
    S.LETTER_DEPOSITED: "letter_deposited_on",
    S.LETTER_VALIDATED: "letter_validated_on",
    S.HEALTH_PROJECT_DEPOSITED: "health_project_deposited_on",
    S.HEALTH_PROJECT_VALIDATED: "health_project_validated_on",
    S.RUNNING: "running_since",
    S.ABANDONED: "abandoned_on",
}

DATA_LABELS = {
    "fir_amount": gettext_lazy("Le montant du financement FIR"),
    "fir_granted_on": gettext_lazy("La date du financement FIR"),
    "signed_on": gettext_lazy("La date de signature du contrat ACI"),
    "cpam_name": gettext_lazy("La caisse d’assurance maladie signataire"),
}

# Stages that send back or stop: the overlap rule does not hold them.
NOT_ADVANCING = (S.LETTER_TO_COMPLETE, S.HEALTH_PROJECT_TO_COMPLETE, S.ABANDONED)


class TransitionNotAllowed(Exception):
    """A refused stage change; its message (and ``missing``, when given) are for the user."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


# --- Preconditions, by target stage ------------------------------------------------------


def letter_is_complete(project: CptsProject) -> list[str]:
    return selectors.letter_missing_items(project)


def urps_opinion_given(project: CptsProject) -> list[str]:
    if permissions.uses_guichet(project):
        # Only ``services.transmit_guichet_opinion`` moves on: it marks the review sent.
        if project.guichet_reviews.filter(transmitted_at__gte=project.stage_changed_at).exists():
            return []
        return [_("L’avis consolidé du Guichet CPTS, transmis à l’ARS")]
    if project.urps_opinions.filter(created_at__gte=project.stage_changed_at).exists():
        return []
    return [_("L’avis des URPS sur les trois critères du Guichet CPTS")]


def territory_defined(project: CptsProject) -> list[str]:
    if project.territory_id and project.territory.communes.exists():
        return []
    return [_("Les communes du territoire du projet")]


def health_project_is_complete(project: CptsProject) -> list[str]:
    return selectors.health_project_missing_items(project)


def am_opinion_given(project: CptsProject) -> list[str]:
    if project.am_opinions.filter(created_at__gte=project.stage_changed_at).exists():
        return []
    return [_("L’avis de l’Assurance Maladie sur le projet de santé déposé")]


GUARDS: dict[Stage, tuple[Callable[[CptsProject], list[str]], ...]] = {
    S.LETTER_DEPOSITED: (letter_is_complete,),
    S.URPS_OPINION: (urps_opinion_given,),
    S.LETTER_VALIDATED: (territory_defined,),
    S.HEALTH_PROJECT_DEPOSITED: (health_project_is_complete,),
    S.HEALTH_PROJECT_VALIDATED: (am_opinion_given,),
}


# --- The transition ----------------------------------------------------------------------


def find_rule(project: CptsProject, target: Stage) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == project.stage and t.target == target), None)


def rule_roles(rule: Transition, project: CptsProject) -> tuple[str, ...]:
    """The roles that may make this move on this project (``guichet_roles`` in a region
    that uses the Guichet CPTS)."""
    if rule.guichet_roles and permissions.uses_guichet(project):
        return (*rule.roles, *rule.guichet_roles)
    return rule.roles


def allowed_targets(project: CptsProject, user: AbstractBaseUser) -> list[Stage]:
    """The stages this user may move this project to, in the table's order."""
    return [
        t.target
        for t in TRANSITIONS
        if t.source == project.stage
        and any(permissions.acts_as(user, project, r) for r in rule_roles(t, project))
    ]


def transition(
    project: CptsProject,
    to: Stage | str,
    by: AbstractBaseUser,
    comment: str = "",
    **data,
) -> ProjectEvent:
    """Move ``project`` to stage ``to`` on behalf of ``by``; return the history entry.

    Checks, before writing anything: the move is in ``TRANSITIONS``; ``by`` holds one of
    its roles (a coordinator must be one of this project's); a comment is given when the
    move needs reasons; the ``data`` it requires are given (``fir_amount`` and
    ``fir_granted_on`` for the validation of the lettre d'intention, ``signed_on`` for the
    ACI contract); the ``GUARDS`` of the target pass (complete lettre d'intention or projet
    de santé, avis recorded, territory defined); and, for a move forward, no earlier active
    project shares communes with this one without an ARS override. A refusal raises
    ``TransitionNotAllowed`` with a French message and the list of what is ``missing``.

    Side effects, in one transaction, the project row locked:

    - saves ``stage``, ``stage_changed_at`` and the key date of the stage (``STAGE_DATES``),
      the FIR amount and date, or ``abandoned_from``, with ``update_fields``;
    - creates the ``AciContract`` when the contract is signed: signature date, missions of
      the projet de santé, the three parties (the association porteuse, else the project's
      name; ``cpam_name`` when given; the ARS of the project's region, ``region_identity``);
    - marks the memo milestones that the stage proves done (``checklist.DONE_AT_STAGE``);
    - writes a ``ProjectEvent`` (who, when, from, to, comment, data);
    - queues the « changement d'étape » email in the outbox for the coordinators and the
      staff of ``NOTIFIED_ROLES[to]`` (the author excepted); it is sent after commit.
    """
    target = Stage(to)
    rule = find_rule(project, target)
    if rule is None:
        raise TransitionNotAllowed(
            _("Un projet à l’étape « %(source)s » ne peut pas passer à l’étape « %(target)s ».")
            % {"source": Stage(project.stage).label, "target": target.label}
        )
    if not any(permissions.acts_as(by, project, role) for role in rule_roles(rule, project)):
        raise TransitionNotAllowed(
            _("Votre rôle ne permet pas de faire passer ce projet à l’étape « %(target)s ».")
            % {"target": target.label}
        )
    if rule.needs_comment and not comment.strip():
        raise TransitionNotAllowed(_("Indiquez le motif."), missing=[_("Le motif")])
    absent = [name for name in rule.data if data.get(name) in (None, "")]
    unexpected = set(data) - set(rule.data) - set(rule.optional)
    if unexpected:
        raise TypeError(f"unexpected data for {target}: {sorted(unexpected)}")
    if absent:
        raise TransitionNotAllowed(
            _("Il manque des informations pour cette étape."),
            missing=[str(DATA_LABELS.get(name, name)) for name in absent],
        )
    with transaction.atomic():
        current = CptsProject.objects.select_for_update().only("stage").get(pk=project.pk)
        if current.stage != project.stage:
            raise TransitionNotAllowed(
                _("L’étape de ce projet vient d’être modifiée par une autre personne.")
            )
        check_preconditions(project, target)
        source = Stage(project.stage)
        today = timezone.localdate()
        project.stage = target
        project.stage_changed_at = timezone.now()
        fields = ["stage", "stage_changed_at", "updated_at"]
        if target in STAGE_DATES:
            setattr(project, STAGE_DATES[target], today)
            fields.append(STAGE_DATES[target])
        if target == S.LETTER_VALIDATED:
            project.fir_amount = Decimal(data["fir_amount"])
            project.fir_granted_on = data["fir_granted_on"]
            fields += ["fir_amount", "fir_granted_on"]
        if target == S.ABANDONED:
            project.abandoned_from = source
            fields.append("abandoned_from")
        project.save(update_fields=fields)
        if target == S.CONTRACT_SIGNED:
            holder = LegalHolder.objects.filter(project=project).first()
            contract, _created = AciContract.objects.update_or_create(
                project=project,
                is_current=True,
                defaults={
                    "signed_on": data["signed_on"],
                    "missions": list(project.health_project.missions),
                    "cpts_name": holder.name if holder else project.name,
                    "cpam_name": (data.get("cpam_name") or "").strip(),
                    "ars_name": region_identity(project.region).ars_name,
                    "recorded_by": by,
                },
            )
            freeze_terms(contract, by)
        project.milestones.filter(
            code__in=DONE_AT_STAGE.get(target, ()), done_on__isnull=True
        ).update(done_on=today)
        event = record_event(
            project,
            ProjectEvent.Kind.STAGE_CHANGED,
            by=by,
            comment=comment,
            data={name: serializable(value) for name, value in data.items()},
            from_state=source,
            to_state=target,
        )
        notify_stage_change(project, event)
        return event


def freeze_terms(contract: AciContract, by: AbstractBaseUser) -> ContractTerms:
    """Copy the terms in force on the signature into the contract (version 1): later edits
    of the scale or of the ARS's tables never change a signed contract."""
    scale, terms = selectors.terms_in_force(contract.project, contract.missions, contract.signed_on)
    contract.terms.all().delete()  # a contract signed again (never in the pipeline today)
    return ContractTerms.objects.create(
        contract=contract,
        version=1,
        effective_on=contract.signed_on,
        reason=_("Signature du contrat"),
        scale=scale,
        terms=terms,
        recorded_by=by,
    )


def check_preconditions(project: CptsProject, target: Stage) -> None:
    missing: list[str] = []
    for guard in GUARDS.get(target, ()):
        missing += guard(project)
    if target not in NOT_ADVANCING:
        for overlap in selectors.blocking_overlaps(project):
            missing.append(
                _(
                    "Une dérogation de l’ARS : le territoire partage %(count)d commune(s) avec "
                    "le projet « %(other)s »"
                )
                % {"count": len(overlap.communes), "other": overlap.other.name}
            )
    if missing:
        raise TransitionNotAllowed(
            _("Le projet ne peut pas encore passer à l’étape « %(target)s ».")
            % {"target": target.label},
            missing=missing,
        )


def serializable(value) -> str | int | float | bool | None:
    if isinstance(value, date | Decimal):
        return str(value)
    return value


# --- Notifications -------------------------------------------------------------------------


def notified_roles(project: CptsProject, stage: Stage) -> tuple[str, ...]:
    """``NOTIFIED_ROLES``, except that with the Guichet CPTS the ARS receives the
    consolidated avis (``services.transmit_guichet_opinion``) instead of a stage notice."""
    if stage == S.URPS_OPINION and permissions.uses_guichet(project):
        return ()
    return NOTIFIED_ROLES.get(stage, ())


def notify_stage_change(project: CptsProject, event: ProjectEvent) -> None:
    to = selectors.project_recipients(
        project, notified_roles(project, Stage(event.to_state)), leaving_out=event.author
    )
    if not to:
        return
    queue_email(
        to,
        "projects/emails/stage_changed",
        {
            "project": project,
            "region_identity": region_identity(project.region),
            "event": event,
            "source": Stage(event.from_state).label,
            "target": Stage(event.to_state).label,
            "author": event.author_label,
            "fir_amount": project.fir_amount if event.to_state == S.LETTER_VALIDATED else None,
            "project_url": absolute_url(project.get_absolute_url()),
        },
        related=project,
    )
