"""Filters of the staff dashboard, shared by its list, exports, PDF batches and statistics."""

import django_filters
import django_filters.fields
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cpts_portal.roles import STAFF_ROLES
from territories.models import Departement, Territory
from territories.permissions import EVERY_REGION, region_scope, scope_by_region

from .models import Actor, Campaign, Objective, Referent, Submission

OBJECTIVE_FIELDS = {
    Objective.INFORMATION: "wants_information",
    Objective.REFLECTION: "has_reflection",
    Objective.INITIATIVE: "has_initiative",
}


def assignable_users(regions: frozenset[int] | None = EVERY_REGION) -> QuerySet:
    """Active members of the staff groups, and superusers: who may hold an answer.

    ``regions``: no agent attached to an institution of another region (superusers kept),
    e.g. ``region_scope(user)`` for the choices of a regional agent.
    """
    members = Q(groups__name__in=STAFF_ROLES)
    if regions is not EVERY_REGION:
        # Agents not attached to an institution yet are kept: they read no region (nothing
        # leaks to them), and an upgraded deployment's accounts are attached afterwards.
        members &= Q(staff_membership__institution__region__in=regions) | Q(staff_membership=None)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(members | Q(is_superuser=True))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class UserLabelMixin:
    """Users by their full name rather than their login."""

    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


class UserChoiceField(UserLabelMixin, forms.ModelChoiceField):
    pass


class AssigneeFilter(django_filters.ModelChoiceFilter):
    # django-filter's own field class: it knows the "non attribuée" (null) choice.
    field_class = type(
        "AssigneeChoiceField", (UserLabelMixin, django_filters.fields.ModelChoiceField), {}
    )


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorts by the chosen column, then newest first, so pages never overlap."""

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "-submitted_at", "-pk")


def search(queryset: QuerySet[Submission], text: str) -> QuerySet[Submission]:
    """Answers whose actors, référents (names, emails), context or territory mention ``text``.

    A reference as displayed ("AMI-00012") finds its answer. ``Exists`` rather than joins:
    no duplicate rows, so no DISTINCT on the paginated list.
    """
    text = text.strip()
    if not text:
        return queryset
    actors = Actor.objects.filter(submission=OuterRef("pk"), name__icontains=text)
    referents = Referent.objects.filter(submission=OuterRef("pk")).filter(
        Q(name__icontains=text) | Q(email__icontains=text)
    )
    condition = (
        Exists(actors)
        | Exists(referents)
        | Q(context__icontains=text)
        | Q(territory_text__icontains=text)
    )
    reference = text.upper().removeprefix("AMI-")
    if reference.isascii() and reference.isdigit():
        condition |= Q(pk=int(reference))
    return queryset.filter(condition)


def in_departement(queryset: QuerySet[Submission], departement: Departement) -> QuerySet:
    """Answers with an actor practising, or a territory commune, in the département."""
    actors = Actor.objects.filter(
        submission=OuterRef("pk"), practice_commune__departement=departement
    )
    territories = Territory.objects.filter(
        pk=OuterRef("territory_id"), communes__departement=departement
    )
    return queryset.filter(Exists(actors) | Exists(territories))


class SubmissionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Recherche"),
        method="filter_q",
        help_text=_("Nom d’un acteur ou d’un référent, adresse électronique, contexte, territoire"),
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campagne"), queryset=Campaign.objects.all(), empty_label=_("Toutes")
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=Submission.Status.choices, empty_label=_("Tous")
    )
    objective = django_filters.ChoiceFilter(
        label=_("Objectif"),
        choices=Objective.choices,
        method="filter_objective",
        empty_label=_("Tous"),
    )
    departement = django_filters.ModelChoiceFilter(
        label=_("Département"),
        queryset=Departement.objects.order_by("code"),
        method="filter_departement",
        empty_label=_("Tous"),
        help_text=_("Des lieux d’exercice des acteurs ou des communes du territoire"),
    )
    assignee = AssigneeFilter(
        label=_("Agent en charge"),
        queryset=assignable_users(),
        empty_label=_("Tous"),
        null_label=_("Non attribuée"),
    )
    received_from = django_filters.DateFilter(
        label=_("Reçue à partir du"),
        field_name="submitted_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = django_filters.DateFilter(
        label=_("Reçue jusqu’au"),
        field_name="submitted_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    mine = django_filters.BooleanFilter(
        label=_("Seulement les réponses qui me sont attribuées"),
        method="filter_mine",
        widget=forms.CheckboxInput,
    )
    tri = StableOrderingFilter(
        fields=(
            ("pk", "reference"),
            ("submitted_at", "recue"),
            ("first_actor_name", "acteur"),
            ("status", "statut"),
            ("assignee__last_name", "agent"),
        ),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Submission
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The choices of the user's regions only: no campaign nor agent of another region is
        # named, and choosing one by its id finds nothing (the choice is invalid).
        user = getattr(self.request, "user", None)
        if user is not None:
            self.filters["campaign"].queryset = scope_by_region(Campaign.objects.all(), user)
            self.filters["assignee"].queryset = assignable_users(region_scope(user))

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search(queryset, value)

    def filter_objective(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{OBJECTIVE_FIELDS[Objective(value)]: True})

    def filter_departement(self, queryset: QuerySet, name: str, value: Departement) -> QuerySet:
        return in_departement(queryset, value)

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value or self.request is None:
            return queryset
        return queryset.filter(assignee=self.request.user)


# Column keys of the list, in the order of the table: what the "tri" parameter accepts.
SORTABLE_COLUMNS = ("reference", "recue", "acteur", "statut", "agent")
