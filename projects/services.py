"""Writes of the projects app. Stage changes go through ``projects.workflow.transition``."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ami.models import Submission
from cpts_portal.history import record_event
from cpts_portal.links import absolute_url
from cpts_portal.roles import Role, has_role
from cpts_portal.uploads import display_name, validate_upload
from notifications.services import queue_email
from territories.models import Commune, Region, Territory
from territories.permissions import default_region, home_region, in_region_scope
from territories.selectors import region_identity

from . import accounts, contract_services, permissions, selectors, workflow
from .checklist import MEMO_CHECKLIST
from .models import (
    AciContract,
    ActionSheet,
    Amendment,
    AssuranceMaladieOpinion,
    CptsProject,
    Document,
    DocumentKind,
    GuichetReview,
    HealthProject,
    LegalHolder,
    LetterOfIntent,
    Milestone,
    ProjectEvent,
    Stage,
    TerritoryOverlapOverride,
    UrpsOpinion,
)

NAME_MAX_LENGTH = CptsProject._meta.get_field("name").max_length


def create_project(
    name: str,
    by: AbstractBaseUser,
    territory: Territory | None = None,
    coordinators: Iterable[AbstractBaseUser] = (),
    submissions: Iterable[Submission] = (),
    comment: str = "",
    override_reason: str = "",
    region: Region | None = None,
) -> CptsProject:
    """Create a project at the avant-projet stage, with its empty documents and milestones.

    Its region: ``region`` when given, else its territory's, else its first answer's
    campaign's, else the region of its author's institution, else for a superuser the
    default region (``ValidationError`` if none).

    In one transaction: the project, its lettre d'intention and projet de santé (empty),
    the memo's milestones, a « projet créé » history entry and, with ``override_reason``,
    an ARS override for each active project whose territory it overlaps. Raises
    ``ValidationError`` for a territory row an AMI answer or another project owns.
    """
    if territory is not None:
        check_territory_is_free(territory)
    submissions = list(submissions)
    region_id = (
        (region.pk if region else None)
        or (territory.region_id if territory else None)
        or (submissions[0].campaign.region_id if submissions else None)
        or getattr(home_region(by), "pk", None)
        # A superuser belongs to no region: the default one, as for their territories.
        or (default_region().pk if by.is_superuser else None)
    )
    if region_id is None:
        raise ValidationError(_("Le projet doit appartenir à une région."))
    with transaction.atomic():
        project = CptsProject.objects.create(
            name=name[:NAME_MAX_LENGTH], territory=territory, created_by=by, region_id=region_id
        )
        project.coordinators.set(coordinators)
        project.submissions.set(submissions)
        LetterOfIntent.objects.create(project=project)
        HealthProject.objects.create(project=project)
        Milestone.objects.bulk_create(
            Milestone(
                project=project, code=item.code, label=item.label, phase=item.phase, position=i
            )
            for i, item in enumerate(MEMO_CHECKLIST)
        )
        record_event(
            project,
            ProjectEvent.Kind.CREATED,
            by=by,
            to_state=Stage.DRAFT,
            comment=comment,
        )
        if override_reason:
            override_all_overlaps(project, override_reason, by)
    return project


def create_project_from_submission(
    submission: Submission, by: AbstractBaseUser, name: str = ""
) -> CptsProject:
    """The project of an AMI answer oriented towards an accompaniment (« accompagnement »).

    Name: ``name`` when the ARS gives one; otherwise the one proposed from the answer's
    territory (``selectors.suggested_name``: its main EPCI, else its main commune, never
    the free text), marked ``name_suggested`` so that the project's page asks the ARS to
    confirm or change it (``name_project``). Territory: a copy of the answer's territory
    (same communes, under the project's name), so that the project's perimeter can evolve
    while the answer keeps what the professionals wrote. The answer is linked to the
    project and the creation is written in the project's history.

    Idempotent: an answer already linked to an active project returns that project. The
    overlap rule is not a refusal here: a project overlapping an earlier one is created,
    shows the overlap and cannot move forward until the ARS records an override.
    Raises ``PermissionDenied`` unless ``by`` is ARS staff.
    """
    if not has_role(by, Role.ARS) or not in_region_scope(by, submission.campaign.region_id):
        raise PermissionDenied(_("Seule l’ARS crée les projets de CPTS."))
    with transaction.atomic():
        # Lock the answer: two clicks at once must not make two projects.
        Submission.objects.select_for_update().filter(pk=submission.pk).first()
        existing = (
            CptsProject.objects.filter(submissions=submission)
            .exclude(stage=Stage.ABANDONED)
            .order_by("pk")
            .first()
        )
        if existing is not None:
            return existing
        given = name.strip()
        name = given or selectors.suggested_name(submission)
        territory = None
        if submission.territory_id:
            territory = Territory.objects.create(name=name, region_id=submission.campaign.region_id)
            territory.communes.set(submission.territory.communes.all())
        project = create_project(
            name,
            by,
            territory=territory,
            submissions=[submission],
            comment=_("Créé à partir de la réponse %(reference)s à l’AMI.")
            % {"reference": submission.reference},
        )
        if not given:
            project.name_suggested = True
            project.save(update_fields=["name_suggested"])
        return project


def name_project(project: CptsProject, by: AbstractBaseUser, name: str) -> ProjectEvent | None:
    """The ARS gives the project its name (or confirms the proposed one).

    Side effects, in one transaction: ``name`` and ``name_suggested`` (now False) saved
    with ``update_fields``; a « projet modifié » history entry « Nom : ancien → nouveau »
    when the name changed, returned. Raises ``PermissionDenied`` unless ``by`` manages
    the project, ``ValidationError`` for an empty name.
    """
    if not permissions.can_manage(by, project):
        raise PermissionDenied
    name = name.strip()[:NAME_MAX_LENGTH]
    if not name:
        raise ValidationError(_("Donnez un nom au projet."), code="required")
    with transaction.atomic():
        old = project.name
        project.name, project.name_suggested = name, False
        project.save(update_fields=["name", "name_suggested", "updated_at"])
        if old == name:
            return None
        return record_event(
            project,
            ProjectEvent.Kind.EDITED,
            by=by,
            comment=_("Nom : « %(old)s » → « %(new)s »") % {"old": old, "new": name},
        )


def update_project(
    project: CptsProject,
    by: AbstractBaseUser,
    changes: dict,
    override_reason: str = "",
) -> ProjectEvent | None:
    """Apply the ARS's changes (name, territory, coordinators) and record them.

    The territory goes through ``change_project_territory`` (ownership, overlap rule, its
    own history entry); the other changes make one « projet modifié » entry. In one
    transaction: a refused territory (``ValidationError``) leaves the name unchanged too.
    """
    if not permissions.can_manage(by, project):
        raise PermissionDenied
    labels = []
    with transaction.atomic():
        if "name" in changes and (project.name != changes["name"] or project.name_suggested):
            # Saving the form names the project: the proposed name is now the ARS's.
            changed = project.name != changes["name"]
            project.name, project.name_suggested = changes["name"], False
            project.save(update_fields=["name", "name_suggested", "updated_at"])
            if changed:
                labels.append(str(CptsProject._meta.get_field("name").verbose_name))
        territory_event = None
        if "territory" in changes:
            territory_event = change_project_territory(
                project, by, territory=changes["territory"], override_reason=override_reason
            )
        if territory_event is None and override_reason:
            override_all_overlaps(project, override_reason, by)
        if "coordinators" in changes:
            before = set(project.coordinators.values_list("pk", flat=True))
            after = {user.pk for user in changes["coordinators"]}
            if before != after:
                project.coordinators.set(changes["coordinators"])
                labels.append(str(_("coordinateurs")))
        if not labels:
            return territory_event
        return record_event(
            project,
            ProjectEvent.Kind.EDITED,
            by=by,
            comment=_("Modifié : %(fields)s") % {"fields": ", ".join(labels)},
        )


def invite_to_project(
    project: CptsProject,
    by: AbstractBaseUser,
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
) -> accounts.Invitation:
    """The ARS invites a coordinator of this project, or a partner agent (URPS, Assurance
    Maladie), by email.

    Side effects, in one transaction: the account created (no password yet) or the
    existing one of this address used (``accounts.invite``: same role only); a coordinator
    attached to the project; the invitation email queued in the outbox, with a single-use
    link to choose a password valid ``PASSWORD_RESET_TIMEOUT`` (72 h) when the account has
    none; a « projet modifié » history entry naming the address and the role. Raises
    ``PermissionDenied`` unless ``by`` manages the project, ``ValidationError`` (French)
    for an address whose account may not take this role.
    """
    if not permissions.can_manage(by, project):
        raise PermissionDenied
    with transaction.atomic():
        invitation = accounts.invite(
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            template="projects/emails/invitation",
            context={
                "project": project,
                "region_identity": region_identity(project.region),
                "project_url": absolute_url(project.get_absolute_url()),
                "role_label": Role(role).label,
                "is_coordinator": role == Role.COORDINATOR,
                "invited_by": by.get_full_name() or by.get_username(),
            },
            related=project,
        )
        if role == Role.COORDINATOR:
            project.coordinators.add(invitation.user)
        record_event(
            project,
            ProjectEvent.Kind.EDITED,
            by=by,
            comment=_("Invitation envoyée à %(email)s (%(role)s)")
            % {"email": invitation.user.email, "role": Role(role).label},
        )
    return invitation


def override_all_overlaps(project: CptsProject, reason: str, by: AbstractBaseUser) -> None:
    from .selectors import overlaps_of

    for overlap in overlaps_of(project):
        if overlap.blocking:
            record_overlap_override(project, overlap.other, reason, by)


def record_overlap_override(
    project: CptsProject, other: CptsProject, reason: str, by: AbstractBaseUser
) -> TerritoryOverlapOverride:
    """The ARS decides that these two projects may share communes; recorded in history."""
    if not permissions.can_manage(by, project):
        raise PermissionDenied(
            _("Seule l’ARS peut autoriser deux projets sur des communes communes.")
        )
    if not reason.strip():
        raise ValidationError(_("Indiquez le motif de la dérogation."))
    with transaction.atomic():
        override, _created = TerritoryOverlapOverride.objects.get_or_create(
            project=project, other_project=other, defaults={"reason": reason, "by": by}
        )
        record_event(
            project,
            ProjectEvent.Kind.OVERLAP_OVERRIDE,
            by=by,
            comment=_("Chevauchement avec « %(other)s » autorisé : %(reason)s")
            % {"other": other.name, "reason": reason},
        )
    return override


def record_edit(project: CptsProject, by: AbstractBaseUser, what: str, fields: list[str]) -> None:
    if fields:
        record_event(
            project,
            ProjectEvent.Kind.EDITED,
            by=by,
            comment=_("%(what)s : %(fields)s modifié(s)")
            % {"what": what, "fields": ", ".join(fields)},
        )


def add_document(
    project: CptsProject, kind: str, upload: UploadedFile, by: AbstractBaseUser, title: str = ""
) -> Document:
    """Store an upload after checking its content type and size; recorded in history.

    Raises ``ValidationError`` (French message) for a file over the size cap or whose
    content is not PDF, ODT or DOCX, and ``PermissionDenied`` for a kind this user may not
    add at this stage (``permissions.uploadable_kinds``).
    """
    if DocumentKind(kind) not in permissions.uploadable_kinds(by, project):
        raise PermissionDenied
    file_type = validate_upload(upload)
    document = Document(
        project=project,
        kind=kind,
        title=title,
        original_name=display_name(upload.name),
        content_type=file_type.content_type,
        size=upload.size,
        uploaded_by=by,
    )
    with transaction.atomic():
        # document_path names the stored file (random, extension of the detected type).
        document.file.save(f"document.{file_type.extension}", upload, save=False)
        document.save()
        record_event(
            project,
            ProjectEvent.Kind.DOCUMENT_ADDED,
            by=by,
            comment=f"{DocumentKind(kind).label} — {document.original_name}",
        )
    return document


def store_opinion(
    model: type[UrpsOpinion] | type[AssuranceMaladieOpinion],
    project: CptsProject,
    by: AbstractBaseUser,
    values: dict,
) -> UrpsOpinion | AssuranceMaladieOpinion:
    """Save an avis of ``model`` from plain ``values`` (call inside the transaction)."""
    return model.objects.create(project=project, author=by, created_at=timezone.now(), **values)


def record_urps_opinion(project: CptsProject, by: AbstractBaseUser, **values) -> UrpsOpinion:
    """Save the URPS avis on the 3 criteria (``values``: the verdict and comment of each)
    and move the project to « avis URPS rendu », the criteria in the history's comment.
    Refused in a region that uses the Guichet CPTS (``give_guichet_opinion`` there)."""
    if permissions.uses_guichet(project) or not permissions.can_give_urps_opinion(by, project):
        raise PermissionDenied
    with transaction.atomic():
        opinion = store_opinion(UrpsOpinion, project, by, values)
        summary = "\n".join(f"{label} : {verdict}" for label, verdict, _c in opinion.criteria())
        workflow.transition(project, Stage.URPS_OPINION, by=by, comment=summary)
    return opinion


def give_guichet_opinion(project: CptsProject, by: AbstractBaseUser, **values) -> UrpsOpinion:
    """The avis of ``by``'s URPS on the deposited lettre d'intention, in a region that uses
    the Guichet CPTS (``values``: the verdict and comment of each of the 3 criteria).

    One avis per URPS and deposit: a URPS that answers again (any of its agents) before the
    consolidated avis is sent replaces its avis, the former verdicts kept in the history.
    The stage does not change (``transmit_guichet_opinion`` does). Raises
    ``PermissionDenied`` unless ``by`` is an agent of a URPS of the project's region and the
    letter is deposited.
    """
    if not permissions.can_give_guichet_opinion(by, project):
        raise PermissionDenied
    urps = permissions.guichet_urps(by, project)
    with transaction.atomic():
        # The project row locked: the transmission waits, and sees this avis or refuses it.
        locked = CptsProject.objects.select_for_update().only("stage", "stage_changed_at")
        current = locked.get(pk=project.pk)
        if current.stage != Stage.LETTER_DEPOSITED:
            raise PermissionDenied
        review, _created = GuichetReview.objects.get_or_create(
            project=project, opened_at=current.stage_changed_at
        )
        if review.transmitted_at is not None:
            raise PermissionDenied
        opinion = review.opinions.filter(institution=urps).first()
        replaced = opinion is not None
        before = {} if opinion is None else verdicts_of(opinion)
        if opinion is None:
            opinion = UrpsOpinion(project=project, review=review, institution=urps)
        for name, value in values.items():
            setattr(opinion, name, value)
        opinion.author = by
        opinion.created_at = timezone.now()
        opinion.save()
        summary = "\n".join(f"{label} : {verdict}" for label, verdict, _c in opinion.criteria())
        record_event(
            project,
            ProjectEvent.Kind.OPINION,
            by=by,
            comment=(
                _("Avis de %(urps)s modifié pour le Guichet CPTS :")
                if replaced
                else _("Avis de %(urps)s pour le Guichet CPTS :")
            )
            % {"urps": urps.name}
            + "\n"
            + summary,
            data={"urps": urps.pk, "replaced": replaced, "before": before},
        )
    return opinion


def verdicts_of(opinion: UrpsOpinion) -> dict[str, str]:
    return {code: getattr(opinion, f"{code}_verdict") for code, _label in UrpsOpinion.CRITERIA}


def transmit_guichet_opinion(
    project: CptsProject, by: AbstractBaseUser, comment: str = ""
) -> GuichetReview:
    """Close the Guichet CPTS's examination and send the consolidated avis to the ARS.

    Once at least one URPS of the region has given its avis (all of them, or the Guichet
    decides not to wait): the review marked transmitted (who, when, ``comment``: the
    Guichet's synthesis); the project moved to « avis URPS rendu » exactly as after the
    single avis of a region without the Guichet, the consolidated summary in the history;
    the consolidated avis (per criterion, the counts and the avis of each URPS, the URPS
    without avis) queued to the agents of the region's ARS and its address. Raises
    ``PermissionDenied`` unless ``by`` is of the ARS or a URPS of the region, and
    ``TransitionNotAllowed`` when no URPS has answered yet.
    """
    if not permissions.can_transmit_guichet_opinion(by, project):
        raise PermissionDenied
    with transaction.atomic():
        review = selectors.guichet_review_of_deposit(project)
        if review is None or review.transmitted_at is not None or not review.opinions.exists():
            raise workflow.TransitionNotAllowed(
                _("Aucune URPS n’a encore rendu son avis sur cette lettre d’intention."),
                missing=[_("L’avis d’au moins une URPS de la région")],
            )
        review.transmitted_at = timezone.now()
        review.transmitted_by = by
        review.comment = comment.strip()
        review.save(update_fields=["transmitted_at", "transmitted_by", "comment"])
        state = selectors.guichet_state(project)
        summary = state.consolidated.summary
        if review.comment:
            summary += "\n\n" + review.comment
        event = workflow.transition(project, Stage.URPS_OPINION, by=by, comment=summary)
        to = selectors.institution_recipients(selectors.region_ars_ids(project), leaving_out=by)
        if to:
            queue_email(
                to,
                "projects/emails/guichet_opinion",
                {
                    "project": project,
                    "state": state,
                    "review": review,
                    "event": event,
                    "project_url": absolute_url(project.get_absolute_url()),
                },
                related=project,
            )
    return review


def record_am_opinion(
    project: CptsProject, by: AbstractBaseUser, **values
) -> AssuranceMaladieOpinion:
    """Save the Assurance Maladie avis (``values``: verdict, comment) on the deposited
    projet de santé; the ARS is told by email."""
    if not permissions.can_give_am_opinion(by, project):
        raise PermissionDenied
    with transaction.atomic():
        opinion = store_opinion(AssuranceMaladieOpinion, project, by, values)
        event = record_event(
            project,
            ProjectEvent.Kind.OPINION,
            by=by,
            comment=_("Avis de l’Assurance Maladie : %(verdict)s. %(comment)s")
            % {"verdict": opinion.get_verdict_display(), "comment": opinion.comment},
        )
        email_project_staff(
            project,
            (Role.ARS,),
            "projects/emails/am_opinion",
            {
                "opinion": opinion,
                "event": event,
                "project_url": absolute_url(project.get_absolute_url()),
            },
            leaving_out=by,
        )
    return opinion


def email_project_staff(
    project: CptsProject,
    roles: tuple[str, ...],
    template: str,
    context: dict[str, Any],
    *,
    leaving_out: AbstractBaseUser | None = None,
) -> None:
    """Queue ``template`` (``context`` plus ``project``) to the active staff of ``roles``
    following the project, not its coordinators, leaving out ``leaving_out`` (the author);
    nothing is queued when no one is left."""
    email_project(project, template, context, roles=roles, leaving_out=leaving_out)


def email_project(
    project: CptsProject,
    template: str,
    context: dict[str, Any],
    *,
    roles: tuple[str, ...] = (),
    coordinators: bool = False,
    leaving_out: AbstractBaseUser | None = None,
) -> None:
    """Queue ``template`` (``context`` plus ``project`` and its region's identity) to the
    project's coordinators (with ``coordinators``) and the active staff of ``roles`` of its
    region (``selectors.project_recipients``), leaving out ``leaving_out`` (the author);
    nothing is queued when no one is left."""
    to = selectors.project_recipients(
        project, roles, coordinators=coordinators, leaving_out=leaving_out
    )
    if to:
        context = {
            "project": project,
            "region_identity": region_identity(project.region),
            **context,
        }
        queue_email(to, template, context, related=project)


def update_milestone(milestone: Milestone, by: AbstractBaseUser, due_on, done_on) -> None:
    project = milestone.project
    if not permissions.can_edit_milestones(by, project):
        raise PermissionDenied
    if (milestone.due_on, milestone.done_on) == (due_on, done_on):
        return
    with transaction.atomic():
        milestone.due_on, milestone.done_on = due_on, done_on
        milestone.save(update_fields=["due_on", "done_on"])
        parts = [milestone.label]
        if due_on:
            parts.append(_("échéance le %(date)s") % {"date": due_on.strftime("%d/%m/%Y")})
        if done_on:
            parts.append(_("réalisé le %(date)s") % {"date": done_on.strftime("%d/%m/%Y")})
        record_event(project, ProjectEvent.Kind.MILESTONE, by=by, comment=" — ".join(parts))


# --- ACI contract ------------------------------------------------------------------------


def update_contract_parties(contract: AciContract, by: AbstractBaseUser, names: dict) -> None:
    """Record the names of the three signatories (ARS or Assurance Maladie); in history."""
    project = contract.project
    if not permissions.can_follow_contract(by, project):
        raise PermissionDenied
    changed = [
        str(AciContract._meta.get_field(name).verbose_name)
        for name, value in names.items()
        if getattr(contract, name) != value
    ]
    if not changed:
        return
    with transaction.atomic():
        for name, value in names.items():
            setattr(contract, name, value)
        contract.save(update_fields=list(names))
        record_event(
            project,
            ProjectEvent.Kind.CONTRACT,
            by=by,
            comment=_("Parties au contrat ACI modifiées : %(fields)s")
            % {"fields": ", ".join(changed)},
        )


def add_amendment(
    contract: AciContract,
    by: AbstractBaseUser,
    signed_on: date,
    subject: str,
    upload: UploadedFile,
    *,
    missions: Iterable[str] | None = None,
    retake_amounts: bool = False,
) -> Amendment:
    """Record an avenant: the checked upload (a document of kind « avenant »), its date
    and object, the new version of the contract's terms it makes (``missions``: those it
    sets, the current ones by default; ``retake_amounts``: the amounts of the scale in
    force on its date, ``contract_services.amend_terms``), and a « suivi du contrat »
    history entry, in one transaction.

    Raises ``PermissionDenied`` unless ``by`` follows the contract (ARS, Assurance
    Maladie), ``ValidationError`` for a file refused by ``validate_upload``.
    """
    project = contract.project
    if not permissions.can_follow_contract(by, project):
        raise PermissionDenied
    with transaction.atomic():
        document = add_document(project, DocumentKind.AMENDMENT, upload, by, title=subject)
        amendment = Amendment.objects.create(
            contract=contract,
            signed_on=signed_on,
            subject=subject,
            document=document,
            recorded_by=by,
        )
        terms = contract_services.amend_terms(
            contract,
            by,
            amendment,
            missions=contract.missions if missions is None else missions,
            retake_amounts=retake_amounts,
        )
        record_event(
            project,
            ProjectEvent.Kind.CONTRACT,
            by=by,
            comment=_("Avenant du %(date)s : %(subject)s")
            % {"date": signed_on.strftime("%d/%m/%Y"), "subject": subject},
            data={"terms_version": terms.version, "missions": list(contract.missions)},
        )
    return amendment


# --- Territory -----------------------------------------------------------------------------


def territory_is_shared(territory: Territory, project: CptsProject) -> bool:
    """Whether another project or an AMI answer uses this territory row."""
    return territory.is_used_by_other_than(project)


def assignable_territories(project: CptsProject | None = None) -> QuerySet[Territory]:
    """The territory rows a project may take: a territory has one owner, so neither an AMI
    answer's « territoire envisagé » nor another project's row (the project's own stays)."""
    others = CptsProject.objects.filter(territory__isnull=False)
    if project is not None and project.pk:
        others = others.exclude(pk=project.pk)
    return Territory.objects.filter(submission__isnull=True).exclude(
        pk__in=others.values("territory")
    )


def check_territory_is_free(territory: Territory, project: CptsProject | None = None) -> None:
    """Raise ``ValidationError`` unless ``project`` (a new one: None) may take this row."""
    if not assignable_territories(project).filter(pk=territory.pk).exists():
        raise ValidationError(
            _(
                "Ce territoire appartient à une réponse à l’AMI ou à un autre projet. "
                "Choisissez-en un autre, ou construisez celui du projet commune par commune."
            ),
            code="territory_owned",
        )


def overlap_refusal(
    blocking: Iterable[CptsProject], user: AbstractBaseUser | None = None, region_id=None
) -> ValidationError:
    """The overlap rule's refusal, naming the earlier projects that keep their place; with
    ``user``, another region's project they may not read is not named (``region_id``: the
    region of the territory refused)."""
    names = (
        [other.name for other in blocking]
        if user is None
        else [other.name for other in selectors.shown_projects(list(blocking), user, region_id)]
    )
    return ValidationError(
        _(
            "Ce territoire partage des communes avec %(projects)s. Deux CPTS ne peuvent "
            "coexister sur un même territoire : indiquez le motif d’une dérogation pour "
            "l’enregistrer malgré tout."
        )
        % {"projects": ", ".join(f"« {name} »" for name in names)},
        code="overlap",
    )


def change_project_territory(
    project: CptsProject,
    by: AbstractBaseUser,
    *,
    territory: Territory | None = None,
    communes: Iterable[Commune] | None = None,
    override_reason: str = "",
) -> ProjectEvent | None:
    """The one way a project's territory changes (project pages, territory builder, admin).

    Give either ``territory``, a row no AMI answer nor other project owns (the project
    takes it), or ``communes``: the project's own row gets them, a new row named after
    the project when it has none or shares it (data from before a territory had one
    owner). Neither: the project has no territory any more.

    The overlap rule: the first project keeps its place until the ARS records an
    override. If the new communes meet an earlier active project's without an override,
    the change needs ``override_reason``; with it, an override is recorded for each such
    project (``record_overlap_override``, ARS only). Side effects, in one transaction: the
    project saved with ``update_fields``, the overrides, one « projet modifié » history
    entry with the territory and its number of communes, which is returned; None when
    nothing changed.

    Raises ``PermissionDenied`` unless ``by`` manages projects, ``ValidationError``
    (French message) for a row owned elsewhere or an overlap without a reason.
    """
    if not permissions.can_manage(by, project):
        raise PermissionDenied
    with transaction.atomic():
        if communes is not None:
            communes = list(communes)
            commune_ids = [commune.pk for commune in communes]
            if project.territory_id and set(commune_ids) == set(
                project.territory.communes.values_list("pk", flat=True)
            ):
                return None
        elif territory is not None:
            if territory.pk == project.territory_id:
                return None
            check_territory_is_free(territory, project)
            commune_ids = list(territory.communes.values_list("pk", flat=True))
        else:
            if project.territory_id is None:
                return None
            commune_ids = []
        blocking = selectors.blocking_projects(project, commune_ids) if commune_ids else []
        if blocking and not override_reason.strip():
            raise overlap_refusal(blocking, by, project.region_id)
        if communes is not None:
            territory = project.territory
            if territory is None or territory_is_shared(territory, project):
                territory = Territory.objects.create(name=project.name, region_id=project.region_id)
            territory.communes.set(communes)
            territory.save(update_fields=["updated_at"])
            comment = _("Territoire : %(count)d commune(s)") % {"count": len(commune_ids)}
        elif territory is not None:
            comment = _("Territoire : « %(name)s », %(count)d commune(s)") % {
                "name": territory.name,
                "count": len(commune_ids),
            }
        else:
            comment = _("Territoire retiré du projet")
        project.territory = territory
        project.save(update_fields=["territory", "updated_at"])
        for other in blocking:
            record_overlap_override(project, other, override_reason, by)
        return record_event(project, ProjectEvent.Kind.EDITED, by=by, comment=comment)


def set_territory_communes(
    project: CptsProject,
    by: AbstractBaseUser,
    communes: Iterable[Commune],
    override_reason: str = "",
) -> Territory:
    """The territory builder's save: ``change_project_territory`` with these communes,
    while the project is active (``permissions.can_edit_territory``)."""
    if not permissions.can_edit_territory(by, project):
        raise PermissionDenied
    change_project_territory(project, by, communes=communes, override_reason=override_reason)
    return project.territory


# --- The writes of the project's pages (a view writes nothing: it passes cleaned data) ----


def apply_values(instance: models.Model, values: dict[str, Any]) -> list[str]:
    """Set ``values`` on ``instance`` (not saved); the labels of the fields that changed."""
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(str(capfirst(instance._meta.get_field(name).verbose_name)))
    return changed


def save_letter(project: CptsProject, by: AbstractBaseUser, values: dict[str, Any]) -> list[str]:
    """Save the lettre d'intention's contents (``LetterForm``'s cleaned data); the labels
    of the changed fields, in one « projet modifié » history entry when there are some.
    Raises ``PermissionDenied`` unless ``by`` may edit the letter."""
    if not permissions.can_edit_letter(by, project):
        raise PermissionDenied
    # A fresh row: a ModelForm on ``project.letter`` already set the values on that one.
    letter = LetterOfIntent.objects.get(project=project)
    with transaction.atomic():
        changed = apply_values(letter, values)
        if changed:
            letter.save()
            record_edit(project, by, _("Lettre d’intention"), changed)
    return changed


def save_legal_holder(
    project: CptsProject, by: AbstractBaseUser, values: dict[str, Any]
) -> LegalHolder:
    """Create or update the association porteuse; the changed fields go to the history."""
    if not permissions.can_edit_holder(by, project):
        raise PermissionDenied
    holder = LegalHolder.objects.filter(project=project).first() or LegalHolder(project=project)
    with transaction.atomic():
        changed = apply_values(holder, values)
        if changed or holder.pk is None:
            holder.save()
        record_edit(project, by, _("Association porteuse"), changed)
    return holder


@dataclass(frozen=True)
class ActionSheetRow:
    """One fiche-action of the projet de santé's page: ``pk`` None for a new one."""

    values: dict[str, Any]
    pk: int | None = None
    delete: bool = False


def save_health_project(
    project: CptsProject,
    by: AbstractBaseUser,
    values: dict[str, Any],
    sheets: Iterable[ActionSheetRow] = (),
) -> list[str]:
    """Save the projet de santé and the changed rows of its fiches-actions.

    Side effects, in one transaction: the projet de santé saved when a field changed; each
    row created, updated or deleted (only the project's own fiches-actions: another pk is
    refused); one « projet modifié » history entry naming the changed fields and
    « fiches-actions »; the first save after the letter's validation moves the project to
    « projet de santé en rédaction » (``workflow.transition``). Returns the changed labels.
    Raises ``PermissionDenied`` unless ``by`` may edit the projet de santé.
    """
    if not permissions.can_edit_health_project(by, project):
        raise PermissionDenied
    health = HealthProject.objects.get(project=project)  # fresh, as in save_letter
    with transaction.atomic():
        changed = apply_values(health, values)
        if changed:
            health.save()
        sheets_changed = False
        for row in sheets:
            if row.pk is None:
                sheet = ActionSheet(health_project=health)
            else:
                sheet = health.action_sheets.filter(pk=row.pk).first()
                if sheet is None:
                    raise PermissionDenied
            if row.delete:
                if sheet.pk is not None:
                    sheet.delete()
                    sheets_changed = True
            elif apply_values(sheet, row.values) or sheet.pk is None:
                sheet.save()
                sheets_changed = True
        if sheets_changed:
            changed.append(str(_("fiches-actions")))
        record_edit(project, by, _("Projet de santé"), changed)
        if project.stage == Stage.LETTER_VALIDATED:
            workflow.transition(project, Stage.HEALTH_PROJECT_DRAFTING, by=by)
    return changed
