"""`kubectl podlife watch`: resolve the cluster, record a live session, and show it (the TUI following
the store, or the live printer) until Ctrl-C, SIGTERM, SIGHUP or the TUI quits."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from typing import Any, Callable, Mapping, TextIO

from kubectl_podlife.arguments import add_watch_arguments, parse_request_timeout
from kubectl_podlife.capture.kubeconfig import load_target
from kubectl_podlife.capture.printer import StorePrinter, TransitionPrinter
from kubectl_podlife.capture.recorder import Capture
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.store import Store
from kubectl_podlife.textsafe import visible


def run_watch(args: argparse.Namespace) -> int:
    """`kubectl podlife watch`: record until Ctrl-C / SIGTERM / the TUI quits; returns the exit code."""
    _require_kubernetes_client()
    with Store(keep_env=getattr(args, "keep_env", False)) as store:
        return watch(args, store=store)


def _require_kubernetes_client() -> None:
    """`watch` needs the kubernetes client; the krew archive does not bundle it (scripts/release.py)."""
    try:
        import kubernetes.client  # noqa: F401
    except ImportError as exc:
        raise PodlifeError(f"watch needs the kubernetes Python client, which {sys.executable} cannot import "
                           f"({exc}); install it with `{sys.executable} -m pip install --user kubernetes` "
                           "or install podlife with `pipx install kubectl-podlife`") from None


def watch(args: argparse.Namespace, stop: threading.Event | None = None, out: TextIO | None = None,
          err: TextIO | None = None, store: Store | None = None,
          capture_options: Mapping[str, Any] | None = None) -> int:
    """The watch command with its streams injectable (tests drive it through `stop`, `out`, `err`)."""
    out = out or sys.stdout
    err = err or sys.stderr
    lock = threading.Lock()
    held: list[str] | None = None  # while the TUI owns the terminal, notices wait here

    def notify(msg: str) -> None:  # streams and the recorder speak from several threads
        msg = visible(msg)  # notices quote API server replies and exceptions: never raw control characters
        with lock:
            if held is not None:
                held.append(msg)
                del held[:-50]
                return
            err.write(f"podlife: {msg}\n")
            err.flush()

    request_timeout = parse_request_timeout(getattr(args, "request_timeout", "0"))
    target = load_target(kubeconfig=args.kubeconfig, context=args.context, namespace=args.namespace,
                         request_timeout=request_timeout)
    use_tui = not args.no_tui and bool(getattr(out, "isatty", lambda: False)())
    run_tui = None
    if use_tui:
        try:
            from kubectl_podlife.tui.app import run_tui  # noqa: F811
        except Exception as exc:
            notify(f"the TUI is not available ({type(exc).__name__}: {exc}); printing transitions instead")
            use_tui = False
    printer = None
    if not use_tui:
        try:
            printer = TransitionPrinter(args.output, out, notify=notify)
        except Exception as exc:
            notify(f"cannot explain transitions ({type(exc).__name__}: {exc}); recording only")
    own_store = store is None
    store = store or Store()
    cap = Capture(target, store, pods=args.pods, all_namespaces=args.all_namespaces, namespace=args.namespace,
                  label_selector=args.selector, field_selector=args.field_selector,
                  request_timeout=request_timeout, notify=notify,
                  **{"logs": not getattr(args, "no_logs", False), **dict(capture_options or {})})
    stop = stop or threading.Event()
    restore = _install_signals(stop, raise_interrupt=True)  # the first lists: Ctrl-C stops at once
    status = "closed"
    rc = 0
    broken_pipe = False
    live: StorePrinter | None = None
    try:
        try:
            sid = cap.open()
        finally:
            restore()
        if printer is not None:
            # its own thread and store connection: explaining never holds up recording (the initial
            # lists, already recorded, are explained first)
            live = StorePrinter(printer, store.path, sid, on_broken_pipe=stop.set).start()
            cap.on_observations = live.wake
        # from now on a signal asks the recorder to finish its batch and close the session
        restore = _install_signals(stop, raise_interrupt=use_tui)
        notify(f"recording session {sid}: {cap.describe()} (Ctrl-C to stop)")
        if use_tui and run_tui is not None:
            failed: list[BaseException] = []

            def record() -> None:
                try:
                    cap.run(stop)
                except BaseException as exc:  # shown after the TUI, never as a traceback over it
                    failed.append(exc)
                    notify(f"recording stopped: {type(exc).__name__}: {exc}")

            worker = threading.Thread(target=record, name="podlife-recorder", daemon=True)
            held = []
            worker.start()
            try:
                rc = run_tui(store_path=str(store.path), session_id=sid, follow=True, connection=cap.connection) or 0
            finally:
                stop.set()
                worker.join(timeout=5)
                with lock:
                    notices, held = held, None
                for msg in notices:
                    notify(msg)
            if failed:
                status = "interrupted"
        else:
            cap.run(stop)
    except KeyboardInterrupt:
        stop.set()
    except BrokenPipeError:  # `... | head`: the reader has gone; what was recorded stays
        stop.set()
        broken_pipe = True
    except BaseException:
        status = "interrupted"
        raise
    finally:
        restore()
        if live is not None:
            with contextlib.suppress(KeyboardInterrupt):  # a Ctrl-C now: stop printing, close the session
                live.finish()  # explain what the recorder committed last
            broken_pipe = broken_pipe or live.broken_pipe
        cap.close(status)
        if cap.discarded is not None:
            where = f"namespace {cap.namespace}" if cap.namespace else "all namespaces"
            notify(f"nothing was recorded in {where}; session {cap.discarded} was not kept")
        if cap.session_id is not None:
            s = cap.stats
            notify(f"session {cap.session_id} {status}: {s.observations} observations from {s.items} objects "
                   f"({s.reconnects} reconnects, {s.relists} relists)"
                   if status == "closed" else f"session {cap.session_id} {status}")
        if own_store:
            store.close()
    if broken_pipe and out is sys.stdout:
        with contextlib.suppress(OSError, ValueError):  # no second BrokenPipeError when Python flushes at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return rc if isinstance(rc, int) else 0


def _install_signals(stop: threading.Event, raise_interrupt: bool) -> Callable[[], None]:
    """Ctrl-C, SIGTERM and SIGHUP (the SSH session went away) stop the recording cleanly; a SIGHUP the
    process was started with ignored (nohup) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    saved: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        stop.set()
        if raise_interrupt:
            raise KeyboardInterrupt

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        if name == "SIGHUP" and signal.getsignal(sig) == signal.SIG_IGN:
            continue  # `nohup kubectl podlife watch ...`: recording goes on after the terminal closes
        with contextlib.suppress(ValueError, OSError):
            saved[sig] = signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in saved.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, old)
    return restore


def main(argv: list[str] | None = None) -> int:
    """`python -m kubectl_podlife.capture [watch flags]`: the watch command on its own."""
    p = argparse.ArgumentParser(prog="kubectl podlife watch",
                                description="Record pods' lifecycles live and explain every transition.")
    add_watch_arguments(p)
    args = p.parse_args(argv)
    try:
        return run_watch(args)
    except PodlifeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
