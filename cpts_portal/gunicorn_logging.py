"""Gunicorn logger class that masks private links in the access log.

Gunicorn's default access-log format prints the request line and the Referer, and a page
under ``/suivi/<token>/`` loads its CSS and JavaScript with that page as Referer (same
origin): both would write the token to the log. Use it with::

    gunicorn cpts_portal.wsgi --access-logfile - \
        --logger-class cpts_portal.gunicorn_logging.MaskingLogger

or ``GUNICORN_CMD_ARGS="--logger-class=cpts_portal.gunicorn_logging.MaskingLogger"``.
Every string atom (``%(r)s``, ``%(U)s``, ``%(f)s``, ``%({referer}i)s``, environ
variables...) goes through the same mask as the Django logs.
"""

from gunicorn.glogging import Logger

from .log_filters import mask_private_links


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_private_links(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
