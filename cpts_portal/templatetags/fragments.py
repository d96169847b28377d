"""``{% fragment_key form "version" ... as key %}``: the vary-on of a ``{% cache %}`` block
holding a rendered form (see ``cpts_portal.fragments``); ``{% role_key as key %}``: that of
the header's menu, the same for everyone with the same roles."""

from django import template

from cpts_portal.fragments import form_key, versions
from cpts_portal.roles import roles_of

register = template.Library()


@register.simple_tag
def fragment_key(form, *names: str) -> str:
    return f"{versions(*names)}:{form_key(form)}"


@register.simple_tag(takes_context=True)
def role_key(context) -> str:
    """``anonymous``, or the signed-in user's role set: what the workspaces offered in the
    menu depend on (``context_processors.navigation``). Never the user's name: that is
    written outside the cached markup. No query beyond the one ``roles_of`` caches."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return "anonymous"
    return "roles:" + ",".join(sorted(roles_of(user)))
