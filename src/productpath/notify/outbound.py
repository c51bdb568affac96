"""The one gate every outbound webhook passes: no requests to this machine or its network.

A webhook URL is typed by an editor (web form, CLI) or arrives in ``roadmap.yaml`` through a
pull request, and the server POSTs to it. Unchecked, that turns the server into a port scanner
of its own network and a reader of cloud metadata services. So:

* at save time :func:`url_problem` refuses a URL whose host is written as a forbidden address
  (in any spelling the C resolver accepts: ``0x7f000001``, ``2130706433``, ``0177.0.0.1``,
  ``[::ffff:127.0.0.1]``) or names this machine (``localhost``); no DNS is asked then;
* at send time :func:`open_connection` resolves the name, refuses the request if *any*
  address it resolves to is forbidden, and connects to the checked address itself, so a DNS
  answer that changes between the check and the connection (rebinding) cannot slip past;
* redirects are never followed (a webhook answers its POST; it has no reason to redirect).

Forbidden: loopback, link-local (cloud metadata at 169.254.169.254 among them), private and
shared ranges (including ``fd00:ec2::254``), multicast, unspecified, reserved, and IPv4-mapped
IPv6 addresses. An admin allows named hosts or networks with ``[webhooks] allow`` in
productpath.toml (or ``PRODUCTPATH_WEBHOOKS_ALLOW``, comma-separated), for a team that runs
its chat server inside its own network.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from productpath.errors import WorkspaceError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOW_ENV = "PRODUCTPATH_WEBHOOKS_ALLOW"
HOW_TO_ALLOW = "an admin can allow it with [webhooks] allow in productpath.toml"
# Names that mean "this machine" (or its cloud's metadata service) without asking DNS.
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_LOCAL_SUFFIXES = (".localhost",)
_METADATA_NAMES = ("metadata", "metadata.google.internal", "instance-data")
_METADATA_ADDRESSES = (
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
)


class OutboundRefused(Exception):
    """The destination is inside this machine's network and not allowed; the message says why."""


@dataclass(frozen=True)
class OutboundPolicy:
    """What an admin allowed beyond the public internet: host names and networks."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self.networks)


def outbound_policy(
    config: Mapping[str, Any], env: Mapping[str, str], source: str = "productpath.toml"
) -> OutboundPolicy:
    """``[webhooks] allow`` plus ``PRODUCTPATH_WEBHOOKS_ALLOW``: each entry a host name, an
    address or a network in CIDR notation (``chat.corp.example``, ``10.20.0.0/16``)."""
    table = config.get("webhooks", {})
    if not isinstance(table, dict):
        raise WorkspaceError(f"{source}: 'webhooks' must be a table ([webhooks])")
    unknown = sorted(set(table) - {"allow"})
    if unknown:
        raise WorkspaceError(f"{source}: unknown key 'webhooks.{unknown[0]}'")
    entries = table.get("allow", [])
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise WorkspaceError(f"{source}: webhooks.allow must be a list of host names or networks")
    entries = [*entries, *env.get(ALLOW_ENV, "").split(",")]
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            if "/" in entry or " " in entry or ":" in entry:
                raise WorkspaceError(
                    f"{source}: webhooks.allow entry '{entry}' is neither a host name nor a network"
                ) from None
            hosts.add(entry.lower().rstrip("."))
    return OutboundPolicy(frozenset(hosts), tuple(networks))


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form the C resolver would accept, else None.

    Besides the dotted quad that covers IPv6 (``::1``, ``[::1]``), one number (``2130706433``),
    hexadecimal and octal parts (``0x7f.1``, ``0177.0.0.1``) and two or three parts
    (``127.1``): all of them reach 127.0.0.1 through ``getaddrinfo``.
    """
    text = host.strip().strip("[]").rstrip(".")
    if "%" in text:  # an IPv6 zone ("fe80::1%eth0") names a local interface
        text = text.split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_inet_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    *head, last = values
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(values)):
        return None
    total = 0
    for n in head:
        total = total * 256 + n
    total = total * 256 ** (5 - len(values)) + last
    return ipaddress.IPv4Address(total)


def _inet_number(part: str) -> int | None:
    """One part of an inet_aton address: decimal, ``0x`` hexadecimal or ``0`` octal."""
    lowered = part.lower()
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:], 16) if lowered[2:].isalnum() else None
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        return int(lowered, 10) if lowered.isdigit() else None
    except ValueError:
        return None


def address_problem(address: IPAddress) -> str | None:
    """What kind of internal address this is ("a loopback address"), or None if public."""
    if address.version == 6:
        assert isinstance(address, ipaddress.IPv6Address)
        if address.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        embedded = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and address_problem(embedded):
            return "an IPv6 address wrapping an internal IPv4 address"
    if address in _METADATA_ADDRESSES:
        return "the cloud metadata service"
    checks = (
        ("an unspecified address", address.is_unspecified),
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved or not address.is_global),
    )
    return next((what for what, hit in checks if hit), None)


def host_problem(host: str, policy: OutboundPolicy) -> str | None:
    """Why ``host`` (as written in a URL) may not be sent to, judged without DNS; else None."""
    name = host.lower().strip("[]").rstrip(".")
    if policy.allows_host(name):
        return None
    literal = literal_address(name)
    if literal is not None:
        if policy.allows_address(literal):
            return None
        what = address_problem(literal)
        return f"{what} ({literal})" if what else None
    if name in _LOCAL_NAMES or name.endswith(_LOCAL_SUFFIXES):
        return f"this machine ({name})"
    if name in _METADATA_NAMES:
        return f"the cloud metadata service ({name})"
    return None


def url_problem(url: str, policy: OutboundPolicy) -> str | None:
    """The save-time check: why a webhook may not be sent to ``url``, or None."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return f"'{url}' is not a valid URL"
    if not host:
        return f"'{url}' has no host"
    what = host_problem(host, policy)
    if what is None:
        return None
    return f"the webhook URL points at {what}; {HOW_TO_ALLOW}"


def resolve_checked(host: str, port: int, policy: OutboundPolicy) -> IPAddress:
    """The address to connect to for ``host``: every address it resolves to must pass (a name
    that also resolves to an internal address is refused), and the first one is used."""
    what = host_problem(host, policy)
    if what is not None:
        raise OutboundRefused(f"the host is {what}; {HOW_TO_ALLOW}")
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise OSError(f"cannot resolve {host}: no address")
    if not policy.allows_host(host):
        for address in addresses:
            what = address_problem(address)
            if what is not None and not policy.allows_address(address):
                raise OutboundRefused(f"{host} resolves to {what} ({address}); {HOW_TO_ALLOW}")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a checked address, with the URL's host in the ``Host`` header."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned = str(address)

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is checked against the URL's host."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned = str(address)
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        raw = socket.create_connection((self.pinned, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    policy: OutboundPolicy,
) -> Answer:
    """POST ``body`` to ``url`` through the gate; the answer is returned as it is (a redirect
    is an answer, not followed). Raises OutboundRefused, or OSError when it cannot connect."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise OutboundRefused(f"'{parts.scheme}://' is not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_checked(parts.hostname, port, policy)
    kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = kind(parts.hostname, port, address, timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=dict(headers))
        response = connection.getresponse()
        response.read()
        return Answer(response.status, response.reason)
    except http.client.HTTPException as exc:
        raise OSError(f"bad HTTP answer: {exc!r}") from exc
    finally:
        connection.close()


def shown_host(url: str) -> str:
    """Scheme, host and port of ``url``, IPv6 hosts in brackets (``http://[::1]:8080``)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port that is not a number is shown as nothing rather than raising
        port = ""
    return f"{parts.scheme}://{host}{port}"
