"""Regenerate the oracle's transcripts with real kubectl and print the scenario x format matrix.

    .venv/bin/python tests/oracle/matrix.py [--versions 1.27,1.30,1.33] [--out DIR] [--only SCENARIO]

Writes every transcript kubectl printed under DIR/<version>/<scenario>/<format>.* (so a failure
can be read and replayed with `kubectl podlife explain`), runs podlife on each, and prints one
line per scenario x format: how many versions podlife gets fully right and the first wrong check.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import checks  # noqa: E402
import harness  # noqa: E402
import scenarios  # noqa: E402

MIXED = ("json+describe", "session")
ALL_FORMATS = tuple(f.name for f in harness.FORMATS) + MIXED


def transcripts(k: harness.Kubectl, make, folder: Path,
                formats: tuple[str, ...] = ALL_FORMATS) -> dict[str, list[Path]]:
    """format -> the files podlife reads for it (two for json+describe); each run is placed to end as
    kubectl starts, so describe's and `kubectl events`' own clock agrees with the server's."""
    sc = scenarios.build(make)
    if sc.gone:  # nothing left to get or describe, so no mixed transcript either
        formats = tuple(f for f in formats if f in harness.BY_NAME and not harness.BY_NAME[f].gets_pod)
    folder.mkdir(parents=True, exist_ok=True)
    text: dict[str, str] = {}
    need = set(formats)
    if "json+describe" in need:
        need |= {"get-json", "describe"}
    if "session" in need:
        need |= {"get-w", "describe", "get-events"}
    wanted = [f for f in harness.FORMATS if f.name in need]
    with ThreadPoolExecutor(4) as pool:  # each run has its own server; kubectl's start-up dominates
        for f, printed in zip(wanted, pool.map(lambda f: k.transcript(make, f), wanted)):
            text[f.name] = printed
    files: dict[str, list[Path]] = {}
    for f in harness.FORMATS:
        if f.name in formats:
            path = folder / f"{f.name}{f.suffix}"
            path.write_text(text[f.name])
            files[f.name] = [path]
    if "json+describe" in formats:
        a, b = folder / "pod.json", folder / "pod-describe.txt"
        a.write_text(text["get-json"])
        b.write_text(text["describe"])
        files["json+describe"] = [a, b]
    if "session" in formats:
        path = folder / "session.txt"
        path.write_text(harness.session([(f"get pods -n {sc.namespace} -w", text["get-w"] + "^C\n"),
                                         (f"describe pod {sc.pod} -n {sc.namespace}", text["describe"]),
                                         (f"get events -n {sc.namespace}", text["get-events"])]))
        files["session"] = [path]
    return files


def truth(make, fmt: str, minor: int = scenarios.printers.LATEST) -> scenarios.Scenario:
    """What the scenario's pod was when kubectl printed `fmt`: the whole story for watches (and the session,
    whose watch runs to the end), the snapshot moment for commands that print one moment."""
    watched = fmt == "session" or (fmt in harness.BY_NAME and harness.BY_NAME[fmt].watch)
    return scenarios.build(make, snapshot=not watched, minor=minor)


def explain(files: list[Path]) -> dict:
    from kubectl_podlife import pipeline

    timeline, _ = pipeline.timeline_for_files([str(f) for f in files])
    return json.loads(json.dumps(timeline.to_json()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", default="1.27,1.30,1.33")
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", default=None)
    ap.add_argument("--json", action="store_true", help="print every check as JSON lines")
    args = ap.parse_args(argv)
    bins = harness.kubectl_binaries()
    if not bins:
        print("no kubectl binary found", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else harness.workdir()
    versions = [v for v in args.versions.split(",") if v in bins]
    results: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    for v in versions:
        k = harness.Kubectl(bins[v], out / "home", v)
        for make in scenarios.ALL:
            sc = scenarios.build(make)
            if args.only and sc.name not in args.only.split(","):
                continue
            for fmt, files in transcripts(k, make, out / v / sc.name).items():
                got = checks.check(truth(make, fmt, k.minor), fmt, explain(files))
                results.setdefault((sc.name, fmt), []).append((v, got))
                if args.json:
                    print(json.dumps({"version": v, "scenario": sc.name, "format": fmt, "checks": got}))
    right = 0
    for (name, fmt), runs in results.items():
        ok = [v for v, got in runs if not any(got.values())]
        right += len(ok)
        wrong = next((f"{v}: " + "; ".join(f"{c}: {m}" for c, m in got.items() if m) for v, got in runs
                      if any(got.values())), "")
        print(f"{name:18} {fmt:18} {len(ok)}/{len(runs)}  {wrong[:160]}")
    total = sum(len(r) for r in results.values())
    print(f"fully right: {right}/{total} transcripts ({len(results)} scenario x format, {len(versions)} versions); "
          f"files under {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
