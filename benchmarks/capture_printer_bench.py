"""`watch --no-tui` under load: does explaining hold up recording? (issue 9 §5; a figure, not a test)

    .venv/bin/python benchmarks/capture_printer_bench.py [pods] [versions]

Prepared pod watch events are handed to the recorder as the reflectors hand them (`Capture.deliver`,
from another thread; the project's fake API server answers the initial list), three times in one run:

1. baseline: the recorder alone, nothing printed;
2. inline printer: the printer called by the recorder after each batch (how `watch --no-tui` printed
   before it had its own thread): the recorder waits for the model;
3. store printer: what `watch --no-tui` does now: the printer reads what was committed on its own
   thread and connection, the recorder only wakes it.

For each: recording throughput in objects/s and its ratio to the baseline; for the store printer also
how long it took after the last object was recorded to have printed every transition.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchlib import ROOT

sys.path.insert(0, os.path.join(ROOT, "tests", "live"))

from bench_capture import watch_items  # noqa: E402
from fake_apiserver import FakeKube, simple_kubeconfig  # noqa: E402

from kubectl_podlife.capture import Capture, TransitionPrinter, load_target  # noqa: E402
from kubectl_podlife.capture.printer import StorePrinter  # noqa: E402
from kubectl_podlife.store import Store  # noqa: E402


def run(tmp: Path, name: str, pods: int, versions: int, printer: str | None) -> tuple[float, float, int]:
    """Record pods × versions watch events; returns (objects/s while recording, printer lag s, lines)."""
    kube = FakeKube().start()
    cfg = simple_kubeconfig(tmp / f"{name}.cfg", kube.url)
    store = Store(tmp / f"{name}.db")
    out = io.StringIO()
    tp = TransitionPrinter("json", out, notify=lambda m: None)
    cap = Capture(load_target(kubeconfig=str(cfg)), store, all_namespaces=True, notify=lambda m: None,
                  on_observations=tp.feed if printer == "inline" else None)
    sid = cap.open()
    live = None
    if printer == "store":
        live = StorePrinter(tp, store.path, sid).start()
        cap.on_observations = live.wake
    items = watch_items(pods, versions)
    th = threading.Thread(target=cap.run, daemon=True)
    th.start()
    t0 = time.perf_counter()
    producer = threading.Thread(target=lambda: [cap.deliver(items[k:k + 100]) for k in range(0, len(items), 100)],
                                daemon=True)
    producer.start()
    while cap.stats.items < len(items):
        time.sleep(0.002)
    recorded = time.perf_counter() - t0
    cap.stopping.set()
    th.join()
    lag = 0.0
    if live is not None:
        t1 = time.perf_counter()
        live.finish()
        lag = time.perf_counter() - t1
    cap.close()
    store.close()
    kube.stop()
    return len(items) / recorded, lag, len(out.getvalue().splitlines())


def main() -> None:
    pods = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    versions = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    print(f"{pods} pods x {versions} versions = {pods * versions} pod watch events into the recorder")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        base, _, _ = run(tmp, "base", pods, versions, None)
        print(f"  baseline, recorder alone:      {base:8,.0f} objects/s")
        for label, kind in (("inline printer (before)", "inline"), ("store printer (now)", "store")):
            rate, lag, lines = run(tmp, kind, pods, versions, kind)
            extra = f"; printer done {lag:.2f}s after the last object was recorded" if kind == "store" else ""
            print(f"  {label + ':':30} {rate:8,.0f} objects/s = {rate / base:.2f} x baseline; "
                  f"{lines} transitions printed{extra}")


if __name__ == "__main__":
    main()
