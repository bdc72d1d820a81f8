"""The rules an http(s) URL must pass before the app talks to it, including every redirect hop.

https for remote hosts, plain http only for this machine, never credentials in a URL, never a path
that climbs with ``..``, and whatever the allow/deny policy says. A redirect is checked as if it
were the first URL, may not downgrade from https to http, and may lead to this machine or the
local network only when the hub itself is local.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Protocol
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

from inference_gui.errors import HubError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def is_local_host(host: str) -> bool:
    """True for this machine or the local network: loopback, private, link-local, unspecified.

    A name is judged by its text only (``localhost`` and ``*.localhost``); resolving names here
    would not stop a DNS answer that changes between this check and the connection.
    """
    name = host.lower().rstrip(".").strip("[]")
    if name in LOCAL_HOSTS or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_unspecified
        or address.is_reserved
    )


class UrlPolicy(Protocol):
    """What the hub needs from the records' allow/deny list: raise HubError to refuse a URL."""

    def check(self, url: str) -> object: ...


class DeferredPolicy:
    """A policy looked up at each check, so building a hub never waits for records to load."""

    def __init__(self, get: Callable[[], UrlPolicy]) -> None:
        self._get = get

    def check(self, url: str) -> object:
        return self._get().check(url)


def check_url(url: str, policy: UrlPolicy | None = None, *, what: str = "URL") -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HubError(f"The {what} {url!r} is not an http(s) URL.", "Use https://host/path.")
    if parts.username is not None or parts.password is not None:
        raise HubError(
            f"The {what} for host {parts.hostname} carries credentials.",
            "Remove user:password@ from the URL; credentials are never sent from a URL.",
        )
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise HubError(
            f"The {what} {url!r} uses plain http to a remote host.",
            "Use https; plain http is allowed only for localhost.",
        )
    if any(segment in ("..", ".") for segment in unquote(parts.path).split("/")):
        raise HubError(
            f"The {what} {url!r} has a '..' or '.' path segment.", "Refusing to follow it."
        )
    if policy is not None:
        policy.check(url)
    return parts


def check_redirect(current: str, location: str, policy: UrlPolicy | None = None) -> str:
    """The absolute URL a redirect leads to, after checking it like any other URL."""
    if any(segment in ("..", ".") for segment in unquote(urlsplit(location).path).split("/")):
        raise HubError(
            f"A redirect from {current} climbs with '..': {location!r}.", "Refusing to follow it."
        )
    target = urljoin(current, location)
    parts = check_url(target, policy, what="redirect target")
    if urlsplit(current).scheme == "https" and parts.scheme == "http":
        raise HubError(
            f"A redirect from {current} downgrades to plain http.", "Refusing to follow it."
        )
    source = urlsplit(current).hostname or ""
    if is_local_host(parts.hostname or "") and not is_local_host(source):
        raise HubError(
            f"A redirect from {source} leads to the local address {parts.hostname}.",
            "Refusing to follow it: only a hub on this machine may lead to local addresses.",
        )
    return target
