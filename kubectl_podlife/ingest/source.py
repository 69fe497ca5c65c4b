"""Reading a source into clean lines: bytes checks, decoding, and removing terminal decoration.

Copies from k9s or nushell wrap kubectl output in box-drawing frames; terminal captures carry ANSI
colour codes. Both are stripped here so the parsers see what kubectl printed.
"""

from __future__ import annotations

import os
import re
import sys
import zlib

from kubectl_podlife.errors import PodlifeError
from kubectl_podlife.lazyre import lazy_compile

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(?:\x07|\x1b\\)")
_BORDER = lazy_compile(r"^\s*[╭╰├┌└┝┠╞─━═┬┴┼╮╯┤┐┘│\s]+$")
_HEAD = 65536  # bytes looked at to tell text from binary


def _read_bytes(path: str, limit: int = -1) -> bytes:
    if not os.path.exists(path):
        raise PodlifeError(f"{path}: no such file")
    if os.path.isdir(path):
        raise PodlifeError(f"{path}: is a directory; pass the saved kubectl output files inside it")
    try:
        with open(path, "rb") as fh:
            return fh.read(limit)
    except OSError as exc:
        raise PodlifeError(f"{path}: cannot read ({exc.strerror})") from None


def check_source(path: str) -> None:
    """The errors read_source would raise, found from the file's head only (before a screen opens)."""
    head = _read_bytes(path, _HEAD)
    if head[:2] == b"\x1f\x8b" or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        decode(_read_bytes(path), path)
        return
    _check_bytes(head, path)


def read_source(path: str) -> tuple[str, str]:
    """(display name, text) for a path or `-` (stdin); PodlifeError for anything unreadable."""
    if path == "-":
        return "-", decode(sys.stdin.buffer.read(), "-")
    return path, decode(_read_bytes(path), path)


def _check_bytes(head: bytes, name: str) -> None:
    if not head.strip():
        raise PodlifeError(f"{name}: empty file; expected saved kubectl output (get pods -w, describe, events, YAML)")
    if b"\x00" in head or _control_ratio(head) > 0.10:
        raise PodlifeError(f"{name}: binary file, not kubectl output")


MAX_GUNZIPPED = 1 << 30  # a gzip file is read up to 1 GiB of text (a small bomb would expand without end)
MAX_LINE = 1 << 16  # no kubectl table, describe or event line is near 64 KiB


def _gunzip(data: bytes, name: str) -> bytes:
    d = zlib.decompressobj(wbits=47)  # gzip or zlib header
    try:
        out = d.decompress(data, MAX_GUNZIPPED)
    except zlib.error as exc:
        raise PodlifeError(f"{name}: damaged gzip file ({exc})") from None
    if d.unconsumed_tail:
        raise PodlifeError(f"{name}: gzip file expands to more than {MAX_GUNZIPPED >> 20} MiB of text; "
                           f"unpack the part you need")
    return out


def decode(data: bytes, name: str) -> str:
    if data[:2] == b"\x1f\x8b":  # gzip (`kubectl ... | gzip`, a log collector's archive)
        data = _gunzip(data, name)
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        # PowerShell's `kubectl get pods -w > f.txt` writes UTF-16 with a byte-order mark.
        if data.startswith(bom):
            text = data[2:].decode(codec, errors="replace")
            _check_bytes(text[:_HEAD].encode("utf-8", errors="replace"), name)
            return text
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    _check_bytes(data[:_HEAD], name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Old Windows pastes; latin-1 never fails and keeps every ASCII column intact.
        return data.decode("latin-1")


def _control_ratio(data: bytes) -> float:
    bad = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13, 27))
    return bad / max(1, len(data))


def clean_lines(text: str) -> list[str]:
    """Lines with ANSI codes removed and box-drawing frames (k9s, nushell) turned into plain columns."""
    text = _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    out: list[str] = []
    drop_first_cell = False
    for line in text.split("\n"):
        line = line.rstrip()
        stripped = line.strip()
        if stripped and stripped[0] in "╭╰├┌└" and _BORDER.match(line):
            out.append("")
            continue
        if stripped.startswith("│"):
            cells = [c.strip() for c in stripped.strip("│").split("│")]
            if len(cells) >= 3:  # a rendered table (nushell): cells become whitespace columns
                if cells[0] == "#":
                    drop_first_cell = True
                if drop_first_cell and cells:
                    cells = cells[1:]
                line = "   ".join(c if c else "<none>" for c in cells)
            else:  # a framed pane (k9s): keep the inside, with its indentation
                inner = line.split("│", 1)[1]
                line = inner.rsplit("│", 1)[0] if inner.rstrip().endswith("│") else inner
                line = line.rstrip()
        else:
            drop_first_cell = False
        out.append(line)
    return _uncomment(out)


# kubectl output a reader recognises at a glance: section and table headers of describe, get and events.
_OUTPUT_HEAD = lazy_compile(r"^\s*(?:Events:|Conditions:|Containers:|Init Containers:|Name:\s|Status:\s|"
                            r"NAME\s+READY\s|NAMESPACE\s+NAME\s|LAST SEEN\s|Type\s+Reason\s+Age\s)")
_COMMENT = re.compile(r"^#(?: |$)")


def _uncomment(lines: list[str]) -> list[str]:
    """Output pasted as shell comments (every line prefixed `# `) read as the output itself.

    Only a run of two or more `# ` lines that holds a kubectl header is uncommented, exactly one `# ` each,
    so indentation survives; a lone `# kubectl ...` (a root prompt) or a comment in prose stays as it is.
    """
    out = list(lines)
    i, n = 0, len(lines)
    while i < n:
        if not _COMMENT.match(lines[i]):
            i += 1
            continue
        j = i
        while j < n and _COMMENT.match(lines[j]):
            j += 1
        if j - i >= 2 and any(_OUTPUT_HEAD.match(line[2:]) for line in lines[i:j]):
            for k in range(i, j):
                out[k] = lines[k][2:]
        i = j
    return out
