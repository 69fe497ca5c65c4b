"""The last log lines before each exit, from saved text: a `kubectl logs [--previous] [-c C] POD` block is
evidence for that container's instance and shows in the explanation of the exit it belongs to."""

from __future__ import annotations

from pathlib import Path

from podlife_testkit import explain_json, pod, run_cli

DATA = Path(__file__).parent / "data"


def _tails(doc: dict, name: str) -> list[dict]:
    return [t for t in pod(doc, name)["transitions"] if t["log_tail"]]


def test_previous_log_goes_to_the_last_exit_of_the_named_init_container():
    doc = explain_json(DATA / "logs-previous.txt")
    [tr] = _tails(doc, "web-0")
    assert (tr["kind"], tr["container"], tr["t"]) == ("terminated", "migrate", 147.0)
    tail = tr["log_tail"]
    assert tail["origin"].endswith("logs-previous.txt:37") and tail["previous"] is True
    assert tail["container"] == "migrate" and tail["source"] == "transcript" and tail["stored_lines"] == 7
    # the explanation carries the last five lines, oldest first; kubectl's own error for `-c web` is no log
    assert tail["lines"][-2:] == ['ERROR: relation "users" does not exist', "migration 0042 failed: exit 1"]
    assert len(tail["lines"]) == 5 and "applying 0041" not in tail["lines"]
    assert not any("Error from server" in line for line in tail["lines"])


def test_text_explanation_shows_the_last_lines_marked_as_the_containers_log_and_escaped():
    r = run_cli("explain", str(DATA / "logs-previous.txt"))
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "Container log of migrate (log before this exit, kubectl logs --previous at" in out
    assert "last 5 of 7 lines" in out
    assert '| ERROR: relation "users" does not exist' in out
    assert "applying 0041" not in out  # older than the last five
    assert "\x07" not in out and "\x1b" not in out
    assert "| password prompt\\x07 \\x1bPq stray control" in out


def test_current_log_of_a_terminated_container_defaulted_by_kubectl():
    doc = explain_json(DATA / "logs-current-error.txt")
    [tr] = _tails(doc, "report-29aa1-x")
    # no -c: kubectl's "Defaulted container" line names it; no instance runs, so it is the one that exited
    assert (tr["kind"], tr["container"]) == ("terminated", "report")
    assert tr["log_tail"]["previous"] is False and tr["log_tail"]["running"] is False
    assert tr["log_tail"]["lines"][-1] == "KeyError: 'region'"
    assert not any("Defaulted container" in line for line in tr["log_tail"]["lines"])


def test_previous_log_of_a_restarted_container_is_on_its_restart_not_the_running_instance():
    doc = explain_json(DATA / "logs-current.txt")
    [tr] = _tails(doc, "api-1")
    assert (tr["kind"], tr["container"], tr["cause"]) == ("restart", "api", "oom-killed")
    assert tr["log_tail"]["lines"] == ["loading 1200000 rows into cache", "cache at 1.9GiB"]
    # the transcript's `$ echo done` ended the block: its output is not the container's
    assert "done" not in tr["log_tail"]["lines"]


def test_markdown_lists_the_log_lines_under_why():
    r = run_cli("explain", "-o", "markdown", str(DATA / "logs-current-error.txt"))
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "Container log of report" in out and "`KeyError: 'region'`" in out


def test_the_log_tail_survives_the_store_and_export(tmp_path):
    env = {"PODLIFE_DB": str(tmp_path / "p.db")}
    assert run_cli("import", str(DATA / "logs-previous.txt"), env=env).returncode == 0
    stored = run_cli("explain", "--session", "latest", env=env)
    assert "| migration 0042 failed: exit 1" in stored.stdout.decode(), stored.stderr
    exported = run_cli("export", "--session", "latest", env=env)
    (tmp_path / "s.jsonl").write_bytes(exported.stdout)
    again = explain_json(tmp_path / "s.jsonl")
    [tr] = _tails(again, "web-0")
    assert tr["log_tail"]["stored_lines"] == 7 and tr["container"] == "migrate"
