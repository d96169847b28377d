"""Form helpers shared by the apps."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _


def inline_helper() -> FormHelper:
    """A crispy helper for forms rendered inside a page's own <form> element."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class BoundedUsernameMixin:
    """Refuse over-long usernames before ``authenticate()`` runs.

    Django's AuthenticationForm only puts the length on the widget, so any string reaches
    the authentication backends, and django-axes stores it in a 255-character column: on
    PostgreSQL an over-long one was a 500.
    """

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        limit = get_user_model()._meta.get_field("username").max_length
        if len(username) > limit:
            raise forms.ValidationError(
                _("Identifiant trop long (%(limit)d caractères au plus).") % {"limit": limit},
                code="max_length",
            )
        return username


class LoginForm(BoundedUsernameMixin, AuthenticationForm):
    pass


class AdminLoginForm(BoundedUsernameMixin, AdminAuthenticationForm):
    pass
