from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import OutgoingEmail
from .services import dispatch_emails


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "template", "created_at")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Renvoyer les emails en échec sélectionnés"))
    def resend(self, request, queryset) -> None:
        ids = list(queryset.filter(status=OutgoingEmail.Status.FAILED).values_list("pk", flat=True))
        OutgoingEmail.objects.filter(pk__in=ids).update(
            status=OutgoingEmail.Status.PENDING, attempts=0, next_attempt_at=None
        )
        dispatch_emails(ids)
        self.message_user(
            request, _("%(count)d email(s) remis en file d'envoi.") % {"count": len(ids)}
        )
