"""Django admin of the projects: browse, filter, fix a date; the pipeline is on the project pages.

Stage changes go through ``projects.workflow.transition`` from the project page (they may
ask for data such as the FIR amount), so the admin shows the stage read-only; projects are
created from /projets/nouveau/ or from an AMI answer, which also create their milestones.
A project's name, territory and coordinators are saved by ``services.update_project``, so
the admin follows the project pages' rules (a territory has one owner, the overlap rule
with the reason of an override) and the history says who changed what.
"""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cpts_portal.admin import ReadOnlyInline
from cpts_portal.forms import PortalModelForm
from territories.admin import RegionScopedAdmin

from . import services
from .forms import ProjectTerritoryMixin
from .models import (
    AciContract,
    Amendment,
    AnnualReport,
    ContractPayment,
    ContractTerms,
    CptsProject,
    Document,
    FundingRate,
    FundingScale,
    LegalHolder,
    ManagementDialogue,
    Milestone,
    MissionDeadline,
    MissionIndicator,
    ProjectEvent,
    SentReminder,
    TerritoryOverlapOverride,
)


class LegalHolderInline(admin.StackedInline):
    model = LegalHolder
    extra = 0
    max_num = 1


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("label", "phase", "due_on", "done_on")
    readonly_fields = ("label", "phase")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = ("kind", "download", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    @admin.display(description=_("fichier"))
    def download(self, obj: Document) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name)


class EventInline(ReadOnlyInline):
    model = ProjectEvent
    fields = ("created_at", "kind", "author", "from_state", "to_state", "comment")
    verbose_name_plural = _("historique")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author")


class CptsProjectAdminForm(ProjectTerritoryMixin, PortalModelForm):
    """The admin's project form: the territories a project may own, the overlap rule."""

    override_reason = forms.CharField(
        label=_("Motif de la dérogation au chevauchement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "À remplir seulement si le territoire partage des communes avec un autre projet "
            "actif : « Deux CPTS ne peuvent coexister sur un même territoire »."
        ),
    )

    class Meta:
        model = CptsProject
        fields = ["name", "territory", "coordinators", "submissions"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "territory" in self.fields:
            self.limit_territory_choices()
        else:
            self.blocking = []

    def clean(self) -> dict:
        data = super().clean()
        self.check_territory_overlap(data)
        return data


STAGE_AND_KEY_DATES = (
    "stage",
    "stage_changed_at",
    "abandoned_from",
    "letter_deposited_on",
    "letter_validated_on",
    "fir_amount",
    "fir_granted_on",
    "health_project_deposited_on",
    "health_project_validated_on",
    "running_since",
    "abandoned_on",
    "created_at",
    "created_by",
)


@admin.register(CptsProject)
class CptsProjectAdmin(RegionScopedAdmin):
    form = CptsProjectAdminForm
    list_display = (
        "name",
        "stage",
        "territory",
        "region",
        "stage_changed_at",
        "created_at",
        "page",
    )
    list_filter = (
        "stage",
        "region",
        ("coordinators", admin.RelatedOnlyFieldListFilter),
        "letter_validated_on",
        "created_at",
    )
    list_select_related = ("territory", "region")
    search_fields = ("name", "territory__name", "legal_holder__name", "legal_holder__rna_number")
    date_hierarchy = "created_at"
    filter_horizontal = ("coordinators",)
    # The territory is a select of the rows this project may own, not a raw id.
    raw_id_fields = ("submissions",)
    # Written only by projects.workflow.transition and the services: shown, never edited here.
    # The region follows the project from its creation (``services.create_project``).
    readonly_fields = ("region", *STAGE_AND_KEY_DATES)
    fieldsets = (
        (
            None,
            {"fields": ("name", "territory", "override_reason", "coordinators", "submissions")},
        ),
        (
            _("Étape et dates clés"),
            {"fields": ("region", *STAGE_AND_KEY_DATES)},
        ),
    )
    inlines = [LegalHolderInline, MilestoneInline, DocumentInline, EventInline]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        """The form offers the territories of the user's regions, and its overlap refusal
        does not name another region's project they may not read."""
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # a class made for this request by modelform_factory
        return form

    @admin.display(description=_("page du projet"))
    def page(self, obj: CptsProject) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Ouvrir"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CptsProject, form: forms.ModelForm, change: bool
    ) -> None:
        """Through the service, from the saved row (``obj`` already holds the form's values),
        so that it sees what changed; the answers linked are saved with the form's m2m."""
        saved = CptsProject.objects.get(pk=obj.pk)
        services.update_project(
            saved,
            request.user,
            {
                name: form.cleaned_data[name]
                for name in ("name", "territory", "coordinators")
                if name in form.cleaned_data
            },
            override_reason=form.cleaned_data.get("override_reason", "") if form.blocking else "",
        )
        obj.updated_at = saved.updated_at


class FundingRateInline(admin.TabularInline):
    model = FundingRate
    extra = 0
    fields = ("tier", "item", "fixed_amount", "variable_amount", "source", "source_status")


@admin.register(FundingScale)
class FundingScaleAdmin(admin.ModelAdmin):
    """Versions of the ACI funding scale: the simulation uses the one in force today."""

    list_display = ("name", "valid_from", "valid_until", "source_status", "in_force")
    fields = ("name", "source", "source_status", "valid_from", "valid_until")
    inlines = [FundingRateInline]

    @admin.display(description=_("en vigueur aujourd’hui"), boolean=True)
    def in_force(self, obj: FundingScale) -> bool:
        return FundingScale.objects.in_force(timezone.localdate()) == obj


@admin.register(FundingRate)
class FundingRateAdmin(admin.ModelAdmin):
    list_display = ("scale", "tier", "item", "fixed_amount", "variable_amount")
    list_filter = ("scale", "tier", "item")
    list_select_related = ("scale",)


@admin.register(MissionDeadline)
class MissionDeadlineAdmin(admin.ModelAdmin):
    """The ACI's delays for starting and fully deploying each mission, with their source."""

    list_display = (
        "mission",
        "start_within_months",
        "deployed_within_months",
        "source_status",
        "updated_at",
    )
    fields = ("mission", "start_within_months", "deployed_within_months", "source", "source_status")


@admin.register(MissionIndicator)
class MissionIndicatorAdmin(admin.ModelAdmin):
    """The indicators of each mission and their default targets, copied into a contract at
    its signature (a signed contract keeps its own copy)."""

    list_display = ("mission", "name", "unit", "target", "source_status")
    list_filter = ("mission", "source_status")
    fields = ("mission", "name", "unit", "target", "source", "source_status", "position")


@admin.register(SentReminder)
class SentReminderAdmin(RegionScopedAdmin):
    region_field = "project__region"
    list_display = ("sent_at", "kind", "project", "item", "due_on", "recipient_count")
    list_filter = ("kind", "sent_at")
    list_select_related = ("project",)
    search_fields = ("project__name",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(TerritoryOverlapOverride)
class TerritoryOverlapOverrideAdmin(RegionScopedAdmin):
    region_field = "project__region"
    list_display = ("project", "other_project", "by", "at")
    list_select_related = ("project", "other_project", "by")
    readonly_fields = ("project", "other_project", "reason", "by", "at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class DialogueInline(admin.TabularInline):
    """The covered years, the values validated and the balances decided are written by
    ``contract_services.record_dialogue`` (with the reports' validation): read-only here."""

    model = ManagementDialogue
    extra = 0
    fields = (
        "first_year",
        "year",
        "held_on",
        "participants",
        "summary",
        "decisions",
        "validated_values",
        "decided_balances",
        "recorded_by",
    )
    readonly_fields = ("first_year", "validated_values", "decided_balances", "recorded_by")


class TermsInline(ReadOnlyInline):
    """The frozen terms: written at the signature and by avenants, never edited."""

    model = ContractTerms
    fields = ("version", "effective_on", "reason", "scale", "terms", "recorded_by")
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    """Payments are recorded by the Assurance Maladie on the contract page (history)."""

    model = ContractPayment
    fields = ("year", "kind", "paid_on", "amount", "reference", "recorded_by")
    readonly_fields = fields


class ReportInline(ReadOnlyInline):
    """Annual reports are written by the coordinators and reviewed on the contract pages."""

    model = AnnualReport
    fields = ("year", "status", "submitted_at", "reviewed_at", "reviewed_by")
    readonly_fields = fields


class AmendmentInline(ReadOnlyInline):
    """Avenants are recorded with their document on the contract page."""

    model = Amendment
    fields = ("signed_on", "subject", "document", "recorded_by")
    readonly_fields = fields


@admin.register(AciContract)
class AciContractAdmin(RegionScopedAdmin):
    region_field = "project__region"
    list_display = ("project", "signed_on", "ends_on", "cpam_name")
    list_select_related = ("project",)
    list_filter = ("signed_on",)
    readonly_fields = ("project", "ends_on", "missions", "term_years", "recorded_by", "created_at")
    fields = (
        "project",
        "signed_on",
        "ends_on",
        "term_years",
        "cpts_name",
        "cpam_name",
        "ars_name",
        "missions",
        "outcome",
        "outcome_on",
        "recorded_by",
        "created_at",
    )
    inlines = [TermsInline, PaymentInline, ReportInline, DialogueInline, AmendmentInline]

    @admin.display(description=_("fin du contrat"))
    def ends_on(self, obj: AciContract):
        return obj.ends_on

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(RegionScopedAdmin):
    region_field = "project__region"
    list_display = ("original_name", "kind", "project", "size", "uploaded_at", "download")
    list_filter = ("kind", "uploaded_at")
    list_select_related = ("project",)
    search_fields = ("original_name", "project__name")
    fields = (
        "project",
        "kind",
        "title",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = fields

    @admin.display(description=_("télécharger"))
    def download(self, obj: Document) -> str:
        url = reverse(
            "projects:document_download", kwargs={"pk": obj.project_id, "document_pk": obj.pk}
        )
        return format_html('<a href="{}">{}</a>', url, _("Télécharger"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
