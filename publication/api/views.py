"""Read-only endpoints of the API for the information systems of the ARS and partners.

Every object is scoped by the reader's regions as on the pages (``scope_by_region``: an
object of another region is absent from lists and a 404 on its own), the communes of the
reference geography excepted. Every list has a fixed number of queries whatever its
length (``tests/publication``); reads of answers (personal data) are written to the access
log like the exports, with the token's institution.
"""

from typing import Any

import django_filters
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework import filters, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

from ami.audit import record_access
from ami.models import AccessLog, Actor, Submission
from projects.models import AciContract, CptsProject, Stage
from territories.models import Commune, Territory
from territories.permissions import scope_by_region

from ..models import ApiToken
from ..permissions import sees_personal_data
from . import serializers
from .authentication import TokenHolder
from .permissions import IsPartnerStaff


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class TokenRateThrottle(ScopedRateThrottle):
    """The rate limit of a token is its own (a token has no account id to count by)."""

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        return super().get_cache_key(request, view)


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsPartnerStaff]
    throttle_classes = [TokenRateThrottle]
    pagination_class = Pagination
    filter_backends = [
        django_filters.rest_framework.DjangoFilterBackend,
        filters.OrderingFilter,
    ]
    throttle_scope = "api"


class ProjectFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Nom (contient)")
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label="Étape")

    class Meta:
        model = CptsProject
        fields = ["name", "stage"]


class ProjectViewSet(ReadOnlyViewSet):
    """Projets de CPTS, avec la population et la taille de leur territoire."""

    serializer_class = serializers.ProjectSerializer
    filterset_class = ProjectFilter
    ordering_fields = ["name", "stage_changed_at", "created_at", "population"]
    ordering = ["name", "pk"]

    def get_queryset(self) -> QuerySet[CptsProject]:
        return scope_by_region(
            CptsProject.objects.select_related("territory", "publication")
            .annotate(
                commune_count=Count("territory__communes"),
                population=Coalesce(Sum("territory__communes__population"), 0),
            )
            .order_by("name", "pk"),
            self.request.user,
        )


class TerritoryViewSet(ReadOnlyViewSet):
    """Territoires (ensembles de communes) avec leur population et leur taille ACI."""

    serializer_class = serializers.TerritorySerializer
    filterset_fields = {"name": ["icontains"]}
    ordering_fields = ["name", "updated_at", "population"]
    ordering = ["name", "pk"]

    def get_queryset(self) -> QuerySet[Territory]:
        return scope_by_region(
            Territory.objects.annotate(population=Coalesce(Sum("communes__population"), 0))
            .prefetch_related(Prefetch("communes", Commune.objects.only("pk", "insee_code")))
            .order_by("name", "pk"),
            self.request.user,
        )


class SubmissionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Submission.Status.choices)
    campaign = django_filters.CharFilter(field_name="campaign__slug", label="Campagne (slug)")
    submitted_after = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte")

    class Meta:
        model = Submission
        fields = ["status", "campaign", "submitted_after"]


class SubmissionViewSet(ReadOnlyViewSet):
    """Réponses à l’AMI (données personnelles : chaque lecture est journalisée ; les acteurs
    et les référents seulement pour les rôles qui les lisent sur les pages)."""

    filterset_class = SubmissionFilter
    ordering_fields = ["submitted_at", "status_changed_at"]
    ordering = ["-submitted_at", "-pk"]

    def get_serializer_class(self) -> type[serializers.SubmissionSummarySerializer]:
        if getattr(self, "swagger_fake_view", False) or sees_personal_data(self.request.user):
            return serializers.SubmissionSerializer
        return serializers.SubmissionSummarySerializer

    def get_queryset(self) -> QuerySet[Submission]:
        rows = Submission.objects.select_related("campaign", "territory").prefetch_related(
            Prefetch("territory__communes", Commune.objects.only("pk", "insee_code"))
        )
        if sees_personal_data(self.request.user):
            rows = rows.prefetch_related(
                Prefetch("actors", queryset=Actor.objects.select_related("practice_commune")),
                "referents",
            )
        return scope_by_region(
            rows.order_by("-submitted_at", "-pk"), self.request.user, "campaign__region"
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else []
        log_api_read(
            request,
            AccessLog.Action.EXPORT,
            details={
                "query": request.GET.urlencode()[:200],
                "references": [row["reference"] for row in rows],
            },
            reference="API",
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        submission = self.get_object()
        log_api_read(request, AccessLog.Action.SUBMISSION_VIEWED, submission)
        return super().retrieve(request, *args, **kwargs)


def log_api_read(
    request: Request,
    action: AccessLog.Action,
    submission: Submission | None = None,
    details: dict[str, Any] | None = None,
    **kwargs: str,
) -> None:
    """A line of the access log for an API read: the path, and for a token its institution
    (the reader: a token has no account) and which token."""
    details = {"api": request.path, **(details or {})}
    user = request.user
    if isinstance(user, TokenHolder):
        token = user.token
        details |= {
            "token": token.prefix,
            "institution": token.holder_label,
            "institution_id": token.institution_id,
            "region": token.institution.region.code if token.institution else None,
        }
        user = None
    record_access(user, action, submission, details, label=details.get("institution", ""), **kwargs)


class ContractViewSet(ReadOnlyViewSet):
    """Contrats ACI signés, avec leurs missions et leur échéance : pour un projet renouvelé,
    le contrat en vigueur seulement."""

    serializer_class = serializers.ContractSerializer
    filterset_fields = {"signed_on": ["gte", "lte"]}
    ordering_fields = ["signed_on"]
    ordering = ["-signed_on", "pk"]

    def get_queryset(self) -> QuerySet[AciContract]:
        return scope_by_region(
            AciContract.objects.in_force(timezone.localdate())
            .select_related("project")
            .order_by("-signed_on", "pk"),
            self.request.user,
            "project__region",
        )


class CommuneFilter(django_filters.FilterSet):
    departement = django_filters.CharFilter(field_name="departement__code", label="Département")
    region = django_filters.CharFilter(field_name="departement__region__code", label="Région")
    insee_code = django_filters.BaseInFilter(field_name="insee_code", label="Codes INSEE")

    class Meta:
        model = Commune
        fields = ["departement", "region", "insee_code", "is_current"]


class CommuneViewSet(ReadOnlyViewSet):
    """Communes de la géographie de référence (COG de l’INSEE), par code INSEE."""

    serializer_class = serializers.CommuneSerializer
    filterset_class = CommuneFilter
    lookup_field = "insee_code"
    ordering_fields = ["insee_code", "population"]
    ordering = ["insee_code"]

    def get_queryset(self) -> QuerySet[Commune]:
        return Commune.objects.select_related("departement__region", "epci").order_by("insee_code")
