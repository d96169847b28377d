"""``{% filter quoted %}…{% endfilter %}``: text typed by someone else, quoted in a text email.

In the text part of an email nothing tells the portal's sentences from a name typed in a
form; prefixing every line of what people typed with "> ", as mail clients quote a reply,
does. Every line is prefixed, whatever breaks it (``str.splitlines``: CR, LF, U+2028...),
so no typed text can start a line of its own.
"""

from django import template

register = template.Library()


@register.filter
def quoted(text: object) -> str:
    lines = str(text).strip("\r\n").splitlines() or [""]
    return "\n".join(f"> {line}".rstrip() for line in lines) + "\n"
