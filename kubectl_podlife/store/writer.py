"""Which process writes a session, and whether it still runs (so a session left open by a dead one
reads as interrupted): pid, host, boot id, pid namespace and the process's start time."""

from __future__ import annotations

import json
import os
import socket


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), so a reused pid
    is not taken for the writer; "" where /proc does not say."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return ""
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else ""


def _pidns() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def writer_identity() -> dict:
    """Who writes a session: pid, host, boot id, pid namespace and the process's start time."""
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "boot": _read("/proc/sys/kernel/random/boot_id"),
            "pidns": _pidns(), "start": _start_ticks(pid)}


def writer_state(writer: dict | None) -> str:
    """alive | dead | unknown: whether the process that opened a session still runs. Unknown when it ran
    on another host or in another pid namespace (a container sharing the volume)."""
    if not writer or not isinstance(writer.get("pid"), int):
        return "unknown"
    if writer.get("host") != socket.gethostname():
        return "unknown"
    boot = _read("/proc/sys/kernel/random/boot_id")
    if writer.get("boot") and boot and writer["boot"] != boot:
        return "dead"  # the machine has restarted since
    if writer.get("pidns") and writer["pidns"] != _pidns():
        return "unknown"
    pid = writer["pid"]
    start = _start_ticks(pid)
    if start:
        return "alive" if not writer.get("start") or writer["start"] == start else "dead"
    if os.path.isdir("/proc/self"):
        return "dead"  # /proc is there and has no such process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "dead"
    except OSError:
        return "alive"  # exists, owned by someone else
    return "alive"


def parse_writer(text: str | None) -> dict | None:
    """The writer a session recorded (its JSON column), or None when it recorded none or it cannot be read."""
    try:
        w = json.loads(text) if text else None
    except ValueError:
        return None
    return w if isinstance(w, dict) else None


def dead_note(writer: dict | None) -> str:
    """The note of a session whose writer is gone."""
    if not writer:
        return "left open by a kubectl-podlife that recorded no writer (before store schema 3)"
    return f"the process writing it (pid {writer.get('pid')} on {writer.get('host')}) ended without closing it"
