"""Password reset and the choice of a password from an invitation: Django's auth views in
the portal's layout (``templates/registration/``), with the portal's forms.

The reset form's ``save`` queues the email through the outbox with a link built on
``SITE_URL`` (``projects.accounts``): the request's Host header never reaches it.
"""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from projects.forms import PasswordResetRequestForm, PortalSetPasswordForm

password_reset = auth_views.PasswordResetView.as_view(
    form_class=PasswordResetRequestForm,
    template_name="registration/password_reset_form.html",
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_done.html"
)
password_set = auth_views.PasswordResetConfirmView.as_view(
    form_class=PortalSetPasswordForm,
    template_name="registration/password_set.html",
    success_url=reverse_lazy("password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)
