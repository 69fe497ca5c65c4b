"""kubectl habits on saved input and the store (issue 13 §3), as a user types them: -n, -A, --pod globs,
-o wide, `explain FILE POD`, usage errors of the subcommand, and the `sessions` subcommands."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import textwrap
from datetime import datetime, timedelta, timezone

import pytest

from kubectl_podlife import cli
from kubectl_podlife.store import Store

PODS = textwrap.dedent("""\
    $ kubectl get pods -A
    NAMESPACE   NAME     READY   STATUS             RESTARTS      AGE
    prod        web-1    0/1     CrashLoopBackOff   5 (30s ago)   10m
    prod        web-2    1/1     Running            0             10m
    staging     web-1    1/1     Running            0             3m
    staging     db-0     1/1     Running            0             70m
""")


@pytest.fixture
def pods_file(tmp_path):
    path = tmp_path / "pods.txt"
    path.write_text(PODS)
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def pods_shown(text_output: str) -> list[str]:
    return [line.split(":")[0].removeprefix("Pod ") for line in text_output.splitlines() if line.startswith("Pod ")]


def test_explain_o_wide_is_one_kubectl_line_per_pod_with_the_diagnosis(capsys, pods_file):
    code, out, _ = run(capsys, "explain", pods_file, "-o", "wide")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "DIAGNOSIS"]
    assert len(lines) == 5
    web1 = lines[1].split()
    assert web1[:6] == ["prod", "web-1", "0/1", "CrashLoopBackOff", "5", "10m"]
    assert "CrashLoopBackOff" in " ".join(web1[6:]) and "Restarted 5 times" in lines[1]
    assert lines[4].split()[:6] == ["staging", "db-0", "1/1", "Running", "0", "70m"]
    assert "No failure seen" in lines[4]
    # aligned as kubectl aligns: every column starts where its header starts
    for header in ("READY", "STATUS", "AGE", "DIAGNOSIS"):
        col = lines[0].index(header)
        assert all(line[col - 1] == " " and line[col] != " " for line in lines[1:])


def test_wide_restarts_column_says_at_least_when_the_input_gives_no_count(capsys, tmp_path):
    events = tmp_path / "events.txt"
    events.write_text(textwrap.dedent("""\
        $ kubectl get events
        LAST SEEN   TYPE      REASON      OBJECT          MESSAGE
        2m          Normal    Pulled      pod/api-1       Container image "api:1" already present on machine
        2m          Normal    Started     pod/api-1       Started container api
        1m          Warning   BackOff     pod/api-1       Back-off restarting failed container api in pod api-1_prod
    """))
    code, out, _ = run(capsys, "explain", str(events), "-o", "wide")
    assert code == 0
    row = out.splitlines()[1].split()
    assert row[1] == "api-1" and row[4].startswith("≥")


def test_namespace_flag_keeps_only_that_namespace(capsys, pods_file):
    code, out, _ = run(capsys, "explain", pods_file, "-n", "staging")
    assert code == 0
    assert pods_shown(out) == ["staging/web-1", "staging/db-0"]
    code, out, _ = run(capsys, "explain", pods_file, "--namespace", "prod", "-o", "wide")
    assert [line.split()[:2] for line in out.splitlines()[1:]] == [["prod", "web-1"], ["prod", "web-2"]]


def test_all_namespaces_flag_reads_every_pod_and_excludes_namespace(capsys, pods_file):
    code, out, _ = run(capsys, "explain", pods_file, "-A")
    assert code == 0 and len(pods_shown(out)) == 4
    code, _, err = run(capsys, "explain", pods_file, "-A", "-n", "prod")
    assert code == 2 and "not allowed with argument" in err


def test_unknown_namespace_names_the_ones_there(capsys, pods_file):
    code, out, err = run(capsys, "explain", pods_file, "-n", "qa")
    assert code == 1 and out == ""
    assert err.strip() == 'error: no pods in namespace "qa" in the input; its namespaces: prod, staging'


def test_pod_glob_on_name_or_namespace_and_name(capsys, pods_file):
    _, out, _ = run(capsys, "explain", pods_file, "--pod", "web-*")
    assert pods_shown(out) == ["prod/web-1", "prod/web-2", "staging/web-1"]
    _, out, _ = run(capsys, "explain", pods_file, "--pod", "staging/*")
    assert pods_shown(out) == ["staging/web-1", "staging/db-0"]
    _, out, _ = run(capsys, "explain", pods_file, "--pod", "web-?", "-n", "staging")
    assert pods_shown(out) == ["staging/web-1"]
    _, out, _ = run(capsys, "explain", pods_file, "--pod", "db-0")  # a plain name still selects exactly
    assert pods_shown(out) == ["staging/db-0"]
    code, _, err = run(capsys, "explain", pods_file, "--pod", "api-*")
    assert code == 1 and err.startswith('error: no pod "api-*" in the input; pods seen: prod/web-1, ')


def test_selection_applies_to_a_stored_session(capsys, pods_file, store_path):
    assert run(capsys, "import", pods_file)[0] == 0
    code, out, _ = run(capsys, "explain", "--session", "latest", "-n", "prod", "--pod", "*-2")
    assert code == 0 and pods_shown(out) == ["prod/web-2"]
    code, out, _ = run(capsys, "explain", "--session", "latest", "-o", "wide", "--pod", "staging/*")
    assert [line.split()[1] for line in out.splitlines()[1:]] == ["web-1", "db-0"]


def test_replay_no_tui_takes_the_same_selection(capsys, pods_file):
    code, out, _ = run(capsys, "replay", "--no-tui", pods_file, "-n", "prod", "--pod", "web-1")
    assert code == 0 and pods_shown(out) == ["prod/web-1"]


@pytest.mark.parametrize("command", ["explain", "replay"])
def test_a_pod_name_after_the_file_suggests_pod_flag(capsys, pods_file, command):
    code, out, err = run(capsys, command, pods_file, "web-1")
    assert code == 1 and out == ""
    assert err == "error: web-1: no such file; did you mean --pod web-1?\n"


@pytest.mark.parametrize("argv, usage", [
    (["explain", "--bogus"], "usage: kubectl podlife explain [FILE...] [flags]"),
    (["explain", "-o", "yaml"], "usage: kubectl podlife explain [FILE...] [flags]"),
    (["watch", "-o", "yaml"], "usage: kubectl podlife watch [POD...] [flags]"),
    (["export"], "usage: kubectl podlife export [flags]"),
    (["replay", "x.log", "--speed", "2"], "usage: kubectl podlife replay [FILE...] [flags]"),
])
def test_usage_errors_print_the_subcommands_usage_in_three_lines(capsys, argv, usage):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("error: ")
    assert lines[1] == usage
    assert lines[2] == f"See 'kubectl podlife {argv[0]} --help' for the flags."


# --- sessions -o json|name, rm, prune --------------------------------------------------------------

def _import(capsys, path: str) -> int:
    code, out, _ = run(capsys, "import", path)
    assert code == 0
    return int(out.strip())


def _rows(db_path, table: str, session_id: int) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        if table == "timelines":
            sql = "SELECT COUNT(*) FROM timelines WHERE pod_id IN (SELECT id FROM pods WHERE session_id=?)"
        else:
            sql = f"SELECT COUNT(*) FROM {table} WHERE {'id' if table == 'sessions' else 'session_id'}=?"
        return db.execute(sql, (session_id,)).fetchone()[0]


def _age(db_path, session_id: int, seconds: float) -> None:
    created = (datetime.now(timezone.utc) - timedelta(seconds=seconds)).isoformat(timespec="seconds")
    with contextlib.closing(sqlite3.connect(db_path)) as db, db:
        db.execute("UPDATE sessions SET created=? WHERE id=?", (created.replace("+00:00", "Z"), session_id))


def test_sessions_o_json_and_o_name(capsys, pods_file, store_path, tmp_path):
    other = tmp_path / "one.txt"
    other.write_text(PODS.splitlines()[0] + "\n" + "\n".join(PODS.splitlines()[1:3]) + "\n")
    a, b = _import(capsys, pods_file), _import(capsys, str(other))
    code, out, _ = run(capsys, "sessions", "-o", "json")
    assert code == 0
    doc = json.loads(out)
    assert [(s["id"], s["kind"], s["status"], s["pods"], s["observations"]) for s in doc["sessions"]] == [
        (a, "import", "closed", 4, 4), (b, "import", "closed", 1, 1)]
    assert doc["sessions"][0]["sources"] == [pods_file] and doc["sessions"][0]["created"].endswith("Z")
    code, out, _ = run(capsys, "sessions", "-o", "name")
    assert (code, out) == (0, f"session/{a}\nsession/{b}\n")


def test_sessions_o_json_of_an_empty_store_is_still_json(capsys, store_path):
    code, out, _ = run(capsys, "sessions", "-o", "json")
    assert code == 0 and json.loads(out) == {"sessions": []}


def test_sessions_rm_deletes_everything_of_those_sessions_only(capsys, pods_file, store_path):
    a, b, c = (_import(capsys, pods_file) for _ in range(3))
    assert run(capsys, "explain", "--session", str(a))[0] == 0  # caches its pod timelines
    assert _rows(store_path, "timelines", a) == 4
    code, out, err = run(capsys, "sessions", "rm", str(a), f"session/{c}")
    assert code == 0, err
    assert out == f"session {a} deleted (4 observations of 4 pods)\nsession {c} deleted (4 observations of 4 pods)\n"
    for table in ("sessions", "pods", "observations", "warnings", "timelines"):
        assert _rows(store_path, table, a) == 0 and _rows(store_path, table, c) == 0
    assert _rows(store_path, "observations", b) == 4
    assert run(capsys, "sessions", "-o", "name")[1] == f"session/{b}\n"
    code, _, err = run(capsys, "explain", "--session", str(a))
    assert code == 1 and f"unknown session {a}" in err


def test_sessions_rm_with_an_unknown_id_deletes_nothing(capsys, pods_file, store_path):
    a = _import(capsys, pods_file)
    code, out, err = run(capsys, "sessions", "rm", str(a), "99")
    assert code == 1 and out == ""
    assert err.strip() == "error: unknown session 99; `kubectl podlife sessions` lists the stored ones"
    assert run(capsys, "sessions", "-o", "name")[1] == f"session/{a}\n"


def test_sessions_rm_refuses_a_session_still_being_written(capsys, store_path):
    with Store(store_path) as store:  # open, written by this (live) process, as a running watch's is
        sid = store.create_session("live", ["ctx"])
        code, _, err = run(capsys, "sessions", "rm", str(sid))
        assert code == 1 and f"session {sid} is still being written" in err and "nothing was deleted" in err
        assert [s.id for s in store.sessions()] == [sid]


@pytest.mark.parametrize("age, flag, deleted", [
    (100, "90s", True), (80, "90s", False), (11 * 60, "10m", True), (9 * 60, "10m", False),
    (4 * 3600, "3h", True), (2 * 3600, "3h", False), (8 * 86400, "7d", True), (6 * 86400, "7d", False),
    (2 * 86400, "1d12h", True),
])
def test_sessions_prune_older_than_a_kubectl_duration(capsys, pods_file, store_path, age, flag, deleted):
    old, new = _import(capsys, pods_file), _import(capsys, pods_file)
    _age(store_path, old, age)
    code, out, err = run(capsys, "sessions", "prune", "--older-than", flag)
    assert code == 0
    left = run(capsys, "sessions", "-o", "name")[1]
    if deleted:
        assert out == f"session {old} deleted (4 observations of 4 pods)\n" and left == f"session/{new}\n"
    else:
        assert out == "" and err == f"No sessions older than {flag}.\n"
        assert left == f"session/{old}\nsession/{new}\n"


def test_sessions_prune_with_a_bad_duration_prints_the_prune_usage(capsys, store_path):
    code, out, err = run(capsys, "sessions", "prune", "--older-than", "7x")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        'error: argument --older-than: "7x" is not a duration; expected e.g. 90s, 10m, 3h or 7d',
        "usage: kubectl podlife sessions prune [flags]",
        "See 'kubectl podlife sessions prune --help' for the flags."]
    code, _, err = run(capsys, "sessions", "prune")
    assert code == 2 and "the following arguments are required: --older-than" in err
