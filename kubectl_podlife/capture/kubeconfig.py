"""Which cluster to watch, found as kubectl finds it: --kubeconfig, else $KUBECONFIG (merged, first
file wins), else ~/.kube/config, else in-cluster; --context; the namespace from the context.

`kubernetes` is imported only inside `load_target`, so importing this module costs nothing.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from kubectl_podlife.capture.proxy import proxy_for
from kubectl_podlife.errors import PodlifeError


@dataclass
class Target:
    """Where to watch: an API client for one cluster/user, and the namespace to use."""

    api_client: Any
    server: str
    context: str | None
    namespace: str
    source: str  # the kubeconfig file(s) read, or "in-cluster"

    def describe(self) -> str:
        ctx = f"context {self.context}" if self.context else "in-cluster config"
        return f"{ctx} ({self.server})"


def _kubeconfig_paths(flag: str | None, environ: Mapping[str, str]) -> tuple[list[str] | None, str]:
    """kubectl's loading order: --kubeconfig (that file only), $KUBECONFIG (merged list), ~/.kube/config."""
    if flag:
        path = os.path.expanduser(flag)
        if not os.path.isfile(path):
            raise PodlifeError(f"{flag}: no such kubeconfig file; pass an existing file to --kubeconfig")
        return [path], flag
    env = environ.get("KUBECONFIG", "")
    if env:
        listed = [os.path.expanduser(p) for p in env.split(os.pathsep) if p]
        existing = [p for p in listed if os.path.isfile(p)]
        if not existing:
            raise PodlifeError(f"KUBECONFIG={env}: none of these kubeconfig files exists; "
                               "fix $KUBECONFIG or pass --kubeconfig FILE")
        return existing, "$KUBECONFIG (" + os.pathsep.join(existing) + ")"
    home = os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".kube", "config")
    if os.path.isfile(home):
        return [home], home
    return None, home


def _read_kubeconfig(path: str) -> dict[str, Any]:
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except OSError as exc:
        raise PodlifeError(f"{path}: cannot read kubeconfig ({exc.strerror}); fix the permissions or pass "
                           "another file with --kubeconfig") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise PodlifeError(f"{path}{where}: not a valid kubeconfig (YAML error: {getattr(exc, 'problem', exc)}); "
                           "fix the file or pass another with --kubeconfig") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise PodlifeError(f"{path}: not a valid kubeconfig (expected a mapping with clusters, contexts, users); "
                           "fix the file or pass another with --kubeconfig")
    return doc


def _named(items: Any) -> Iterator[tuple[str, dict]]:
    for item in items or []:
        if isinstance(item, dict) and item.get("name"):
            yield str(item["name"]), item


def load_target(kubeconfig: str | None = None, context: str | None = None, namespace: str | None = None,
                request_timeout: float | None = None, environ: Mapping[str, str] | None = None) -> Target:
    """Resolve the cluster as kubectl would, and build an API client for it. Prints nothing."""
    environ = os.environ if environ is None else environ
    from kubernetes import client, config

    paths, label = _kubeconfig_paths(kubeconfig, environ)
    cfg = client.Configuration()
    if paths is None:
        if not environ.get("KUBERNETES_SERVICE_HOST"):
            raise PodlifeError(f"no kubeconfig: {label} does not exist and $KUBECONFIG is not set; "
                               "pass --kubeconfig FILE or set KUBECONFIG")
        try:
            config.load_incluster_config(client_configuration=cfg)
        except Exception as exc:  # ConfigException: missing service account token
            raise PodlifeError(f"in-cluster config: {exc}; pass --kubeconfig FILE") from None
        ns = namespace
        if not ns:
            with contextlib.suppress(OSError):
                with open("/var/run/secrets/kubernetes.io/serviceaccount/namespace", encoding="utf-8") as f:
                    ns = f.read().strip()
        _choose_proxy(cfg, None, environ)
        return _finish_target(client, cfg, None, ns or "default", "in-cluster")

    # Merge as kubectl does: the first file to define a name wins, and so does the first
    # current-context (the Python client would take the last one).
    contexts: dict[str, dict] = {}
    clusters: dict[str, dict] = {}
    current = None
    for path in paths:
        doc = _read_kubeconfig(path)
        for name, item in _named(doc.get("contexts")):
            contexts.setdefault(name, item)
        for name, item in _named(doc.get("clusters")):
            clusters.setdefault(name, item)
        if not current and doc.get("current-context"):
            current = str(doc["current-context"])
    ctx_name = context or current
    if not ctx_name:
        raise PodlifeError(f"{label}: no current context; pass --context NAME or run `kubectl config use-context NAME`")
    if ctx_name not in contexts:
        raise PodlifeError(f'{label}: context "{ctx_name}" not found; `kubectl config get-contexts` lists the contexts')
    ctx = contexts[ctx_name].get("context") or {}
    cluster = (clusters.get(str(ctx.get("cluster"))) or {}).get("cluster") or {}
    if not cluster.get("server"):
        raise PodlifeError(f'{label}: context "{ctx_name}" names cluster "{ctx.get("cluster")}", which has no server; '
                           "fix the kubeconfig")
    try:
        with contextlib.redirect_stdout(sys.stderr):  # nothing on stdout, whatever a plugin does
            config.load_kube_config(config_file=os.pathsep.join(paths), context=ctx_name,
                                    client_configuration=cfg, persist_config=False)
    except PodlifeError:
        raise
    except Exception as exc:
        reason = " ".join(str(exc).split())
        raise PodlifeError(f"{label}: cannot use context \"{ctx_name}\": {reason}; fix the kubeconfig or pick "
                           "another context with --context") from None
    ns = namespace or ctx.get("namespace") or "default"
    _choose_proxy(cfg, cluster.get("proxy-url"), environ)
    return _finish_target(client, cfg, ctx_name, ns, label)


def _choose_proxy(cfg: Any, proxy_url: str | None, environ: Mapping[str, str]) -> None:
    """The proxy as kubectl chooses it: a kubeconfig `proxy-url` for every server, else the environment's
    by Go's rules (`capture.proxy`). Decided here whatever the client version would read from the
    environment itself (some read nothing, newer ones read ALL_PROXY and match NO_PROXY otherwise)."""
    if not proxy_url:
        cfg.proxy = proxy_for(cfg.host, environ)
    if hasattr(cfg, "no_proxy"):
        cfg.no_proxy = None  # decided above: the client must not decide again


def _finish_target(client: Any, cfg: Any, ctx: str | None, ns: str, source: str) -> Target:
    from kubectl_podlife import __version__

    cfg.retries = 0  # we reconnect with our own back-off; urllib3's retries would only delay the error
    api = client.ApiClient(configuration=cfg)
    api.user_agent = f"kubectl-podlife/{__version__}"
    return Target(api_client=api, server=cfg.host, context=ctx, namespace=ns, source=source)
