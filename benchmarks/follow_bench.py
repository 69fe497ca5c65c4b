"""What one poll of the TUI's live following costs on a big session (issue 12: proportional to what
changed, not to the session).

    python benchmarks/follow_bench.py [PODS]

Imports a generated `get pods -A -w` log of PODS pods (default 2,000, about 100k rows) into a temporary
store, builds its pods as the TUI's load does, then appends one observation to one pod at a time and
prints the CPU time of a poll (tui/follow.py: that pod rebuilt) next to rebuilding the whole session from
all its observations (what each poll did before). Median of 5 polls.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace

import benchlib
from benchlib import cli, report


def main() -> None:
    pods = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    path = benchlib.get_w_all_namespaces(pods)
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "podlife.db")
        r = cli(["import", path], env={"PODLIFE_DB": db})[0]
        if r.rc != 0:
            raise SystemExit(f"import failed: {r.err.decode(errors='replace')[-2000:]}")
        from kubectl_podlife.pipeline import pod_timeline, timeline_for_observations
        from kubectl_podlife.store import Store
        from kubectl_podlife.tui.follow import LiveSession

        store = Store(db)
        sid = store.sessions()[-1].id
        summaries = store.pods(sid)
        live = LiveSession(store, sid, {s.id: pod_timeline(store, s) for s in summaries},
                           seen=max(s.version for s in summaries))
        polls, whole = [], []
        for k in range(5):
            one = summaries[(k * 397) % len(summaries)]
            last = store.pod_observations(one.id)[-1]
            store.append(sid, [replace(last, seq=last.seq + 1, origin=f"bench:{k}")])
            c0 = time.process_time()
            _, rebuilt = live.poll()
            polls.append(time.process_time() - c0)
            assert rebuilt == 1, rebuilt
            c0 = time.process_time()
            _, observations = store.observations(sid)
            timeline_for_observations(observations, store.warnings(sid))
            whole.append(time.process_time() - c0)
        store.close()
    poll, full = statistics.median(polls), statistics.median(whole)
    print(f"follow a session of {len(observations):,} observations, {len(summaries):,} pods; one pod changed per poll")
    report("poll (changed pods rebuilt)", poll * 1000, "ms CPU", "", None)
    report("whole session rebuilt", full * 1000, "ms CPU", "", None)
    print(f"  the poll costs 1/{full / poll:,.0f} of rebuilding the session")


if __name__ == "__main__":
    main()
