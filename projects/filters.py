"""Filters of the project list (staff): stage, département, size tier, coordinator, overdue.

They work on ``selectors.project_list``, whose rows carry the territory's ``population``
and their ``overdue_count``; every filter is a condition on the row (``Exists`` rather
than joins), so no DISTINCT and the same number of queries for 1 or 100 rows.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from territories.models import Commune, Departement
from territories.rules import SIZE_TIERS

from .models import CptsProject, Stage
from .selectors import coordinators_visible_to


class CoordinatorFilter(django_filters.ModelChoiceFilter):
    field_class = type(
        "CoordinatorChoiceField",
        (django_filters.fields.ModelChoiceField,),
        {"label_from_instance": lambda self, user: user.get_full_name() or user.get_username()},
    )


class ProjectFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(
        label=_("Étape"), choices=Stage.choices, empty_label=_("Toutes")
    )
    departement = django_filters.ModelChoiceFilter(
        label=_("Département"),
        queryset=Departement.objects.order_by("code"),
        method="filter_departement",
        empty_label=_("Tous"),
        help_text=_("Projets dont le territoire compte au moins une commune du département"),
    )
    tier = django_filters.ChoiceFilter(
        label=_("Taille de CPTS"),
        choices=[(str(tier.number), tier.label) for tier in SIZE_TIERS],
        method="filter_tier",
        empty_label=_("Toutes"),
    )
    coordinator = CoordinatorFilter(
        label=_("Coordinateur"),
        queryset=coordinators_visible_to(None),
        method="filter_coordinator",
        empty_label=_("Tous"),
        null_label=_("Sans coordinateur"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Seulement les projets ayant des jalons en retard"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = CptsProject
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Evaluated per request: accounts created since start-up are offered too, those of
        # the agent's region only.
        user = getattr(self.request, "user", None)
        self.filters["coordinator"].queryset = coordinators_visible_to(user)

    def filter_departement(self, queryset: QuerySet, name: str, value: Departement) -> QuerySet:
        communes = Commune.objects.filter(territories=OuterRef("territory"), departement=value)
        return queryset.filter(Exists(communes))

    def filter_tier(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        tier = next(tier for tier in SIZE_TIERS if str(tier.number) == value)
        queryset = queryset.filter(population__gte=tier.lowest)
        if tier.highest is not None:
            queryset = queryset.filter(population__lte=tier.highest)
        return queryset

    def filter_coordinator(self, queryset: QuerySet, name: str, value) -> QuerySet:
        links = CptsProject.coordinators.through.objects.filter(cptsproject=OuterRef("pk"))
        if value == self.filters["coordinator"].null_value:
            return queryset.filter(~Exists(links))
        return queryset.filter(Exists(links.filter(user=value)))

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(overdue_count__gt=0)
