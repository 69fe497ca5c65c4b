"""What went wrong with the API server, in a few words, and the two watch endings that are not errors
of the connection (410 Gone: relist; an ERROR event: retry)."""

from __future__ import annotations

import json
from typing import Any


class Gone(Exception):
    """410 Gone / Expired: the resourceVersion is out of the server's history; relist."""


class WatchError(Exception):
    """An ERROR watch event other than 410."""


def connection_reason(exc: BaseException) -> str:
    """A few words for a connection failure (`connection refused`, `timed out`, HTTP 503 ...)."""
    status = getattr(exc, "status", None)
    if isinstance(status, int) and status:
        msg = status_message(getattr(exc, "body", None))
        return f"HTTP {status} {getattr(exc, 'reason', '') or ''}".strip() + (f": {msg}" if msg else "")
    # urllib3 wraps the cause: MaxRetryError.reason -> ProtocolError(msg, RemoteDisconnected(...)) ...
    chain: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(chain) < 20:
        cur = todo.pop(0)
        if any(cur is c for c in chain):
            continue
        chain.append(cur)
        nxt = getattr(cur, "reason", None)
        for cand in (nxt, cur.__cause__, cur.__context__, *getattr(cur, "args", ())):
            if isinstance(cand, BaseException):
                todo.append(cand)
    names = " ".join(type(c).__name__ for c in chain)
    texts = " ".join(str(c) for c in chain).lower()
    if "ConnectionRefusedError" in names or "refused" in texts:
        return "connection refused"
    if "RemoteDisconnected" in names or "IncompleteRead" in names or "connection aborted" in texts \
            or "connection broken" in texts:
        return "the connection was closed"
    if "ConnectionResetError" in names or "reset by peer" in texts:
        return "connection reset"
    if "timeout" in names.lower() or "timed out" in texts:
        return "timed out"
    if "name or service not known" in texts or "nodename nor servname" in texts or "NameResolutionError" in names:
        return "host name not found"
    if "SSLError" in names or "certificate" in texts:
        return "TLS error: " + " ".join(str(chain[-1]).split())[:120]
    text = " ".join(str(chain[-1]).split())
    return text[:160] if text else type(chain[-1]).__name__


def status_message(body: Any) -> str | None:
    if not body:
        return None
    try:
        st = json.loads(body)
    except (TypeError, ValueError):
        return None
    return st.get("message") if isinstance(st, dict) else None
