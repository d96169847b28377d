"""The client's IP address, as the rate limiter and django-axes see it.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each of which appends the address it
received the request from to ``X-Forwarded-For``, the client is the ``TRUSTED_PROXY_COUNT``-th
address from the right: anything further left was written by the client itself and is
not believed. With no trusted proxy (the default) ``X-Forwarded-For`` is ignored and the
address is ``REMOTE_ADDR``. This is the rule of Werkzeug's ``ProxyFix(x_for=N)``.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the client, or REMOTE_ADDR when the proxies' header does not say."""
    remote_addr = request.META.get("REMOTE_ADDR") or ""
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= trusted:
            try:
                return str(ipaddress.ip_address(hops[-trusted]))
            except ValueError:
                pass  # not an address: a misconfigured proxy; fall back to the peer
    return remote_addr


def client_network(address: str) -> str:
    """The unit that is counted: the address itself for IPv4, its /64 network for IPv6.

    One IPv6 subscriber usually holds a whole /64 and can rotate through it at will.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
