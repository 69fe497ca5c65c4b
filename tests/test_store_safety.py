"""The store when things go wrong (issue 9 §5, §6): interrupted imports, a full disk, read-only and
damaged files, a missing directory, and what the store keeps of a pod's env and args."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from podlife_testkit import REPO, run_cli
from kubectl_podlife import cli
from kubectl_podlife.store import Store
from kubectl_podlife.store.schema import SCHEMA_VERSION


def big_watch(tmp_path, rows: int = 3000):
    """A `get pods -w` of many rows (several batches of the store)."""
    f = tmp_path / "big.txt"
    lines = ["NAME      READY   STATUS    RESTARTS   AGE"]
    for i in range(rows):
        lines.append(f"web-{i % 7}     1/1     Running   {i // 7}          {i + 5}s")
    f.write_text("\n".join(lines) + "\n")
    return f


def session_row(path, sid=1):
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT status, note FROM sessions WHERE id=?", (sid,)).fetchone()


def warnings_of(stderr: bytes | str) -> list[str]:
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    return [ln for ln in text.splitlines() if ln.startswith("warning:")]


# --- §5: an interrupted import ----------------------------------------------------------------

@pytest.mark.parametrize("sig,why,code", [(signal.SIGINT, "Ctrl-C", 130), (signal.SIGTERM, "SIGTERM", 143)])
def test_signal_during_import_marks_the_session_interrupted(tmp_path, store_path, monkeypatch, capsys, sig, why, code):
    f = big_watch(tmp_path)
    real = Store._insert
    calls = []

    def insert_then_signal(self, rows):  # the signal arrives once the first batch is committed
        n = real(self, rows)
        calls.append(n)
        if len(calls) == 1:
            os.kill(os.getpid(), sig)
        return n

    # Ctrl-C as a command run from a terminal has it: Python's handler that raises KeyboardInterrupt. A
    # process started with SIGINT ignored (a background job of a script: `pytest ... &`, nohup in a loop)
    # keeps it ignored, and Python with it, so the signal would do nothing and the import would complete.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with monkeypatch.context() as m:
            m.setattr(Store, "_insert", insert_then_signal)
            assert cli.main(["import", str(f)]) == code
    finally:
        signal.signal(signal.SIGINT, inherited)
    out, err = capsys.readouterr()
    assert out == ""  # no session id: nothing complete was made
    assert err.splitlines()[-1] == f"import interrupted ({why}): session 1 keeps 500 of 3000 observations and is " \
                                   "marked interrupted"
    assert "Traceback" not in err
    status, note = session_row(store_path)
    assert status == "interrupted" and note == f"import stopped by {why} after 500 of 3000 observations"

    r = run_cli("sessions")
    assert r.returncode == 0
    assert r.stdout.decode().splitlines()[1].split()[3] == "interrupted"
    assert warnings_of(r.stderr) == [f"warning: session 1 is incomplete: import stopped by {why} after 500 of 3000 "
                                     "observations; it holds the 500 observations committed before that"]
    for args in (["explain", "--session", "latest"], ["replay", "--no-tui", "--session", "1"],
                 ["export", "--session", "1"]):
        r = run_cli(*args)
        assert r.returncode == 0, r.stderr
        assert len(warnings_of(r.stderr)) == 1 and "session 1 is incomplete" in r.stderr.decode()


_BLOCKED_IMPORT = """
import sys, threading
sys.path.insert(0, {repo!r})
from kubectl_podlife import cli
from kubectl_podlife.store import Store
real = Store._insert
calls = []
def insert(self, rows):
    n = real(self, rows)
    calls.append(n)
    if len(calls) == 2:
        print("committed", flush=True)
        threading.Event().wait()  # hold here until killed
    return n
Store._insert = insert
cli.main(["import", {file!r}])
"""


_NOHUP_IMPORT = """
import signal, sys
signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as `nohup` starts it
sys.path.insert(0, {repo!r})
from kubectl_podlife import cli
from kubectl_podlife.store import Store
real = Store._insert
calls = []
def insert(self, rows):
    n = real(self, rows)
    calls.append(n)
    if len(calls) == 1:
        print("committed", flush=True)
        sys.stdin.readline()  # the test hangs up here, then lets the import go on
    return n
Store._insert = insert
sys.exit(cli.main(["import", {file!r}]))
"""


def test_a_nohup_import_goes_on_after_a_hangup(tmp_path, store_path):
    """`nohup kubectl podlife import big.txt &`, then the terminal closes: SIGHUP was ignored on purpose."""
    f = big_watch(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", _NOHUP_IMPORT.format(repo=str(REPO), file=str(f))],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    try:
        assert proc.stdout.readline().strip() == b"committed"
        proc.send_signal(signal.SIGHUP)  # queued before the line below, so it arrives while the import waits
        out, err = proc.communicate(b"\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out == b"1\n" and b"interrupted" not in err
    assert session_row(store_path) == ("closed", "")


def test_a_killed_import_is_found_interrupted_on_the_next_open(tmp_path, store_path):
    f = big_watch(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", _BLOCKED_IMPORT.format(repo=str(REPO), file=str(f))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    try:
        assert proc.stdout.readline().strip() == b"committed"
        # While the writer runs, a reader says the session is still being written.
        r = run_cli("sessions")
        assert r.stdout.decode().splitlines()[1].split()[3] == "open"
        assert warnings_of(r.stderr) == [f"warning: session 1 is still being written (pid {proc.pid}); this is the "
                                         "1000 observations committed so far"]
    finally:
        proc.kill()
        proc.wait(timeout=30)
    r = run_cli("sessions")
    assert r.stdout.decode().splitlines()[1].split()[3] == "interrupted"
    [w] = warnings_of(r.stderr)
    assert w.startswith("warning: session 1 is incomplete: the process writing it (pid ") and "1000 observations" in w
    assert session_row(store_path)[0] == "interrupted"  # written back, for readers of other versions too
    r = run_cli("explain", "--session", "latest")
    assert r.returncode == 0 and len(warnings_of(r.stderr)) == 1 and "incomplete" in r.stderr.decode()


def test_a_closed_import_warns_nothing(tmp_path, store_path):
    f = big_watch(tmp_path, rows=20)
    r = run_cli("import", str(f))
    assert r.returncode == 0 and r.stdout == b"1\n"
    for args in (["sessions"], ["explain", "--session", "1"], ["export", "--session", "1"]):
        r = run_cli(*args)
        assert r.returncode == 0 and warnings_of(r.stderr) == []


def test_a_schema_2_store_with_an_open_session_is_migrated(tmp_path, store_path):
    """Schema 2 recorded no writer: a session it left open was interrupted (or is closed by its writer)."""
    with Store(store_path) as s:
        s.create_session("import", ["old.txt"])
        s.create_session("import", ["done.txt"])
        s.close_session(2)
    with contextlib.closing(sqlite3.connect(store_path)) as db:
        db.executescript("ALTER TABLE sessions DROP COLUMN writer; ALTER TABLE sessions DROP COLUMN keep_env;"
                         "UPDATE meta SET value='2' WHERE key='schema_version';")
    r = run_cli("sessions")
    assert r.returncode == 0
    assert [ln.split()[3] for ln in r.stdout.decode().splitlines()[1:]] == ["interrupted", "closed"]
    assert len(warnings_of(r.stderr)) == 1 and "session 1 is incomplete" in r.stderr.decode()
    with contextlib.closing(sqlite3.connect(store_path)) as db:
        assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)


# --- §5: a full disk --------------------------------------------------------------------------

def test_a_full_disk_is_one_line_and_the_session_is_interrupted(tmp_path, store_path, monkeypatch, capsys):
    Store(store_path).close()  # the empty store's pages, then room for only a few more
    with contextlib.closing(sqlite3.connect(store_path)) as db:
        limit = db.execute("PRAGMA page_count").fetchone()[0] + 4
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):  # SQLite's own limit raises SQLITE_FULL as a full disk does
        db = real_connect(*args, **kwargs)
        db.execute(f"PRAGMA max_page_count={limit}")
        return db

    f = big_watch(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(sqlite3, "connect", connect)
        rc = cli.main(["import", str(f)])
    out, err = capsys.readouterr()
    assert rc == 1 and out == ""
    assert err.count("\n") == 1 and "internal error" not in err
    assert err.startswith(f"error: disk full while writing {store_path} (database or disk is full)")
    assert "session 1 keeps " in err and "of 3000 observations and is marked interrupted" in err
    assert session_row(store_path)[0] == "interrupted"
    r = run_cli("sessions")
    assert "interrupted" in r.stdout.decode() and "incomplete" in r.stderr.decode()


# --- §5: read-only, damaged and missing stores ---------------------------------------------------

def _drop_file_capabilities() -> None:
    """As root, permissions do not apply (CAP_DAC_OVERRIDE): drop those capabilities in the child so a
    0444 file or a 0555 directory is read-only for it, as it is for any user."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_as_user(*args: str) -> subprocess.CompletedProcess:
    """The CLI as an ordinary user would run it (capabilities that bypass permissions dropped under root)."""
    preexec = _drop_file_capabilities if os.geteuid() == 0 else None
    return subprocess.run([sys.executable, "-m", "kubectl_podlife", *args], capture_output=True, cwd=REPO,
                          env=dict(os.environ), timeout=120, preexec_fn=preexec)


READS = (["sessions"], ["explain", "--session", "1"], ["explain", "-o", "json", "--session", "latest"],
         ["replay", "--no-tui", "--session", "1"], ["export", "--session", "1"])


def imported(tmp_path, store_path):
    f = big_watch(tmp_path, rows=30)
    r = run_cli("import", str(f))
    assert r.returncode == 0, r.stderr
    return f


@pytest.mark.parametrize("how", ["file 0444", "directory 0555", "file 0444, schema 2"])
def test_a_read_only_store_is_read_and_refuses_writes(tmp_path, monkeypatch, how):
    folder = tmp_path / "state"
    folder.mkdir()
    store_path = folder / "podlife.db"
    monkeypatch.setenv("PODLIFE_DB", str(store_path))
    f = imported(tmp_path, store_path)
    expected = run_cli("explain", "-o", "json", "--session", "1").stdout
    if "schema 2" in how:  # an old store that cannot be migrated here is still read
        with contextlib.closing(sqlite3.connect(store_path)) as db:
            db.executescript("ALTER TABLE sessions DROP COLUMN writer; ALTER TABLE sessions DROP COLUMN keep_env;"
                             "UPDATE meta SET value='2' WHERE key='schema_version';")
    before = store_path.read_bytes()
    if "directory" in how:
        folder.chmod(0o555)
    else:
        store_path.chmod(0o444)
    try:
        for args in READS:
            r = run_as_user(*args)
            assert r.returncode == 0, (args, r.stderr)
            assert [ln for ln in r.stderr.decode().splitlines() if not ln.startswith("note: session 1 was stored")] == []
        assert run_as_user("explain", "-o", "json", "--session", "1").stdout == expected
        r = run_as_user("import", str(f))
        err = r.stderr.decode()
        assert r.returncode == 1 and err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith(f"error: read-only: {store_path} (")
        assert store_path.read_bytes() == before
    finally:
        folder.chmod(0o755)
        store_path.chmod(0o644)


def _flip(path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x40
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("where", ["file header", "sessions table", "observations table", "an index"])
def test_a_bit_flipped_store_is_corrupt_for_every_command(tmp_path, store_path, where):
    f = imported(tmp_path, store_path)
    with contextlib.closing(sqlite3.connect(store_path)) as db:
        page = db.execute("PRAGMA page_size").fetchone()[0]
        roots = dict(db.execute("SELECT name, rootpage FROM sqlite_master"))
    offset = {"file header": 20, "sessions table": (roots["sessions"] - 1) * page,
              "observations table": (roots["observations"] - 1) * page,
              "an index": (roots["obs_session"] - 1) * page}[where]
    _flip(store_path, offset)
    before = store_path.read_bytes()
    for args in (*READS, ["import", str(f)]):
        r = run_cli(*args)
        err = r.stderr.decode()
        assert r.returncode == 1, (args, err)
        assert err.count("\n") == 1 and err.startswith(f"error: {store_path} is corrupt: "), (args, err)
        assert "internal error" not in err and "not a podlife database" not in err
    assert store_path.read_bytes() == before  # import wrote nothing into it


def test_files_that_are_not_podlife_stores_are_left_alone(tmp_path, monkeypatch):
    other = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
        db.commit()
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    f = big_watch(tmp_path, rows=5)
    for path in (other, text):
        before = path.read_bytes()
        monkeypatch.setenv("PODLIFE_DB", str(path))
        for args in (["sessions"], ["import", str(f)]):
            r = run_cli(*args)
            err = r.stderr.decode()
            assert r.returncode == 1 and err.count("\n") == 1
            assert err.startswith(f"error: {path}: not a podlife database (")
        assert path.read_bytes() == before


def test_a_store_in_a_missing_directory_is_created_with_a_note(tmp_path, monkeypatch):
    folder = tmp_path / "new" / "state"
    store_path = folder / "podlife.db"
    monkeypatch.setenv("PODLIFE_DB", str(store_path))
    r = run_cli("sessions")  # reading creates nothing
    assert r.returncode == 0 and not folder.parent.exists()
    r = run_cli("explain", "--session", "latest")
    assert r.returncode == 1 and "no sessions stored yet" in r.stderr.decode() and not folder.parent.exists()
    f = big_watch(tmp_path, rows=5)
    r = run_cli("import", str(f))
    assert r.returncode == 0
    assert r.stderr.decode().splitlines()[0] == f"note: created {folder} (mode 0700) for the podlife store"
    r = run_cli("import", str(f))
    assert "note:" not in r.stderr.decode()


# --- §6: what the store keeps -------------------------------------------------------------------

def test_the_store_is_private_to_its_user(tmp_path, monkeypatch):
    folder = tmp_path / "state" / "kubectl-podlife"
    store_path = folder / "podlife.db"
    monkeypatch.delenv("PODLIFE_DB", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    old = os.umask(0o022)
    try:
        r = run_cli("import", str(big_watch(tmp_path, rows=5)))
    finally:
        os.umask(old)
    assert r.returncode == 0, r.stderr
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct(store_path.stat().st_mode & 0o777) == "0o600"
    with Store(store_path) as s:  # while a writer has it open, its WAL and shared-memory files exist
        s.create_session("import", ["x"])
        for side in ("-wal", "-shm"):
            assert oct(os.stat(f"{store_path}{side}").st_mode & 0o777) == "0o600", side


@pytest.mark.parametrize("where", ["sessions", "observations"])
def test_damage_in_a_big_store_is_reported_when_met(tmp_path, store_path, monkeypatch, capsys, where):
    """Past the size checked whole on open, the small tables are still checked on open and damage in
    the others is the same one line when a command reads it."""
    import kubectl_podlife.store.file as store_file

    imported(tmp_path, store_path)
    with contextlib.closing(sqlite3.connect(store_path)) as db:
        page = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (where,)).fetchone()[0]
    _flip(store_path, (root - 1) * page)
    monkeypatch.setattr(store_file, "FULL_CHECK_READ_BYTES", 0)
    assert cli.main(["explain", "--session", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {store_path} is corrupt: "), err


SECRET_POD = REPO / "tests" / "data" / "store" / "secret-env.yaml"


def store_bytes(path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_env_values_and_args_are_not_stored_unless_kept(store_path):
    r = run_cli("import", str(SECRET_POD))
    assert r.returncode == 0, r.stderr
    assert b"hunter2" not in store_bytes(store_path)
    # the command's exit is still explained from what was kept of it
    doc = json.loads(run_cli("explain", "-o", "json", "--session", "1").stdout)
    summary = doc["pods"][0]["diagnosis"]["summary"]
    assert "api runs `echo <redacted>; sleep 30; exit 3` and will exit 3 about 30 s after its start" in summary
    assert "sidecar runs `/proxy <redacted>`" in summary and "hunter2" not in summary
    r = run_cli("export", "--session", "1")
    assert r.returncode == 0 and b"hunter2" not in r.stdout
    assert r.stderr.decode().splitlines() == [
        "note: session 1 was stored without env values and container args (only env names, valueFrom references "
        "and the words of command/args that explanations read); neither is in this export"]
    [spec] = [json.loads(x) for x in r.stdout.splitlines()[1:] if json.loads(x)["kind"] == "spec"]
    api = spec["data"]["spec"]["containers"][0]
    assert api["env"] == [{"name": "DB_PASSWORD", "value": "<redacted>"},
                          {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "api-secrets", "key": "token"}}}]
    assert api["envFrom"] == [{"secretRef": {"name": "api-env"}}]
    assert spec["raw"].startswith("(Pod api spec: 1 env value and words of command/args not stored;")

    r = run_cli("import", "--keep-env", str(SECRET_POD))
    assert r.returncode == 0
    r = run_cli("export", "--session", "2")
    assert b"hunter2-env" in r.stdout and b"hunter2-arg" in r.stdout
    assert r.stderr.decode().count("\n") == 1 and "this export holds them" in r.stderr.decode()


def test_pods_from_the_api_are_redacted_as_files_are(tmp_path):
    """A live capture stores the API's Pod objects through the same `append`: one from `-o json`."""
    from kubectl_podlife.ingest.objects import pod_observations

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api", "namespace": "prod", "uid": "u1",
                                                           "resourceVersion": "7"},
           "spec": {"containers": [{"name": "api", "image": "busybox", "command": ["sh", "-c", "sleep 5; exit 1"],
                                    "args": ["--key=hunter2-live"], "env": [{"name": "K", "value": "hunter2-v"}]}]},
           "status": {"phase": "Running"}}
    with Store(tmp_path / "live.db") as s:
        sid = s.create_session("live", ["ctx"])
        s.append(sid, pod_observations(pod, "api:pods/rv=7"), dedup=["a", "b"])
        [spec] = [o for o in s.observations(sid)[1] if o.kind == "spec"]
        c = spec.data["spec"]["containers"][0]
        assert c["command"] == ["sh", "-c", "sleep 5; exit 1"] and c["args"] == ["<redacted>"]
        assert c["env"] == [{"name": "K", "value": "<redacted>"}]
    assert b"hunter2" not in store_bytes(tmp_path / "live.db")


def _explained(store: Store, sid: int) -> list:
    """What an explanation says, less its wording: cause, timing, rule constants, confidence."""
    from kubectl_podlife import pipeline

    out = []
    for p in pipeline.timeline_for_session(store, sid).to_json()["pods"]:
        d = p["diagnosis"]
        out.append((p["name"], p["restarts"], p["final_status"], d["cause"], d.get("container"), d.get("probe")))
        for t in p["transitions"]:
            out.append((t["t"], t["t_range"], t["kind"], t["container"], t["cause"], t["restart_count"],
                        t.get("probe"), t["grace_period_seconds"], t["backoff_seconds"],
                        (t.get("expected") or {}).get("t_range"), t["confidence"]))
    return out


def test_redacted_sessions_are_explained_as_kept_ones(tmp_path):
    """Every replay, seed and corpus file explains the same from a default session as from --keep-env."""
    from podlife_testkit import corpus_files, seed_files
    from kubectl_podlife.errors import PodlifeError
    from kubectl_podlife.ingest import read_paths

    files = sorted((REPO / "replays").iterdir()) + seed_files() + corpus_files() + [SECRET_POD]
    redacted = []
    with Store(tmp_path / "kept.db") as kept, Store(tmp_path / "default.db") as default:
        for f in files:
            try:
                result = read_paths([str(f)])
            except PodlifeError:
                continue
            a = kept.create_session("import", [f.name], keep_env=True)
            b = default.create_session("import", [f.name])
            kept.append(a, result.observations)
            default.append(b, result.observations)
            specs = [o for o in default.observations(b)[1] if o.kind == "spec" and o.data.get("redacted")]
            if specs:
                redacted.append(f.name)
            assert _explained(default, b) == _explained(kept, a), f.name
    assert {"init-containers.log", "secret-env.yaml"} <= set(redacted)


def test_an_older_store_is_made_private_once_on_upgrade(store_path):
    with Store(store_path) as s:
        s.close_session(s.create_session("import", ["old.txt"]))
    with contextlib.closing(sqlite3.connect(store_path)) as db:
        db.executescript("ALTER TABLE sessions DROP COLUMN writer; ALTER TABLE sessions DROP COLUMN keep_env;"
                         "UPDATE meta SET value='2' WHERE key='schema_version';")
    store_path.chmod(0o644)
    r = run_cli("sessions")
    assert r.returncode == 0
    assert r.stderr.decode().splitlines() == [f"note: made {store_path} readable by its owner only (0600, it was "
                                              "0644): it holds pod specs"]
    assert oct(store_path.stat().st_mode & 0o777) == "0o600"
    store_path.chmod(0o640)  # the owner's choice after that is kept
    r = run_cli("sessions")
    assert r.stderr == b"" and oct(store_path.stat().st_mode & 0o777) == "0o640"


def test_a_store_upgraded_by_another_process_meanwhile_is_not_upgraded_twice(store_path, monkeypatch):
    """Two commands opening an old store at once: the second to get the write lock finds it migrated."""
    with Store(store_path) as s:
        s.close_session(s.create_session("import", ["old.txt"]))
    with contextlib.closing(sqlite3.connect(store_path)) as db:
        db.executescript("ALTER TABLE sessions DROP COLUMN writer; ALTER TABLE sessions DROP COLUMN keep_env;"
                         "UPDATE meta SET value='2' WHERE key='schema_version';")
    real = sqlite3.connect
    raced = []

    class Racing(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql == "BEGIN IMMEDIATE" and not raced:  # the other process migrates just before this one
                raced.append(True)
                with monkeypatch.context() as m:
                    m.setattr(sqlite3, "connect", real)
                    Store(store_path).close()
            return super().execute(sql, *args)

    with monkeypatch.context() as m:
        m.setattr(sqlite3, "connect", lambda *a, **k: real(*a, factory=Racing, **k))
        with Store(store_path) as s:
            assert [x.sources for x in s.sessions()] == [("old.txt",)]
    assert raced


def test_a_signal_while_reading_the_input_stores_nothing(tmp_path, store_path, monkeypatch, capsys):
    import kubectl_podlife.ingest as ingest

    real = ingest.read_paths

    def read_then_signal(paths):
        result = real(paths)
        os.kill(os.getpid(), signal.SIGTERM)  # arrives before the session is created
        return result

    monkeypatch.setattr(ingest, "read_paths", read_then_signal)
    assert cli.main(["import", str(SECRET_POD)]) == 143  # a manifest is read whole before it is stored
    assert capsys.readouterr().err == "import interrupted (SIGTERM) while reading; nothing was stored\n"
    with Store(store_path, create=False) as s:
        assert s.sessions() == []


def test_which_writers_count_as_gone(store_path):
    """Another host cannot be checked (the session stays open, with a warning that says so); a pid now used by
    another process, or a writer from before the last boot, is gone."""
    from kubectl_podlife.store.writer import writer_identity, writer_state

    me = writer_identity()
    assert writer_state(me) == "alive"
    assert writer_state({**me, "start": str(int(me["start"] or 0) + 1)}) == "dead"  # pid reused
    assert writer_state({**me, "boot": "another-boot"}) == ("dead" if me["boot"] else "alive")
    assert writer_state({**me, "host": "elsewhere"}) == "unknown"
    with Store(store_path) as s:
        s.create_session("import", ["x.txt"])
    with contextlib.closing(sqlite3.connect(store_path)) as db:
        db.execute("UPDATE sessions SET writer=?", (json.dumps({**me, "host": "build-7"}),))
        db.commit()
    r = run_cli("sessions")
    assert r.stdout.decode().splitlines()[1].split()[3] == "open"
    assert warnings_of(r.stderr) == [f"warning: session 1 is open: pid {me['pid']} on build-7 writes it and cannot be "
                                     "checked from here; it may be incomplete (0 observations so far)"]
