from contextvars import ContextVar

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cpts_portal.admin import ReadOnlyInline
from territories.models import Region
from territories.permissions import EVERY_REGION, User, home_region, region_scope, scope_by_region

from . import workflow
from .audit import record_access
from .filters import assignable_users
from .models import AccessLog, Actor, Campaign, Referent, Submission, SubmissionEvent
from .selectors import same_territory_projects, same_territory_submissions
from .staff import services as staff_services


class RegionScopedAdmin(admin.ModelAdmin):
    """The rows of the regions the user reads (``territories.permissions``): a regional
    agent's lists, counts and object pages hold their region's only (another region's
    object: « n'existe pas »), the national level and superusers every region's."""

    region_field = "region"  # the lookup path from the model to its region

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_by_region(super().get_queryset(request), request.user, self.region_field)


def own_regions(user: User) -> QuerySet[Region]:
    """The regions ``user`` reads, for the choices of a region field."""
    scope = region_scope(user)
    regions = Region.objects.order_by("name")
    return regions if scope is EVERY_REGION else regions.filter(pk__in=scope)


@admin.register(Campaign)
class CampaignAdmin(RegionScopedAdmin):
    list_display = ("title", "edition", "region", "opens_on", "closes_on", "contact_email")
    list_filter = (("region", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("title", "edition")
    prepopulated_fields = {"slug": ("title", "edition")}
    date_hierarchy = "opens_on"

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        # A regional ARS agent creates and edits their region's campaigns only.
        if db_field.name == "region":
            kwargs["queryset"] = own_regions(request.user)
            kwargs.setdefault("initial", home_region(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ActorInline(ReadOnlyInline):
    model = Actor
    fields = (
        "name",
        "profession",
        "profession_other",
        "practice_place",
        "practice_setting",
        "structure_name",
    )


class ReferentInline(ReadOnlyInline):
    model = Referent
    fields = ("name", "function", "email", "phone")


class EventInline(ReadOnlyInline):
    model = SubmissionEvent
    fields = ("created_at", "kind", "author", "from_state", "to_state", "comment", "changes")
    verbose_name_plural = _("historique")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author")


class SubmissionAdminForm(forms.ModelForm):
    """Status changes go through ``ami.workflow.transition``, never by editing the field."""

    new_status = forms.ChoiceField(label=_("Changer le statut"), required=False)
    transition_comment = forms.CharField(
        label=_("Commentaire du changement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Submission
        fields = ["assignee"]


class ObjectiveFilter(admin.SimpleListFilter):
    title = _("objectif")
    parameter_name = "objectif"
    fields = {
        "information": "wants_information",
        "reflection": "has_reflection",
        "initiative": "has_initiative",
    }

    def lookups(self, request, model_admin):
        return [
            (key, Submission._meta.get_field(field).verbose_name)
            for key, field in self.fields.items()
        ]

    def queryset(self, request, queryset):
        field = self.fields.get(self.value())
        return queryset.filter(**{field: True}) if field else queryset


# The user of the admin page being rendered: « acteurs du même territoire » (a display
# method, without the request) lists the answers they may read only.
reader: ContextVar[User | None] = ContextVar("ami_admin_reader", default=None)


@admin.register(Submission)
class SubmissionAdmin(RegionScopedAdmin):
    region_field = "campaign__region"
    form = SubmissionAdminForm
    list_display = ("reference", "campaign", "first_actor", "status", "assignee", "submitted_at")
    list_filter = (
        ("campaign__region", admin.RelatedOnlyFieldListFilter),
        ("campaign", admin.RelatedOnlyFieldListFilter),
        "status",
        ObjectiveFilter,
        "submitted_at",
    )
    list_select_related = ("campaign", "assignee")
    search_fields = (
        "actors__name",
        "referents__name",
        "referents__email",
        "context",
        "territory_text",
    )
    date_hierarchy = "submitted_at"
    readonly_fields = (
        "reference",
        "campaign",
        "status",
        "submitted_at",
        "updated_at",
        "wants_information",
        "has_reflection",
        "has_initiative",
        "context",
        "territory_text",
        "meeting_wished_by",
        "meeting_wish",
        "territory_summary",
        "same_territory",
        "access_expires_at",
        "anonymised_at",
    )
    fieldsets = (
        (None, {"fields": ("reference", "campaign", "status", "submitted_at", "updated_at")}),
        (
            _("Objectifs attendus"),
            {"fields": ("wants_information", "has_reflection", "has_initiative")},
        ),
        (
            _("Réponse"),
            {"fields": ("context", "territory_text", "meeting_wished_by", "meeting_wish")},
        ),
        (_("Territoire"), {"fields": ("territory_summary", "same_territory")}),
        (_("Traitement"), {"fields": ("assignee", "new_status", "transition_comment")}),
        (_("Données personnelles"), {"fields": ("access_expires_at", "anonymised_at")}),
    )
    inlines = [ActorInline, ReferentInline, EventInline]
    actions = ["take_into_review"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The first actor's name, for the list, in the same query.
        first_actor = (
            Actor.objects.filter(submission=OuterRef("pk")).order_by("pk").values("name")[:1]
        )
        return super().get_queryset(request).annotate(first_actor_name=Subquery(first_actor))

    @admin.display(description=_("premier acteur"), ordering="first_actor_name")
    def first_actor(self, obj: Submission) -> str:
        return getattr(obj, "first_actor_name", "") or "—"

    @admin.display(description=_("référence"), ordering="pk")
    def reference(self, obj: Submission) -> str:
        return obj.reference

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        """The answer's page shows its personal data: a GET is logged like the staff page."""
        token = reader.set(request.user)
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # the display methods run now, under ``reader``
        finally:
            reader.reset(token)
        if request.method == "GET" and response.status_code == 200:
            submission = getattr(response, "context_data", {}).get("original")
            if isinstance(submission, Submission):
                record_access(
                    request.user,
                    AccessLog.Action.SUBMISSION_VIEWED,
                    submission,
                    details={"via": "admin"},
                )
        return response

    @admin.display(description=_("communes du territoire envisagé"))
    def territory_summary(self, obj: Submission) -> str:
        if not obj.territory_id:
            return _("Aucune commune choisie")
        summary = obj.territory.summary()
        warnings = format_html_join("", "<br>⚠ {}", ((w.message,) for w in summary.warnings))
        return format_html(
            "{} communes, {} habitants — {} ({}){}",
            summary.commune_count,
            summary.population,
            summary.tier.label,
            ", ".join(summary.departements),
            warnings,
        )

    @admin.display(description=_("acteurs du même territoire"))
    def same_territory(self, obj: Submission) -> str:
        answers = [
            (
                reverse("admin:ami_submission_change", args=[other.pk]),
                other.reference,
                f"{other.campaign.edition}, {other.get_status_display()}",
            )
            for other in scope_by_region(
                same_territory_submissions(obj), reader.get(), "campaign__region"
            )
        ]
        projects = [
            (project.get_absolute_url(), project.name, _("projet de CPTS"))
            for project in same_territory_projects(obj)
        ]
        if not answers and not projects:
            return _(
                "Aucune autre réponse ni aucun projet sur ces communes ou ces intercommunalités"
            )
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a> — {}', answers + projects)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """A reference typed as shown ("AMI-00012") finds its answer too."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        reference = search_term.strip().upper().removeprefix("AMI-")
        if reference.isascii() and reference.isdigit():
            queryset |= self.get_queryset(request).filter(pk=int(reference))
        return queryset, may_have_duplicates

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        targets = workflow.allowed_targets(obj, request.user) if obj else []
        if obj is not None and "assignee" in form.base_fields:
            # The agents of the answer's region only.
            form.base_fields["assignee"].queryset = assignable_users(
                frozenset({obj.campaign.region_id})
            )
        form.base_fields["new_status"].choices = [("", _("— inchangé —"))] + [
            (target.value, target.label) for target in targets
        ]
        return form

    def save_model(self, request, obj, form, change) -> None:
        # Every other field is read-only: the assignment and the status go through the
        # services that record them in the history (and tell the people concerned).
        try:
            if "assignee" in form.changed_data:
                staff_services.assign(obj, form.cleaned_data["assignee"], by=request.user)
            if target := form.cleaned_data.get("new_status"):
                workflow.transition(
                    obj, target, by=request.user, comment=form.cleaned_data["transition_comment"]
                )
        except workflow.ActionNotAllowed as refusal:
            self.message_user(request, str(refusal), messages.ERROR)

    @admin.action(description=_("Passer en cours d'analyse"), permissions=["change"])
    def take_into_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        moved = 0
        for submission in queryset:
            try:
                workflow.transition(submission, Submission.Status.IN_REVIEW, by=request.user)
                moved += 1
            except workflow.TransitionNotAllowed as refusal:
                self.message_user(request, f"{submission.reference} : {refusal}", messages.WARNING)
        if moved:
            self.message_user(
                request, _("%(count)d réponse(s) passée(s) en cours d'analyse.") % {"count": moved}
            )


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The access log, read-only: nobody adds, changes or deletes a line, not even here.

    A regional agent reads the lines about their region's answers, and the lines of no
    answer (exports, PDF batches) written by their region's agents."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rows = super().get_queryset(request)
        scope = region_scope(request.user)
        if scope is EVERY_REGION:
            return rows
        return rows.filter(
            Q(submission__campaign__region__in=scope)
            | Q(submission=None, user__staff_membership__institution__region__in=scope)
        )

    list_display = ("at", "user_label", "action", "reference")
    list_filter = ("action", "at")
    search_fields = ("user_label", "reference", "user__username")
    date_hierarchy = "at"
    list_select_related = ("submission",)
    readonly_fields = ("at", "user", "user_label", "action", "submission", "reference", "details")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
