"""Form helpers shared by the apps."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

from .validators import validate_single_line


def inline_helper() -> FormHelper:
    """A crispy helper for forms rendered inside a page's own <form> element."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def is_single_line(field: forms.Field) -> bool:
    """A text field typed on one line.

    Not a textarea; nor a password (never echoed, and refusing one could lock its owner
    out); nor a hidden input: the portal writes those, the code reading them parses them
    (INSEE codes, a UUID...) and an error on one would show next to nothing.
    """
    return isinstance(field, forms.CharField) and not isinstance(
        field.widget, forms.Textarea | forms.PasswordInput | forms.HiddenInput
    )


class SingleLineFieldsMixin:
    """Refuse control characters (line breaks, tabs...) in every single-line text field.

    Applied when the form is validated rather than built, so that fields added or changed
    by a subclass's ``__init__`` or a formset are covered too. The validator replaces
    Django's NUL check (it makes the same one): one message, not two. Fields that parse
    their text before validators run (``territories.forms.CommuneField``, the phone
    number) call ``validate_single_line`` on the raw text themselves.
    """

    def full_clean(self) -> None:
        for field in self.fields.values():
            if is_single_line(field) and validate_single_line not in field.validators:
                # A new list: the field's validators may be shared with the declared field.
                field.validators = [
                    *(
                        validator
                        for validator in field.validators
                        if not isinstance(validator, ProhibitNullCharactersValidator)
                    ),
                    validate_single_line,
                ]
        super().full_clean()


class PortalForm(SingleLineFieldsMixin, forms.Form):
    """The base of the portal's forms."""


class PortalModelForm(SingleLineFieldsMixin, forms.ModelForm):
    """The base of the portal's model forms."""


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


class LoginForm(SingleLineFieldsMixin, BoundedUsernameMixin, AuthenticationForm):
    pass


class AdminLoginForm(SingleLineFieldsMixin, BoundedUsernameMixin, AdminAuthenticationForm):
    pass
