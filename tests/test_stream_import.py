"""Streaming `import` of files that hold only `get pods` tables: batches in bounded memory, and exactly
what reading the whole file gives (observations, warnings, pods); anything else is read the general way."""

from __future__ import annotations

import gzip
import textwrap

import pytest

from kubectl_podlife import cli
from kubectl_podlife.ingest import read_paths, stream
from kubectl_podlife.store import Store

# Two tables: the first an old kubectl's (`1m`), continued past a blank line by a known pod and by a
# repeated wider header; the second, after a blank line, a modern one with (Xs ago), a bad AGE, a text
# glued to an AGE, an age jumping back (the pod re-created) and a DELETED watch event.
TABLES = textwrap.dedent("""\
    NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE
    prod        web-1   0/1     Pending   0          0s
    prod        web-1   0/1     Running   0          90s
    prod        web-1   1/1     Running   0          3m
    prod        web-1   1/1     Running   0          1m

    prod        web-1   0/1     Error     1          2m
    NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE   IP         NODE
    prod        db-0    1/1     Running   0          5m    10.0.0.3   node-a


    EVENT      NAMESPACE   NAME    READY   STATUS             RESTARTS      AGE
    ADDED      prod        api-7   1/1     Running            0             90s
    MODIFIED   prod        api-7   0/1     CrashLoopBackOff   1 (2s ago)    2m7s
    MODIFIED   prod        api-7   0/1     Running            2 (0s ago)    4x
    MODIFIED   prod        api-7   1/1     Running            2             3m1s#x
    ADDED      prod        web-1   0/1     Pending            0             0s
    DELETED    prod        api-7   0/1     Terminating        2             5m

""")

PLAIN = textwrap.dedent("""\
    NAME    READY   STATUS    RESTARTS   AGE
    web-1   0/1     Pending   0          0s
    web-1   1/1     Running   0          12s
""")


def _same_as_whole(*paths, size=2):
    p = stream.plan([str(x) for x in paths])
    assert p is not None
    got = [o for b in stream.batches(p, size=size) for o in b]
    whole = read_paths([str(x) for x in paths])
    assert got == whole.observations
    assert p.warnings == whole.warnings
    assert p.pod_names == whole.pods
    assert p.rows == len(got) and p.sources == whole.sources
    return got, p


def test_tables_stream_to_exactly_what_the_whole_read_gives(tmp_path):
    f = tmp_path / "w.txt"
    f.write_text(TABLES)
    got, p = _same_as_whole(f)
    assert len(got) == 12
    assert {o.pod.incarnation for o in got if o.pod.name == "web-1"} == {1, 2}
    assert any("4x" in w.message for w in p.warnings)


def test_line_ends_bom_and_several_files(tmp_path):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbf" + TABLES.replace("\n", "\r\n").encode())
    cr = tmp_path / "cr.txt"
    cr.write_bytes(TABLES.replace("\n", "\r").encode())
    _same_as_whole(crlf)
    _same_as_whole(cr)
    _same_as_whole(crlf, cr, size=5)


@pytest.mark.parametrize("content", [
    "$ kubectl get pods -w\n" + PLAIN,  # a command: read as a transcript
    PLAIN.replace("Running", "\x1b[32mRunning\x1b[0m"),  # colour codes
    "│ NAME │ READY │ STATUS │ RESTARTS │ AGE │\n│ web-1 │ 1/1 │ Running │ 0 │ 5s │\n",  # a nushell frame
    PLAIN + "\nName:         web-1\nNamespace:    default\nStatus:       Running\n",  # a describe after it
    PLAIN + "web-1 is broken, I think\n",  # prose ending the table
    "# NAME    READY   STATUS    RESTARTS   AGE\n# web-1   0/1     Pending   0          0s\n",  # pasted as comments
    "NAME    READY   STATUS    RESTARTS   AGE\n",  # a header and no row
])
def test_anything_but_tables_is_read_the_general_way(tmp_path, content):
    f = tmp_path / "x.txt"
    f.write_text(content)
    assert stream.plan([str(f)]) is None


def test_namespaced_and_plain_tables_together_are_read_the_general_way(tmp_path):
    # A name without a namespace takes the one namespace seen for it: that needs every row first.
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(TABLES)
    b.write_text(PLAIN)
    assert stream.plan([str(a), str(b)]) is None
    assert stream.plan([str(b)]) is not None


def test_stdin_and_gzip_are_read_whole(tmp_path):
    g = tmp_path / "w.txt.gz"
    g.write_bytes(gzip.compress(PLAIN.encode()))
    assert stream.plan([str(g)]) is None
    assert stream.plan(["-"]) is None


def test_import_stores_batch_by_batch(tmp_path, store_path, monkeypatch, capsys):
    f = tmp_path / "w.txt"
    f.write_text(TABLES)
    sizes: list[int] = []
    real = Store.append

    def spy(self, session_id, observations, *a, **kw):
        observations = list(observations)
        sizes.append(len(observations))
        return real(self, session_id, observations, *a, **kw)

    monkeypatch.setattr(Store, "append", spy)
    monkeypatch.setattr(stream, "BATCH_ROWS", 3)
    assert cli.main(["import", str(f)]) == 0
    out, err = capsys.readouterr()
    whole = read_paths([str(f)])
    assert sizes == [3, 3, 3, 3]  # each table in batches of at most 3, never the whole file at once
    assert f"imported 12 observations of {len(whole.pods)} pods from 1 file(s) into session 1" in err
    assert 'cannot read AGE "4x"' in err
    with Store(store_path, create=False) as s:
        assert s.observations(1)[1] == whole.observations
        assert s.warnings(1) == [str(w) for w in whole.warnings]
        assert s.session(1).status == "closed"
