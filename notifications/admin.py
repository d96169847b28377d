from django.conf import settings
from django.contrib import admin
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import OutgoingEmail
from .regions import EVERY_REGION, user_region_codes
from .tasks import dispatch_emails

# Shown through ``mask_private_links`` in place of the stored text: the bodies hold the
# référents' private links (/suivi/<token>/), bearer secrets with which an agent could
# answer as the référent. The email sent keeps them.
MASKED_FIELDS = {"subject", "body_text", "body_html", "attachments", "last_error"}


def mask_private_links(text: str) -> str:
    """The masking function the settings name (``OUTBOX_ADMIN_MASK``, the portal's own
    ``cpts_portal.log_filters.mask_private_links``): this app may not import the portal's."""
    return import_string(settings.OUTBOX_ADMIN_MASK)(text)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "masked_subject", "status", "attempts", "sent_at")
    list_filter = ("status", "template", "region_code", "created_at")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
    fields = [
        f"masked_{field.name}" if field.name in MASKED_FIELDS else field.name
        for field in OutgoingEmail._meta.fields
        if field.name != "id"
    ]
    readonly_fields = fields
    actions = ["resend"]

    def has_add_permission(self, request) -> bool:
        return False

    def get_queryset(self, request):
        # A regional agent reads the emails of their region only (``notifications.regions``).
        emails = super().get_queryset(request)
        codes = user_region_codes(request.user)
        return emails if codes is EVERY_REGION else emails.filter(region_code__in=codes)

    @admin.display(description=_("objet"), ordering="subject")
    def masked_subject(self, email: OutgoingEmail) -> str:
        return mask_private_links(email.subject)

    @admin.display(description=_("texte"))
    def masked_body_text(self, email: OutgoingEmail) -> str:
        return mask_private_links(email.body_text)

    @admin.display(description=_("HTML"))
    def masked_body_html(self, email: OutgoingEmail) -> str:
        return mask_private_links(email.body_html)  # shown escaped, as the readonly field was

    @admin.display(description=_("pièces jointes"))
    def masked_attachments(self, email: OutgoingEmail) -> str:
        return mask_private_links(
            "\n\n".join(f"{a['filename']}\n{a['content']}" for a in email.attachments)
        )

    @admin.display(description=_("dernière erreur"))
    def masked_last_error(self, email: OutgoingEmail) -> str:
        return mask_private_links(email.last_error)

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
