"""How fast `simulate --pods N` writes a synthetic session, and how fast podlife reads it back.

    python benchmarks/generate.py [PODS [SEED]]

Writes PODS simulated pods (default 1300, about 100,000 observations) as JSONL and as a get -w table
into a temporary directory, then imports the JSONL into a temporary store and explains it. Prints
wall and CPU seconds for each step (CPU time is the steadier figure on a shared machine).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from kubectl_podlife.commands.simulate_generate import generate  # noqa: E402


def timed(label: str, fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    w, c = time.perf_counter() - w0, time.process_time() - c0
    print(f"{label:<34} {w:6.2f} s wall  {c:6.2f} s CPU")
    return out, c


def main() -> None:
    pods = int(sys.argv[1]) if len(sys.argv) > 1 else 1300
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with tempfile.TemporaryDirectory() as d:
        jl = os.path.join(d, "gen.jsonl")
        res, cpu = timed(f"generate {pods} pods (jsonl)", lambda: generate(pods, jl, "jsonl", seed))
        print(f"  {res.observations} observations, {res.observations / cpu:,.0f} per CPU second, "
              f"{os.path.getsize(jl) / 1e6:.1f} MB")
        gw = os.path.join(d, "gen.txt")
        res2, _ = timed(f"generate {pods} pods (get-w)", lambda: generate(pods, gw, "get-w", seed))
        print(f"  {res2.observations} rows")
        os.environ["PODLIFE_DB"] = os.path.join(d, "podlife.db")
        from kubectl_podlife.ingest import read_paths
        from kubectl_podlife.model import build_timeline
        from kubectl_podlife.store import Store

        result, _ = timed("read the JSONL back", lambda: read_paths([jl]))
        assert len(result.observations) == res.observations, (len(result.observations), res.observations)

        def store():
            with Store() as s:
                sid = s.create_session("import", result.sources)
                s.append(sid, result.observations)
                s.close_session(sid)
        timed("append to the store", store)
        tl, _ = timed("explain (build_timeline)", lambda: build_timeline(result.observations))
        print(f"  {len(tl.pods)} pods, {sum(len(p.transitions) for p in tl.pods)} transitions")


if __name__ == "__main__":
    main()
