"""Validators shared by the apps' forms."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

# Every control character (C0, DEL, C1: Unicode's "Cc") and the line and paragraph
# separators, which mail clients and browsers also break lines on. A regular expression
# rather than unicodedata: hostile posts carry a megabyte of text.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

SINGLE_LINE_MESSAGE = _(
    "Ce champ tient sur une ligne : retirez les retours à la ligne, tabulations "
    "et autres caractères de contrôle."
)


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def validate_single_line(value: object) -> None:
    """Refuse a text holding a control character: a single-line field stays on one line.

    Line breaks typed in a name would let an anonymous answer write paragraphs of its own
    into the emails the portal sends (phishing from the portal's address). A NUL byte
    gets Django's own message, as in every other field. Values that are not text (a UUID,
    a phone number, a commune, already parsed) have nothing left to check.
    """
    if not isinstance(value, str):
        return
    ProhibitNullCharactersValidator()(value)
    if has_control_characters(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="single_line")
