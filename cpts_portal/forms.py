"""Form helpers shared by the apps."""

from crispy_forms.helper import FormHelper


def inline_helper() -> FormHelper:
    """A crispy helper for forms rendered inside a page's own <form> element."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper
