"""The command line: `kubectl podlife <command>`, with kubectl's flag conventions.

Every user-facing failure is one line on stderr and a non-zero exit; tracebacks only with
PODLIFE_DEBUG=1.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import signal
import sys
from typing import Iterator, Sequence

from dataclasses import replace

from kubectl_podlife import __version__
from kubectl_podlife.arguments import (add_pod_selection_arguments, add_sessions_arguments, add_simulate_arguments,
                                      add_watch_arguments, pod_selector)
from kubectl_podlife.errors import PodlifeError

# The commands below import their layers (ingest, store, model, render, capture, the TUI) inside
# the functions, for start-up cost only: `--help` and a flag error load none of them
# (tests/test_plugin.py checks), and each command pays only for what it uses.

PROG = "kubectl podlife"
MAX_WARNINGS = 20

_DESCRIPTION = """Replay a pod's lifecycle and explain every transition: why it restarted (which probe,
threshold and period), which grace period and back-off applied, which init container held it."""

_EPILOG = """examples:
  kubectl podlife replay saved-terminal.log          open the TUI on saved kubectl output
  kubectl podlife explain describe.txt -o json       the explained timeline as JSON
  kubectl podlife watch my-pod -n prod               record and explain a live pod
  kubectl podlife import get-w.txt describe.txt      store a session; then: replay --session latest
"""


class _Parser(argparse.ArgumentParser):
    """Usage errors in a few lines, kubectl's way: the error, this (sub)command's usage in one line, and
    where the full help is (argparse would print the whole wrapped usage of every flag)."""

    def short_usage(self) -> str:
        parts = [self.prog]
        for a in self._actions:
            if a.option_strings:
                continue
            if isinstance(a, argparse._SubParsersAction):  # noqa: SLF001 - argparse's own class, no public name
                names = "|".join(a.choices)
                parts.append(names if a.required else f"[{names}]")
                continue
            m = a.metavar or a.dest
            parts.append({"*": f"[{m}...]", "+": f"{m}...", "?": f"[{m}]"}.get(a.nargs, m))
        return " ".join(parts + ["[flags]"])

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"error: {message}\nusage: {self.short_usage()}\nSee '{self.prog} --help' for the flags.\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description=_DESCRIPTION, epilog=_EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"kubectl-podlife {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, **kw) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, **kw)
        sp.set_defaults(parser=sp)  # the innermost parser, for errors found after parsing
        return sp

    def source_args(sp: argparse.ArgumentParser, files_help: str) -> None:
        sp.add_argument("files", nargs="*", metavar="FILE", help=files_help)
        sp.add_argument("--session", metavar="ID", help='a stored session id, or "latest"')
        add_pod_selection_arguments(sp)

    sp = add("replay", help="open the replay TUI on saved output or a stored session",
             description="Open the replay TUI on saved kubectl output (format detected per block; "
                         "several files are merged per pod) or on a stored session.")
    source_args(sp, "saved kubectl output: get pods -w, describe, get events, manifests, -o json; - for stdin")
    sp.add_argument("--no-tui", action="store_true", help="print the explained timeline instead (also when stdout "
                                                          "is not a terminal)")

    sp = add("explain", help="print the explained timeline (text, markdown or JSON)",
             description="Print each pod's timeline with an explanation of every transition.")
    source_args(sp, "saved kubectl output; - for stdin")
    sp.add_argument("-o", "--output", choices=("text", "markdown", "json", "wide"), default="text",
                    help="wide: one line per pod, the columns of kubectl get pods and the diagnosis")

    sp = add("import", help="read saved output into the store; prints the session id",
             description="Read saved kubectl output into a new stored session and print its id.")
    sp.add_argument("files", nargs="+", metavar="FILE", help="saved kubectl output; - for stdin")
    sp.add_argument("--keep-env", action="store_true",
                    help="store env values and container args as given (by default only that a value was "
                         "present, valueFrom references, and the words of args that explanations read)")

    sp = add("sessions", help="list, delete or prune stored sessions",
             description="List the sessions in the store; `rm ID...` deletes some, `prune --older-than 7d` "
                         "the old ones.")
    add_sessions_arguments(sp)

    sp = add("export", help="write a session's observations as JSONL",
             description="Write a stored session's normalized observations as JSONL (podlife's "
                         "interchange format; `import` reads it back).")
    sp.add_argument("--session", metavar="ID", required=True, help='a session id, or "latest"')

    sp = add("watch", help="record and explain live pods from the API server",
             description="List and watch pods and their events, record them as a live session and "
                         "explain transitions as they happen.")
    add_watch_arguments(sp)

    sp = add("simulate", help="predict a pod's timeline from its manifest",
             description="Run the kubelet's rules forward from a pod manifest.")
    add_simulate_arguments(sp)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # run as the program (not called by a test or another tool in its process)
        # The cyclic GC's default first threshold (700 allocations) runs a collection every few
        # observations or transitions built, almost never finding garbage: about a tenth of `import` and
        # `explain --session`. A pod's objects are freed by reference counting as soon as it is printed.
        gc.set_threshold(50_000, 20, 100)
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # argparse reports these with the top-level usage; the subcommand's is the one that helps
        getattr(args, "parser", parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if not args.command:
        parser.print_help()
        return 0
    try:
        return _dispatch(args)
    except PodlifeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback for users
        if os.environ.get("PODLIFE_DEBUG"):
            raise
        print(f"error: internal error: {type(exc).__name__}: {exc} (set PODLIFE_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 70


def _dispatch(args: argparse.Namespace) -> int:
    cmd = args.command
    if cmd == "import":
        return _import(args)
    if cmd == "sessions":
        from kubectl_podlife.commands.sessions import run_sessions
        return run_sessions(args)
    if cmd == "export":
        return _export(args)
    if cmd == "explain":
        return _explain(args)
    if cmd == "replay":
        return _replay(args)
    if cmd == "watch":
        from kubectl_podlife.capture import run_watch
        return run_watch(args)
    if cmd == "simulate":
        from kubectl_podlife.commands.simulate import run_simulate
        return run_simulate(args)
    raise PodlifeError(f"unknown command {cmd}")


def _print_warnings(warnings: Sequence[object]) -> None:
    for w in list(warnings)[:MAX_WARNINGS]:
        print(f"warning: {w}", file=sys.stderr)
    if len(warnings) > MAX_WARNINGS:
        print(f"warning: ... and {len(warnings) - MAX_WARNINGS} more", file=sys.stderr)


class Interrupted(BaseException):
    """SIGTERM or SIGHUP during a command that must leave the store consistent (as Ctrl-C does)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Interrupted (SIGINT already raises KeyboardInterrupt), so the session
    being written is marked interrupted instead of the process dying inside a batch. A SIGHUP ignored at
    start (`nohup kubectl podlife import ...`) stays ignored: the import goes on after the terminal closes."""
    saved = {}

    def handler(signum, frame):
        raise Interrupted(signum)

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and not (name == "SIGHUP" and signal.getsignal(sig) == signal.SIG_IGN):  # nohup
            with contextlib.suppress(ValueError, OSError):
                saved[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in saved.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, old)


def _stopped_by(exc: BaseException) -> tuple[str, int] | None:
    """("Ctrl-C", 130) / ("SIGTERM", 143) for a signal, else None."""
    if isinstance(exc, Interrupted):
        return str(exc), 128 + exc.signum
    if isinstance(exc, KeyboardInterrupt):
        return "Ctrl-C", 130
    return None


def _import(args: argparse.Namespace) -> int:
    from kubectl_podlife.ingest import read_paths, stream
    from kubectl_podlife.store import Store
    from kubectl_podlife.store.interface import BATCH

    with _signals_interrupt():
        try:
            # Files of get pods tables only (a long `get pods -A -w`) are stored batch by batch as they
            # are read, in bounded memory; anything else is read whole first.
            plan = stream.plan(args.files)
            result = None if plan is not None else read_paths(args.files)
        except (KeyboardInterrupt, Interrupted) as exc:
            why, code = _stopped_by(exc)
            print(f"import interrupted ({why}) while reading; nothing was stored", file=sys.stderr)
            return code
        if result is not None:
            _print_warnings(result.warnings)
            total, sources = len(result.observations), result.sources
            parts: Iterator[Sequence] = iter([result.observations])
        else:
            total, sources = plan.rows, plan.sources
            parts = stream.batches(plan)
        # A commit about every 5% of the rows (at least the store's batch, at most a part read): each
        # commit rewrites every index page its rows touched, about one per pod in the batch, so small
        # commits of a many-pod file cost more than the rows themselves (issue 12).
        batch = min(stream.BATCH_ROWS, max(BATCH, total // 20))
        with Store(keep_env=args.keep_env) as store:
            sid = store.create_session("import", sources)
            try:
                for part in parts:
                    store.append(sid, part, batch=batch)
                warnings = result.warnings if result is not None else plan.warnings
                if result is None:
                    _print_warnings(warnings)
                store.add_warnings(sid, [(w.origin, w.message) for w in warnings])
                store.close_session(sid)
            except BaseException as exc:
                stopped = _stopped_by(exc)
                why = stopped[0] if stopped else ("a full disk" if "disk full" in str(exc) else type(exc).__name__)
                kept = None
                with contextlib.suppress(Exception):
                    kept = store.count(sid)
                n = "?" if kept is None else kept
                # If even this cannot be written (a full disk), the next open finds the process gone.
                with contextlib.suppress(Exception):
                    store.close_session(sid, "interrupted",
                                        note=f"import stopped by {why} after {n} of {total} observations")
                summary = f"session {sid} keeps {n} of {total} observations and is marked interrupted"
                if stopped:
                    print(f"import interrupted ({why}): {summary}", file=sys.stderr)
                    return stopped[1]
                if isinstance(exc, PodlifeError):
                    raise PodlifeError(f"{exc}; {summary}", exc.exit_code) from None
                raise
    pods = len(result.pods) if result is not None else len(plan.pod_names)
    print(sid)
    print(f"imported {total} observations of {pods} pods from "
          f"{len(sources)} file(s) into session {sid}", file=sys.stderr)
    return 0


def _warn_incomplete(store, session_id: int) -> None:
    """One line on stderr when a session read may not hold everything (interrupted, still written)."""
    msg = store.session(session_id).incomplete()
    if msg:
        print(f"warning: {msg}", file=sys.stderr)


def _export(args: argparse.Namespace) -> int:
    from kubectl_podlife.store import Store

    with Store(create=False) as store:
        sid = store.resolve(args.session)
        info = store.session(sid)
        if info.incomplete():
            print(f"warning: {info.incomplete()}", file=sys.stderr)
        if info.keep_env:
            print(f"note: session {sid} was stored with env values and container args as given (--keep-env, or "
                  "before podlife left them out); this export holds them", file=sys.stderr)
        else:
            print(f"note: session {sid} was stored without env values and container args (only env names, valueFrom "
                  "references and the words of command/args that explanations read); neither is in this export",
                  file=sys.stderr)
        _, observations = store.observations(sid)
    out = sys.stdout
    out.write(json.dumps({"podlife": "session", "version": 1, "session": sid, "kind": info.kind,
                          "created": info.created, "sources": list(info.sources)}) + "\n")
    for o in observations:
        out.write(json.dumps(o.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n")
    return 0


def load_timeline(args: argparse.Namespace):
    """The Timeline for `FILE...` or `--session`, only the pods -n/--pod select; prints warnings."""
    from kubectl_podlife import pipeline

    if args.session and args.files:
        raise PodlifeError("give either FILE... or --session, not both")
    _check_pod_not_file(args)
    if args.session:
        from kubectl_podlife.store import Store

        with Store(create=False) as store:
            sid = store.resolve(args.session)
            _warn_incomplete(store, sid)
            return pipeline.timeline_for_session(store, sid, pod_selector(args))  # selected before building
    if args.files:
        timeline, result = pipeline.timeline_for_files(args.files)
        _print_warnings(result.warnings)
    else:
        raise PodlifeError("nothing to read: give FILE... (- for stdin) or --session ID|latest")
    selector = pod_selector(args)
    if not selector.everything:
        pods = tuple(p for p in timeline.pods if selector.matches(p.namespace, p.name, p.display))
        if not pods:
            raise selector.none_matched((p.namespace, p.name) for p in timeline.pods)
        timeline = replace(timeline, pods=pods)
    return timeline


def _check_pod_not_file(args: argparse.Namespace) -> None:
    """`explain FILE POD` is kubectl's `get pods POD` habit: say so before reading anything."""
    for f in args.files[1:]:
        if f != "-" and not os.path.exists(f):
            raise PodlifeError(f"{f}: no such file; did you mean --pod {f}?")


def _explain(args: argparse.Namespace) -> int:
    from kubectl_podlife import render

    if args.session and not args.files and args.output in ("text", "json"):
        return _explain_session(args)
    timeline = load_timeline(args)
    if args.output == "wide":
        sys.stdout.write(render.wide(timeline.pods))
    elif args.output == "json":
        from kubectl_podlife import jsonout

        print(jsonout.dumps(timeline.to_json()))
    elif args.output == "markdown":
        print(render.markdown(timeline))
    else:
        print(render.text(timeline, color=_color_ok()))
    return 0


def _explain_session(args: argparse.Namespace) -> int:
    """A stored session explained pod by pod: each pod is read, built (or taken from the cache) and
    printed before the next is read, so output starts at once and memory holds one pod."""
    from kubectl_podlife import pipeline, render
    from kubectl_podlife.store import Store

    out = sys.stdout
    with Store(create=False) as store:
        sid = store.resolve(args.session)
        _warn_incomplete(store, sid)
        pods = pipeline.session_pod_timelines(store, sid, pod_selector(args))
        if args.output == "json":
            chunks = render.json_chunks(pods, lambda: store.warnings(sid))
        else:
            chunks = render.text_chunks(pods, color=_color_ok())
        for chunk in chunks:
            out.write(chunk)
        out.write("\n")
    return 0


def _color_ok() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _replay(args: argparse.Namespace) -> int:
    if args.no_tui or not sys.stdout.isatty():
        from kubectl_podlife import render

        print(render.text(load_timeline(args), color=_color_ok()))
        return 0
    if not args.files and not args.session:
        raise PodlifeError("nothing to replay: give FILE... (- for stdin) or --session ID|latest")
    if "-" in args.files:
        raise PodlifeError("the TUI needs the terminal for keys; save stdin to a file first, or use --no-tui")
    from kubectl_podlife.ingest.source import check_source
    from kubectl_podlife.tui.app import run_tui

    _check_pod_not_file(args)
    for f in args.files:  # fail before the screen switches, with the same one-line errors
        check_source(f)

    if not pod_selector(args).everything:  # a selection: explain here, hand the TUI the filtered timeline
        return run_tui(timeline=load_timeline(args))
    if args.session:
        from kubectl_podlife.store import Store

        with Store(create=False) as store:
            session_id, path = store.resolve(args.session), str(store.path)
            _warn_incomplete(store, session_id)
        return run_tui(store_path=path, session_id=session_id)
    return run_tui(files=list(args.files))
