"""Which proxy `watch` uses, decided as kubectl decides it (Go's golang.org/x/net/http/httpproxy)."""

from __future__ import annotations

import pytest

from kubectl_podlife.capture.proxy import proxy_for

DEAD = "http://127.0.0.1:9"


@pytest.mark.parametrize("server", ["https://localhost:6443", "https://127.0.0.1:6443", "https://127.1.2.3",
                                    "https://[::1]:6443", "http://LOCALHOST"])
def test_loopback_servers_are_never_proxied_whatever_no_proxy_says(server):
    env = {"HTTPS_PROXY": DEAD, "HTTP_PROXY": DEAD}
    assert proxy_for(server, env) is None
    assert proxy_for(server, {**env, "NO_PROXY": "example.com"}) is None


@pytest.mark.parametrize(("no_proxy", "server", "direct"), [
    # names: a name matches itself and its subdomains; a leading dot (or *.) only the subdomains
    ("example.com", "https://example.com", True),
    ("example.com", "https://api.example.com:6443", True),
    ("example.com", "https://notexample.com", False),
    (".example.com", "https://api.example.com", True),
    (".example.com", "https://example.com", False),
    ("*.example.com", "https://example.com", False),
    ("*.example.com", "https://api.example.com", True),
    # ports: an entry's port must be the server's (443 / 80 when the URL says none)
    ("example.com:6443", "https://api.example.com:6443", True),
    ("example.com:6443", "https://api.example.com", False),
    ("example.com:443", "https://api.example.com", True),
    # IP addresses and CIDRs match IP hosts only; a domain entry never matches an IP
    ("10.0.0.1", "https://10.0.0.1:6443", True),
    ("10.0.0.1:6443", "https://10.0.0.1:6443", True),
    ("10.0.0.1:443", "https://10.0.0.1:6443", False),
    ("10.0.0.0/8", "https://10.20.30.40", True),
    ("10.0.0.0/8", "https://11.0.0.1", False),
    ("fd00::/8", "https://[fd00::1]:6443", True),
    ("[fd00::1]:6443", "https://[fd00::1]:6443", True),
    ("0.1", "https://10.0.0.1", False),
    # lists, spaces, case, '*'
    (" foo.com , EXAMPLE.com ", "https://api.example.com", True),
    ("*", "https://anything.example.org", True),
    ("", "https://api.example.com", False),
])
def test_no_proxy_matches_as_go_does(no_proxy, server, direct):
    env = {"HTTPS_PROXY": DEAD, "NO_PROXY": no_proxy}
    assert (proxy_for(server, env) is None) is direct


def test_the_scheme_picks_the_variable_and_upper_case_wins_and_all_proxy_is_not_read():
    assert proxy_for("https://k.example", {"HTTP_PROXY": DEAD}) is None
    assert proxy_for("http://k.example", {"HTTP_PROXY": DEAD}) == DEAD
    assert proxy_for("https://k.example", {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1"}) \
        == "http://upper:1"
    assert proxy_for("https://k.example", {"https_proxy": "http://lower:1"}) == "http://lower:1"
    assert proxy_for("https://k.example", {"HTTPS_PROXY": "", "https_proxy": "http://lower:1"}) == "http://lower:1"
    assert proxy_for("https://k.example", {"NO_PROXY": "", "no_proxy": "k.example", "HTTPS_PROXY": DEAD}) is None
    assert proxy_for("https://k.example", {"ALL_PROXY": DEAD, "all_proxy": DEAD}) is None
    assert proxy_for("https://k.example", {"HTTPS_PROXY": "proxy.corp:3128"}) == "http://proxy.corp:3128"
    assert proxy_for("https://k.example", {"HTTPS_PROXY": "socks5://proxy.corp:1080"}) == "socks5://proxy.corp:1080"
