"""Authentication backends."""

from axes.backends import AxesStandaloneBackend


class AxesLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Every login through a view (the admin's included) passes the request, and a locked-out
    username + address pair is refused before any password is checked. A call without a
    request (the test client's ``client.login()``, a shell) has no client to lock out and
    nothing axes could record: it is left to the next backend instead of raising
    ``AxesBackendRequestParameterRequired``.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
