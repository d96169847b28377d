"""``{% fragment_key form "version" ... as key %}``: the vary-on of a ``{% cache %}`` block
holding a rendered form (see ``cpts_portal.fragments``)."""

from django import template

from cpts_portal.fragments import form_key, versions

register = template.Library()


@register.simple_tag
def fragment_key(form, *names: str) -> str:
    return f"{versions(*names)}:{form_key(form)}"
