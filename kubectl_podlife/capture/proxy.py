"""Which proxy kubectl would use for the API server, from the environment: Go's
golang.org/x/net/http/httpproxy (FromEnvironment + ProxyFunc), which client-go's transport uses.

- `HTTPS_PROXY` for an https server, `HTTP_PROXY` for http; the upper-case name wins over the lower-case
  one, and `ALL_PROXY` is not read (Go does not read it; Python's urllib does).
- Never a proxy for `localhost` or a loopback address (127.0.0.0/8, ::1), whatever `NO_PROXY` says.
- `NO_PROXY` / `no_proxy`: comma-separated; `*` matches every host; an IP address or CIDR matches IP
  hosts; `example.com` matches it and its subdomains, `.example.com` and `*.example.com` only the
  subdomains; any entry may end in `:port`, which must then equal the server's port (443/80 if unsaid).

A kubeconfig `proxy-url` is not decided here: kubectl uses it for every server.
"""

from __future__ import annotations

import ipaddress
from typing import Mapping
from urllib.parse import urlsplit


def _env(environ: Mapping[str, str], *names: str) -> str:
    for name in names:  # Go's getEnvAny: the first one set to a non-empty value
        value = environ.get(name)
        if value:
            return value
    return ""


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _split_port(entry: str) -> tuple[str, str]:
    """`host:port` / `[v6]:port` / `host`, as net.SplitHostPort would take them apart."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else ""
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host, port
    return entry, ""  # a bare IPv6 address, or a name


def bypasses_proxy(host: str, port: str, no_proxy: str) -> bool:
    """Whether `host:port` is reached directly: loopback always, else when a `no_proxy` entry matches."""
    host = host.lower().strip("[]")
    ip = _ip(host)
    if host == "localhost" or (ip is not None and ip.is_loopback):
        return True
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        if "/" in entry:
            try:
                net = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                continue
            if ip is not None and ip.version == net.version and ip in net:
                return True
            continue
        name, want_port = _split_port(entry)
        if not name or (want_port and want_port != port):
            continue
        entry_ip = _ip(name)
        if entry_ip is not None:
            if ip is not None and ip == entry_ip:
                return True
            continue
        if ip is not None:  # a domain entry never matches an IP host
            continue
        if name.startswith("*."):
            name = name[1:]
        if name.startswith("."):
            if host.endswith(name):
                return True
        elif host == name or host.endswith("." + name):
            return True
    return False


def proxy_for(server: str, environ: Mapping[str, str]) -> str | None:
    """The proxy URL kubectl would use for `server` given these environment variables, or None."""
    parts = urlsplit(server)
    scheme = (parts.scheme or "https").lower()
    if scheme == "https":
        proxy = _env(environ, "HTTPS_PROXY", "https_proxy")
    elif scheme == "http":
        proxy = _env(environ, "HTTP_PROXY", "http_proxy")
    else:
        return None
    if not proxy:
        return None
    try:
        port = str(parts.port or (443 if scheme == "https" else 80))
    except ValueError:
        port = ""
    if bypasses_proxy(parts.hostname or "", port, _env(environ, "NO_PROXY", "no_proxy")):
        return None
    if "://" not in proxy:  # Go's parseProxy: a bare host:port is an http proxy
        proxy = "http://" + proxy
    return proxy
