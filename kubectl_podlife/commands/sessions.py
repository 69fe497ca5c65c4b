"""`kubectl podlife sessions`: list the stored sessions (a table, `-o json`, `-o name`), delete some
(`rm ID...`) or every one older than a duration (`prune --older-than 7d`)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta, timezone

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.store import Store
from kubectl_podlife.store.interface import SessionInfo


def run_sessions(args: argparse.Namespace) -> int:
    action = getattr(args, "action", None)
    if action == "rm":
        return _rm(args)
    if action == "prune":
        return _prune(args)
    return _list(args)


def _list(args: argparse.Namespace) -> int:
    with Store(create=False) as store:
        rows = store.sessions()
    incomplete = [s for s in rows if s.incomplete()]
    if len(incomplete) == 1:
        print(f"warning: {incomplete[0].incomplete()}", file=sys.stderr)
    elif incomplete:
        print(f"warning: sessions {', '.join(str(s.id) for s in incomplete)} may be incomplete "
              f"({', '.join(sorted({s.status for s in incomplete}))}): they hold only what was committed",
              file=sys.stderr)
    if args.output == "json":  # always a document, even when there is nothing stored
        print(json.dumps({"sessions": [_json(s) for s in rows]}, indent=2, ensure_ascii=False))
        return 0
    if args.output == "name":
        for s in rows:
            print(f"session/{s.id}")
        return 0
    if not rows:
        print("No sessions stored yet; `kubectl podlife import FILE` or `kubectl podlife watch` creates one.",
              file=sys.stderr)
        return 0
    print(f"{'ID':<5} {'CREATED':<21} {'KIND':<8} {'STATUS':<12} {'PODS':>5} {'OBSERVATIONS':>12}  SOURCES")
    for s in rows:
        print(f"{s.id:<5} {s.created:<21} {s.kind:<8} {s.status:<12} {s.pods:>5} {s.observations:>12}  "
              f"{', '.join(s.sources)}")
    return 0


def _json(s: SessionInfo) -> dict:
    return {"id": s.id, "created": s.created, "kind": s.kind, "status": s.status, "note": s.note,
            "pods": s.pods, "observations": s.observations, "sources": list(s.sources), "keep_env": s.keep_env}


def _being_written(s: SessionInfo) -> bool:
    return s.status == "open" and s.writer_state == "alive"


def _deleted(s: SessionInfo) -> str:
    return (f"session {s.id} deleted ({s.observations} observation{'s' if s.observations != 1 else ''} of "
            f"{s.pods} pod{'s' if s.pods != 1 else ''})")


def _rm(args: argparse.Namespace) -> int:
    with Store(create=False) as store:
        # every id is checked before anything is deleted: a typo deletes nothing
        ids = list(dict.fromkeys(store.resolve(ref.removeprefix("session/")) for ref in args.ids))
        info = {s.id: s for s in store.sessions()}
        busy = [info[i] for i in ids if _being_written(info[i])]
        if busy:
            s = busy[0]
            raise PodlifeError(f"session {s.id} is still being written (pid {(s.writer or {}).get('pid')}); stop that "
                               "`watch` first; nothing was deleted")
        store.delete_sessions(ids)
    for i in ids:
        print(_deleted(info[i]))
    return 0


def _prune(args: argparse.Namespace) -> int:
    seconds, text = args.older_than
    cutoff = datetime.now(timezone.utc) - timedelta(seconds=seconds)
    with Store(create=False) as store:
        if store.missing:
            print("No sessions stored yet; nothing to prune.", file=sys.stderr)
            return 0
        info = {s.id: s for s in store.sessions()}
        old = store.sessions_older_than(cutoff)
        busy = [i for i in old if _being_written(info[i])]
        for i in busy:
            print(f"note: session {i} is older than {text} but still being written; kept", file=sys.stderr)
        doomed = [i for i in old if i not in busy]
        store.delete_sessions(doomed)
    for i in doomed:
        print(_deleted(info[i]))
    if not doomed:
        print(f"No sessions older than {text}.", file=sys.stderr)
    return 0
