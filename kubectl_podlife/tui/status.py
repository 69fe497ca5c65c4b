"""The two status lines at the top of a pod's screen: which pod and what it came to, then where the
playhead is, how it moves (playing, speed, following live or paused), the row, the filters and the search,
and while following, the API connection's state. Plain text from the app's state; app.py draws it."""

from __future__ import annotations

from typing import Any

from kubectl_podlife.timefmt import clock

from .podtable import restarts_phrase


def status_text(app: Any) -> str:
    """The status lines for PodlifeApp `app` (one line until a pod is shown)."""
    pod, view = app.pod, app.view
    api = app.source.connection.describe() if app.following and app.source.connection is not None else None
    if pod is None or view is None:
        return (f"kubectl podlife · {app.source.describe()}" + (" · failed" if app.load_error else "")
                + (f" · API {api}" if api else ""))
    n = len(app.rows)
    line1 = (f"Job {pod.display} · {pod.final_status or '?'} · {pod.diagnosis.cause}" if pod.kind == "Job" else
             f"{pod.display} · {restarts_phrase(pod)} · {pod.final_status or '?'} · {pod.diagnosis.cause}")
    if n > 1:
        pos = next((i for i, r in enumerate(app.rows) if r.index == app.pod_index), 0)
        line1 = f"[{pos + 1}/{n} < > o] " + line1
    # ▶ while the playhead moves: playing, or riding the end of a live recording
    live = app.following and not app.follow_paused
    state = "▶" if app.playing or live else "⏸"
    row = f"{app.selected + 1}/{len(view)}" if app.selected is not None else f"-/{len(view)}"
    bits = [f"{state} live" if live and not app.playing else f"{state} {app.speed}x",
            f"{clock(app.playhead)} / {clock(view.end)}", f"row {row}"]
    if app.container_filter or app.kind_filter:
        bits.append(f"only {app.container_filter or 'all containers'} · {app.kind_filter or 'all kinds'}")
    if app.query_text:
        pos = f"{app.match_pos + 1}/{len(app.matches)}" if app.match_pos is not None else f"-/{len(app.matches)}"
        bits.append(f"/{app.query_text} {pos}")
    if app.following:
        api_note = "" if api in (None, "live") else f" · API {api}"  # reconnecting in 4s (...), relisting
        if app.follow_paused:
            bits.append("following paused — G to resume" + api_note)
        else:
            bits.append(f"following{api_note}" if api_note else "following live")
    return f"{line1}\n{'  '.join(bits)}"
