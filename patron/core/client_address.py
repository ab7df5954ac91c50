"""The address a request came from, for the login rate limits (staff and portal).

Behind reverse proxies REMOTE_ADDR is the nearest proxy's, so every client would share one
count. Each proxy appends the address it was connected from to X-Forwarded-For, and a client
can write whatever it likes in front of those; so with PATRON_PROXIES proxies in front of
Patron the client is the entry that many places from the right, the one the outermost
proxy wrote. A header with fewer entries did not come through all of them, and an entry
that is not an address is not trusted either: then REMOTE_ADDR answers.

(django-ipware guesses among a dozen headers and prefers "routable" addresses; a rate
limit's key must be the one position the operator's own proxies vouch for, no guess.)
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """None when the request has no address at all (a login made in code, not over HTTP)."""
    direct = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PATRON_PROXIES
    if not proxies:
        return direct
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return direct
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return direct
