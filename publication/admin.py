"""Admin: API tokens (created and revoked here, the key shown once) and publications
(read-only: they change on the project's publication page, through the services)."""

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiToken, Publication


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "holder_label",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "national", "institution__region", "institution__kind"]
    list_select_related = ["institution", "created_by"]
    search_fields = ["name", "institution__name", "prefix"]
    fields = [
        "institution",
        "national",
        "name",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=_("titulaire"))
    def holder_label(self, token: ApiToken) -> str:
        return token.holder_label

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        if obj is not None:
            return ["institution", "national", "name", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        if change:
            return
        token, key = services.create_api_token(
            obj.name, institution=obj.institution, national=obj.national, by=request.user
        )
        obj.pk, obj.created_by = token.pk, token.created_by
        obj.prefix, obj.key_hash, obj.created_at = token.prefix, token.key_hash, token.created_at
        messages.warning(
            request,
            _("Clé du jeton « %(name)s », affichée une seule fois ; copiez-la maintenant : %(key)s")
            % {"name": token.name, "key": key},
        )

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description=_("Révoquer les jetons choisis"))
    def revoke(self, request: HttpRequest, queryset) -> None:
        for token in queryset:
            services.revoke_api_token(token)
        messages.success(request, _("Jetons révoqués."))


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["project", "consented_at", "validated_at"]
    readonly_fields = [
        "project",
        "contact_name",
        "contact_email",
        "contact_phone",
        "contact_website",
        "consented_by",
        "consented_at",
        "validated_by",
        "validated_at",
    ]
    exclude = ["updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
