"""The project's test API server taught to answer real kubectl: discovery, single-object GET,
server-side Tables for pods and events, and watches that end when the scenario does.

`OracleKube` keeps the FakeKube state and history (apply, resourceVersions, selectors) and adds a
scenario clock: every change carries its scenario time, and a Table row is printed with the ages
a real server would have printed when it sent that change. Objects' timestamps are real instants
(`base` + scenario seconds) so that what kubectl computes on its side (describe's ages,
`kubectl events`) agrees with the server's clock; `base` is chosen so the scenario ends "now".
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "live"))

from fake_apiserver import (FakeKube, KubeHandler, Request, SelectorError, matches, parse_field_selector,  # noqa: E402
                            parse_label_selector, to_events_v1)

import printers  # noqa: E402

_GROUP_ACCEPT = "as=Table"

POD_RESOURCE = {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
                "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["po"],
                "categories": ["all"]}
EVENT_RESOURCE = {"name": "events", "singularName": "event", "namespaced": True, "kind": "Event",
                  "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["ev"]}


class OracleKube(FakeKube):
    """FakeKube with a scenario clock and kubectl's read paths."""

    def __init__(self, base: datetime | None = None, minor: int = printers.LATEST) -> None:
        super().__init__(tokens=("oracle-token",), core_events=True, new_events=True, bookmarks=False,
                         max_watch_seconds=120.0)
        self.base = base or datetime.now(timezone.utc).replace(microsecond=0)
        self.minor = minor  # the API server release it plays (/version, and printPod's rules)
        self.t = 0.0  # the scenario clock: seconds after base
        self.t_of: dict[int, float] = {}  # resourceVersion -> scenario time of that change
        self.finished = False  # no more changes: watches close once they have sent everything

    def at(self, seconds: float) -> datetime:
        return self.base + timedelta(seconds=seconds)

    def play(self, t: float, resource: str, type_: str, obj: dict) -> dict:
        with self.cond:
            self.t = max(self.t, t)
            out = self.apply(resource, type_, obj)
            self.t_of[int(out["metadata"]["resourceVersion"])] = self.t
        return out

    def finish(self, t: float | None = None) -> None:
        with self.cond:
            if t is not None:
                self.t = max(self.t, t)
            self.finished = True
            self.cond.notify_all()

    def stop(self) -> None:
        self.finish()  # watches end once they have sent everything; FakeKube.stop waits for them
        super().stop()

    def watches_opened(self, resource: str) -> int:
        return sum(1 for r in self.requests if r.watch and r.path.endswith("/" + resource))

    def wait_for_watch(self, resource: str, n: int = 1, timeout: float = 30) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: self.active_watches[resource] >= n, timeout):
                raise TimeoutError(f"kubectl opened no {resource} watch; requests: "
                                   f"{[r.path for r in self.requests]}")


class OracleHandler(KubeHandler):
    server_kube: OracleKube

    def _not_found(self, what: str = "the server could not find the requested resource") -> None:
        self._json(404, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                         "message": what, "reason": "NotFound", "code": 404})

    def do_GET(self) -> None:  # noqa: C901 - a router
        kube = self.server_kube
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        watch = params.get("watch") in ("1", "true", "True")
        kube.requests.append(Request("GET", url.path, params, watch, self.headers.get("Authorization")))
        as_table = _GROUP_ACCEPT in (self.headers.get("Accept") or "")
        parts = [p for p in url.path.split("/") if p]
        if url.path == "/version":
            self._json(200, {"major": "1", "minor": str(kube.minor), "gitVersion": f"v1.{kube.minor}.0",
                             "platform": "linux/amd64"})
            return
        if url.path == "/api":
            self._json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{kube.port}"}]})
            return
        if url.path == "/apis":
            gv = {"groupVersion": "events.k8s.io/v1", "version": "v1"}
            self._json(200, {"kind": "APIGroupList", "apiVersion": "v1",
                             "groups": [{"name": "events.k8s.io", "versions": [gv], "preferredVersion": gv}]})
            return
        if url.path == "/api/v1":
            self._json(200, {"kind": "APIResourceList", "groupVersion": "v1",
                             "resources": [POD_RESOURCE, EVENT_RESOURCE]})
            return
        if url.path == "/apis/events.k8s.io/v1":
            self._json(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "events.k8s.io/v1",
                             "resources": [{k: v for k, v in EVENT_RESOURCE.items() if k != "shortNames"}]})
            return
        new_events = False
        if parts[:2] == ["api", "v1"]:
            rest = parts[2:]
        elif parts[:3] == ["apis", "events.k8s.io", "v1"]:
            rest, new_events = parts[3:], True
        else:
            self._not_found()
            return
        ns = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            ns, rest = rest[1], rest[2:]
        if not rest or rest[0] not in ("pods", "events") or len(rest) > 2:
            self._not_found()
            return
        resource = rest[0]
        if len(rest) == 2:
            self._get_one(resource, ns, rest[1], params, as_table, new_events)
            return
        try:
            fields = parse_field_selector(params.get("fieldSelector"), resource, new_events)
            labels = parse_label_selector(params.get("labelSelector"))
        except SelectorError as exc:
            self._json(400, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": str(exc),
                             "reason": "BadRequest", "code": 400})
            return

        def ok(obj: dict) -> bool:
            in_ns = ns is None or (obj.get("metadata") or {}).get("namespace") == ns
            return in_ns and matches(obj, fields, labels)

        if watch:
            self._watch(resource, ok, params, as_table, new_events)
        else:
            self._list(resource, ok, params, as_table, new_events)

    def _now(self, obj: dict | None = None) -> datetime:
        kube = self.server_kube
        if obj is not None:
            t = kube.t_of.get(int(obj["metadata"]["resourceVersion"]))
            if t is not None:
                return kube.at(t)
        return kube.at(kube.t)

    def _get_one(self, resource: str, ns: str | None, name: str, params: dict, as_table: bool,
                 new_events: bool) -> None:
        kube = self.server_kube
        with kube.cond:
            found = [o for o in kube.objects[resource].values()
                     if o["metadata"]["name"] == name and (ns is None or o["metadata"].get("namespace") == ns)]
            now = kube.at(kube.t)
        if not found:
            kind = "pods" if resource == "pods" else "events"
            self._not_found(f'{kind} "{name}" not found')
            return
        obj = found[0]
        if as_table:
            self._json(200, printers.table(resource, [obj], lambda o: now, params.get("includeObject", "Metadata"),
                                           obj["metadata"]["resourceVersion"], minor=kube.minor))
        else:
            self._json(200, to_events_v1(obj) if new_events else obj)

    def _list(self, resource: str, ok, params: dict, as_table: bool, new_events: bool) -> None:
        kube = self.server_kube
        with kube.cond:
            items = [o for o in kube.objects[resource].values() if ok(o)]
            rv = str(kube.rv)
            now = kube.at(kube.t)
        items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        if as_table:
            self._json(200, printers.table(resource, items, lambda o: now, params.get("includeObject", "Metadata"),
                                           rv, minor=kube.minor))
            return
        kind = "EventList" if resource == "events" else "PodList"
        self._json(200, {"kind": kind, "apiVersion": "events.k8s.io/v1" if new_events else "v1",
                         "metadata": {"resourceVersion": rv},
                         "items": [to_events_v1(o) if new_events else o for o in items]})

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _watch(self, resource: str, ok, params: dict, as_table: bool, new_events: bool) -> None:
        """Stream every change after the given resourceVersion; end once the scenario is finished."""
        kube = self.server_kube
        rv_param = params.get("resourceVersion") or ""
        include = params.get("includeObject", "Metadata")
        with kube.cond:
            if rv_param in ("", "0"):
                initial = [o for o in kube.objects[resource].values() if ok(o)]
                cursor = kube.rv
            else:
                initial, cursor = [], int(rv_param)
            kube.active_watches[resource] += 1
            kube.cond.notify_all()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        first = [True]

        def send(type_: str, obj: dict) -> None:
            if as_table:
                body: Any = printers.table(resource, [obj], self._now, include, obj["metadata"]["resourceVersion"],
                                           headers=first[0], minor=kube.minor)
                first[0] = False
            else:
                body = to_events_v1(obj) if new_events else obj
            self._chunk((json.dumps({"type": type_, "object": body}) + "\n").encode())
            kube.delivered.append((resource, type_, obj["metadata"]["uid"], obj["metadata"]["resourceVersion"]))

        try:
            for o in initial:
                send("ADDED", o)
            while True:
                with kube.cond:
                    out = [ch for ch in kube.history if ch.rv > cursor]
                    if out:
                        cursor = out[-1].rv
                    elif kube.finished:
                        break
                    else:
                        kube.cond.wait(5)
                        continue
                for ch in out:
                    if ch.resource == resource and ok(ch.obj):
                        send(ch.type, ch.obj)
            self._chunk(b"")
        except OSError:
            self.close_connection = True
        finally:
            with kube.cond:
                kube.active_watches[resource] -= 1
                kube.cond.notify_all()


OracleKube.handler_class = OracleHandler
