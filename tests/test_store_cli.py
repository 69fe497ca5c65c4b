"""The store and the command line as a user meets them: import, sessions, export, bad input."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from podlife_testkit import REPO, SEEDS, run_cli, shared_file
from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.observation import Observation, PodKey
from kubectl_podlife.store import Store
from kubectl_podlife.store.schema import SCHEMA_VERSION

WATCH = textwrap.dedent("""\
    $ kubectl get pods -w
    NAME      READY   STATUS             RESTARTS     AGE
    web-1     1/1     Running            0            5s
    web-1     1/1     Running            1 (0s ago)   47s
    web-1     0/1     CrashLoopBackOff   1 (2s ago)   49s
""")


def test_store_round_trip_and_wal(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as s:
        sid = s.create_session("import", ["a.txt"])
        o = Observation(kind="row", pod=PodKey("web-1", "prod"), origin="a.txt:3", raw="web-1 1/1 Running 0 5s",
                        data={"ready": "1/1", "status": "Running", "restarts": 0}, t=5.0, t_lo=5.0, t_hi=6.0, seq=1)
        assert s.append(sid, [o]) == 1
        last, got = s.observations(sid)
        assert got == [o] and last > 0
        assert s.observations(sid, after_id=last) == (last, [])
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        info = s.sessions()[0]
        assert (info.id, info.kind, info.sources, info.observations, info.pods) == (sid, "import", ("a.txt",), 1, 1)


def test_dedup_keys_add_nothing_twice(tmp_path):
    with Store(tmp_path / "s.db") as s:
        sid = s.create_session("live", ["ctx"])
        o = Observation(kind="pod", pod=PodKey("p", "ns", "uid1"), origin="api", raw="{}", data={})
        assert s.append(sid, [o, o], dedup=["pod/uid1/10", "pod/uid1/10"]) == 1
        assert s.append(sid, [o], dedup=["pod/uid1/10"]) == 0


def test_newer_schema_is_a_clear_error(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(PodlifeError, match="newer kubectl-podlife"):
        Store(path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(PodlifeError, match="not a podlife database"):
        Store(path)


def test_killed_import_leaves_a_valid_database(tmp_path):
    """A writer killed mid-append keeps every committed batch and a readable file."""
    path = tmp_path / "s.db"
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from kubectl_podlife.store import Store
        from kubectl_podlife.observation import Observation, PodKey
        s = Store({str(path)!r})
        sid = s.create_session("import", ["big"])
        def gen():
            for i in range(10**7):
                if i == 1200:
                    print("ready", flush=True)
                yield Observation(kind="row", pod=PodKey("p"), origin=f"big:{{i}}", raw="x", data={{}}, t=float(i))
        s.append(sid, gen(), batch=100)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"ready"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with Store(path) as s:
        _, got = s.observations(s.resolve("latest"))
        assert len(got) >= 1200 and len(got) % 100 == 0
        assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_import_sessions_export_and_reimport(tmp_path, store_path):
    f = tmp_path / "watch.txt"
    f.write_text(WATCH)
    r = run_cli("import", str(f))
    assert r.returncode == 0, r.stderr
    sid = r.stdout.decode().strip()
    assert sid == "1"
    r = run_cli("sessions")
    assert "watch.txt" in r.stdout.decode() and r.stdout.decode().splitlines()[0].startswith("ID")
    r = run_cli("export", "--session", "latest")
    lines = r.stdout.decode().splitlines()
    assert json.loads(lines[0])["podlife"] == "session"
    assert [json.loads(x)["data"]["status"] for x in lines[1:]] == ["Running", "Running", "CrashLoopBackOff"]
    exported = tmp_path / "s.jsonl"
    exported.write_text(r.stdout.decode())
    # podlife's own JSONL reads back into an identical explanation.
    a = json.loads(run_cli("explain", "-o", "json", "--session", "1").stdout)
    b = json.loads(run_cli("explain", "-o", "json", str(exported)).stdout)
    assert a["pods"][0]["transitions"] == b["pods"][0]["transitions"]
    assert a["pods"][0]["diagnosis"]["cause"] == "unknown"


def test_stdin_is_read_with_dash(store_path):
    r = run_cli("explain", "-o", "json", "-", stdin=WATCH.encode())
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["pods"][0]["restarts"] == 1
    assert doc["pods"][0]["transitions"][-1]["evidence"][0]["origin"] == "-:5"


@pytest.mark.parametrize("content,message", [
    (b"\x00\x01\x02binary\x00" * 50, "binary file, not kubectl output"),
    (b"", "empty file"),
    ("这是一篇没有命令输出的文章。\nJust prose about pods.\n".encode(), "no kubectl output found"),
])
def test_bad_files_give_one_line_and_nonzero(tmp_path, store_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    r = run_cli("explain", str(f))
    err = r.stderr.decode()
    assert r.returncode == 1
    assert err.count("\n") == 1 and message in err and str(f) in err
    assert "Traceback" not in err


def test_missing_file_and_unknown_session(store_path):
    r = run_cli("explain", "/nonexistent/get-w.txt")
    assert r.returncode == 1 and r.stderr.decode() == "error: /nonexistent/get-w.txt: no such file\n"
    r = run_cli("explain", "--session", "42")
    assert r.returncode == 1 and "unknown session 42" in r.stderr.decode()
    r = run_cli("export", "--session", "latest")
    assert r.returncode == 1 and "no sessions stored yet" in r.stderr.decode()
    r = run_cli("replay", "--session", "abc", "--no-tui")
    assert r.returncode == 1 and 'unknown session "abc"' in r.stderr.decode()


def test_bad_field_keeps_readable_rows_and_warns(tmp_path, store_path):
    f = tmp_path / "w.txt"
    f.write_text("NAME READY STATUS RESTARTS AGE\nweb 1/1 Running 0 4x3m\nweb 1/1 Running 1 50s\n")
    r = run_cli("explain", "-o", "json", str(f))
    assert r.returncode == 0
    assert f'warning: {f}:2: cannot read AGE "4x3m"' in r.stderr.decode()
    assert json.loads(r.stdout)["pods"][0]["restarts"] == 1


def test_version_help_and_pod_filter(tmp_path, store_path):
    r = run_cli("--version")
    assert r.stdout.decode().startswith("kubectl-podlife ")
    r = run_cli("--help")
    out = r.stdout.decode()
    assert out.startswith("usage: kubectl podlife") and "replay" in out and "watch" in out
    f = tmp_path / "w.txt"
    f.write_text(WATCH)
    r = run_cli("explain", str(f), "--pod", "nope")
    assert r.returncode == 1 and 'no pod "nope"' in r.stderr.decode() and "web-1" in r.stderr.decode()


def test_explain_text_and_markdown(store_path):
    seed = shared_file(SEEDS, "001")
    r = run_cli("explain", str(seed), "--pod", "liveness-exec-pod")
    out = r.stdout.decode()
    assert "    43s  restart" in out and "Expected: 40s..44s" in out
    r = run_cli("explain", str(seed), "--pod", "liveness-exec-pod", "-o", "markdown")
    md = r.stdout.decode()
    assert md.startswith("## Pod `default/liveness-exec-pod`") and "| 4m13s | back-off |" in md


def test_replay_without_terminal_prints_the_timeline(tmp_path, store_path):
    f = tmp_path / "w.txt"
    f.write_text(WATCH)
    r = run_cli("replay", str(f))  # stdout is a pipe here
    assert r.returncode == 0 and "Pod web-1" in r.stdout.decode()


def test_headless_commands_do_not_import_textual_or_kubernetes(tmp_path):
    """explain/replay of a file must not pay for the TUI or the cluster client (design.md)."""
    f = tmp_path / "w.txt"
    f.write_text(WATCH)
    code = textwrap.dedent(f"""
        import sys, io, contextlib
        sys.path.insert(0, {str(REPO)!r})
        from kubectl_podlife.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            main(["explain", {str(f)!r}])
            main(["explain", "-o", "json", {str(f)!r}])
        import kubectl_podlife.capture
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "kubernetes"))
        print(",".join(bad))
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PODLIFE_DB": str(tmp_path / "x.db")})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


_V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sessions (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL, kind TEXT NOT NULL,
    sources TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');
CREATE TABLE pods (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER NOT NULL REFERENCES sessions(id),
    namespace TEXT, name TEXT NOT NULL, uid TEXT, incarnation INTEGER NOT NULL DEFAULT 1,
    UNIQUE (session_id, namespace, name, uid, incarnation));
CREATE TABLE observations (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER NOT NULL REFERENCES sessions(id),
    pod_id INTEGER NOT NULL REFERENCES pods(id), dedup TEXT, kind TEXT NOT NULL, container TEXT,
    t REAL, t_lo REAL, t_hi REAL, time TEXT, clock TEXT NOT NULL, snapshot TEXT,
    origin TEXT NOT NULL, raw TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL,
    recovered INTEGER NOT NULL DEFAULT 0, UNIQUE (session_id, dedup));
CREATE INDEX obs_session ON observations (session_id, id);
CREATE TABLE warnings (session_id INTEGER NOT NULL REFERENCES sessions(id), origin TEXT NOT NULL,
    message TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO sessions VALUES (1, '2025-01-01T00:00:00Z', 'import', '["watch.txt"]', 'closed', '');
INSERT INTO pods VALUES (1, 1, NULL, 'web-1', NULL, 1);
INSERT INTO observations VALUES (1, 1, 1, NULL, 'row', NULL, 5, 5, 6, NULL, 'pod', NULL, 'watch.txt:3',
    'web-1 1/1 Running 0 5s', '{"ready":"1/1","status":"Running","restarts":0,"age":"5s"}', 1, 0);
INSERT INTO observations VALUES (2, 1, 1, NULL, 'row', NULL, 47, 47, 48, NULL, 'pod', NULL, 'watch.txt:4',
    'web-1 1/1 Running 1 (0s ago) 47s',
    '{"ready":"1/1","status":"Running","restarts":1,"last_restart_ago":[0,1],"age":"47s"}', 2, 0);
"""


def test_a_version_1_store_is_migrated_and_reads_the_same(tmp_path, store_path):
    db = sqlite3.connect(store_path)
    db.executescript(_V1_SCHEMA)
    db.close()
    r = run_cli("explain", "--session", "1")
    assert r.returncode == 0, r.stderr
    assert "restart" in r.stdout.decode()
    with Store(store_path) as s:
        assert s.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        [pod] = s.pods(1)
        assert (pod.name, pod.observations, pod.status, pod.restarts, pod.first_t, pod.last_t) == \
            ("web-1", 2, "Running", 1, 5.0, 47.0)
        assert [o.origin for o in s.pod_observations(pod.id)] == ["watch.txt:3", "watch.txt:4"]
    r = run_cli("sessions")
    assert r.returncode == 0 and "watch.txt" in r.stdout.decode()


def test_pod_summaries_follow_appends(tmp_path):
    def row(name, i, status, restarts):
        return Observation(kind="row", pod=PodKey(name, "prod"), origin=f"a.txt:{i}", raw=f"{name} {status}",
                           data={"ready": "0/1", "status": status, "restarts": restarts}, t=float(i), t_lo=float(i),
                           t_hi=float(i + 1), seq=i)

    with Store(tmp_path / "s.db") as s:
        sid = s.create_session("live", ["ctx"])
        s.append(sid, [row("a", 1, "Pending", 0), row("b", 2, "Running", 0), row("a", 3, "Error", 1)], batch=2)
        pods = s.pods(sid)
        assert [(p.name, p.observations, p.status, p.restarts, p.first_t, p.last_t) for p in pods] == \
            [("a", 2, "Error", 1, 1.0, 3.0), ("b", 1, "Running", 0, 2.0, 2.0)]
        seen = max(p.version for p in pods)
        s.append(sid, [row("b", 4, "CrashLoopBackOff", 1)])
        assert [(p.name, p.status) for p in s.pods(sid, changed_since=seen)] == [("b", "CrashLoopBackOff")]
        assert [o.data["status"] for o in s.pod_observations(pods[0].id)] == ["Pending", "Error"]
