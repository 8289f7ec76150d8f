"""Who is at the other end of a request: the client's address, and per-address request counters.

Behind a reverse proxy, `REMOTE_ADDR` is the proxy's address and the client's is in `X-Forwarded-For`,
which anybody can also send. The header is read only when the request comes from an address of the
`TRUSTED_PROXIES` setting, and then from the right: each trusted proxy appends the address it saw, so the
right-most address that is not a trusted proxy is the first one nobody we trust could have made up.
The audit log, the lockout of logins (django-axes), the API and the web exports all ask `client_address`.
"""

import functools
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache

from maillage.ops import counters

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request) -> str | None:
    """The client's IP address: `REMOTE_ADDR`, or what trusted proxies say it was (`X-Forwarded-For`)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    hop = _parse(remote)
    if hop is None or not _is_trusted(hop, proxies):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        address = _parse(entry)
        if address is None:
            break  # a trusted proxy would not have written this: trust nothing left of it
        hop = address
        if not _is_trusted(address, proxies):
            break
    return str(hop)


@functools.cache
def trusted_networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """The networks of `TRUSTED_PROXIES` (addresses or CIDR blocks; checked when the settings load)."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def _is_trusted(address: IPAddress, proxies: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def _parse(value: str | None) -> IPAddress | None:
    """An address of the header (`1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`), or None if it is none."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def throttle(request, bucket: str, limit_per_minute: int) -> int:
    """Count one request of `bucket` for the client's address; the seconds to wait once over the limit, else 0.

    A fixed one-minute window counted in the shared cache's counters (`ops/counters.py`: atomic, so exact
    whatever the number of workers and nodes counting at once). A limit of 0 turns counting off.
    """
    if not limit_per_minute:
        return 0
    now = time.time()
    key = f"rate:{bucket}:{client_address(request) or '-'}:{int(now // 60)}"
    count = counters.hit(key, 61, cache=cache)
    return max(1, 60 - int(now % 60)) if count > limit_per_minute else 0
