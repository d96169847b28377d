"""Keep the professionals' private links out of the logs.

The token of ``/suivi/<token>/`` is a bearer secret: whoever reads it can read and change
the answer. The development server (``django.server``) and ``django.request`` /
``django.security`` log request paths, so every record that reaches the project's handlers
goes through ``MaskPrivateLinks``, and gunicorn's access log through
``cpts_portal.gunicorn_logging.MaskingLogger``.
"""

import logging
import re

# /suivi/<token>... as a path, in a full URL or in a Referer: the token is whatever
# follows up to the next separator. The same for the password links of invitations and
# resets, /mot-de-passe/nouveau/<uid>.<token>/.
PRIVATE_LINK = re.compile(r"(/suivi/|/mot-de-passe/nouveau/)[^/\s?#\"'<>]+")
MASK = r"\1[masqué]"


def mask_private_links(text: str) -> str:
    return PRIVATE_LINK.sub(MASK, text)


class MaskPrivateLinks(logging.Filter):
    """Rewrite a record whose message contains a private link; never drop a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return True
        masked = mask_private_links(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True
