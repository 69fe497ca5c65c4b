"""Re-nesting damaged YAML, step 1: cut each line into tokens (keys with their values, list item
markers, scalars, document separators), splitting out keys glued to text (`nginximage:` is
`nginx` + `image:`) and cutting off shell commands, prompts and prose glued to a value.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import yaml

from kubectl_podlife.ingest.podschema import FREE_OPENERS, KNOWN_KEYS, MAX_KEY_LENGTH, OPENERS, SCALAR_MAPS
from kubectl_podlife.ingest.yamltext import (COMMAND_RE, DOCSEP_RE, GLUED_CMD, LOADER, PROMPT_CUT, flow_delta,
                                             short, yamlish)


@dataclass
class Token:
    """One piece of a damaged line: a key (with its value, if on the line), a `- `, an item's
    scalar, or a `---`."""

    kind: str  # "K" key, "I" list item marker, "S" scalar (an item's value), "D" document separator
    line: int
    key: str | None = None
    value: str | None = None  # None after a key: a mapping or list follows (an "opener")
    vk: str = "plain"  # plain / quoted / flow


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# Prose after a value (`20 这个例子`) ends it, as a glued command or a prompt does.
_PROSE_CUT = rf"\s[{_CJK}]"  # one blank: `\s+` backtracks quadratically over long indents
# A spaced `kubectl get ...` ends a key's value, but may be a list item (`args: - kubectl ...`).
_CUT_RE = re.compile(
    f"{GLUED_CMD}|{PROMPT_CUT}|{_PROSE_CUT}|"
    r"(?P<spaced>(?<=\s)kubectl\s+(?:apply|create|get|describe|delete|logs|exec|edit|run|expose|"
    r"rollout|scale|label|annotate|explain|top|port-forward|patch|replace|wait|events|debug|cp|"
    r"attach|set)\b)"
)
_NODE_KEY_RE = re.compile(
    r"(\"[^\"\n]*\"|'[^'\n]*'|[A-Za-z0-9_][A-Za-z0-9_./-]*):(?=\s|$)", re.A
)
# Any blank-free key, for managedFields (`f:spec:`, `k:{"name":"web"}:`).
_WIDE_KEY_RE = re.compile(r"([A-Za-z0-9_.][^\s]*?):(?=\s|$)")
_WORD_COLON_RE = re.compile(r"([A-Za-z][A-Za-z0-9]*):", re.A)
_MARK_RE = re.compile(r"[:#-]")
_COLON_RE = re.compile(":")
_KEYCH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")


def unquote(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        inner = s[1:-1]
        if s[0] == "'":
            return inner.replace("''", "'")
        try:
            v = yaml.load(s, Loader=LOADER)
            return v if isinstance(v, str) else inner
        except Exception:
            return inner
    return s


class _Line:
    """One line of damaged YAML being cut into tokens."""

    def __init__(self, text: str, line: int, out: list[Token], warns: list[tuple[int, str]]):
        self.t, self.n, self.line, self.out, self.warns = text, len(text), line, out, warns
        cuts = list(_CUT_RE.finditer(text))
        self.value_cuts = [m.start() for m in cuts]
        self.item_cuts = [m.start() for m in cuts if m.group("spaced") is None]
        self.cut = False
        self.label_key_next = False  # the next key is the first key of a map of scalars

    # -- helpers over the text

    def _ws(self, i: int) -> int:
        while i < self.n and self.t[i] in " \t":
            i += 1
        return i

    def _glued_key_start(self, p: int, lo: int) -> int:
        """Start of the longest known key ending right before the colon at p, or -1.
        `nginximage:` -> "image"; `soscscs/myapp:` -> none ("myapp" is no key)."""
        t, j = self.t, p
        while j > lo and t[j - 1] in _LETTERS and p - j < MAX_KEY_LENGTH:
            j -= 1
        for length in range(p - j, 0, -1):
            if t[p - length : p] in KNOWN_KEYS:
                return p - length
        return -1

    def _follow_ok(self, q: int, key: str) -> bool:
        """May an opener key be glued to what follows it (`metadata:name:`, `args:- /bin/sh`)?
        Only when a node really starts there, so `foo/data:latest` stays one value."""
        t, n = self.t, self.n
        if key not in OPENERS:
            return False
        if q >= n:
            return True
        c = t[q]
        if c == "-":
            return q + 1 >= n or t[q + 1] in " \t"
        if c in "[{":
            return True
        if key in FREE_OPENERS and _NODE_KEY_RE.match(t, q):
            return True
        m = _WORD_COLON_RE.match(t, q)
        return bool(m and m.group(1) in KNOWN_KEYS)

    def _glued_inside(self, pos: int, colon: int) -> bool:
        """Is the word pos..colon a value with a known key glued to its end (`nginximage`,
        `5periodSeconds`) rather than one key (`app.kubernetes.io/name`, `my-name`)?"""
        k0 = self._glued_key_start(colon, pos)
        return k0 > pos and self.t[k0 - 1].isalnum()

    def _key_at(self, pos: int, after_key: bool = False) -> tuple[str, int, bool] | None:
        """A key starting a node at pos: (key, index after the colon, glued opener?).
        Right after `key: ` the word may be a value with a key glued on (`name: nginximage:`);
        elsewhere (line start, after `- ` or an opener: `nodeSelector:disktype:`) it is a key."""
        m = _NODE_KEY_RE.match(self.t, pos)
        if m and not (after_key and self._glued_inside(pos, m.end() - 1)):
            return unquote(m.group(1)), m.end(), False
        m = _WORD_COLON_RE.match(self.t, pos)
        if m and self._follow_ok(m.end(), m.group(1)):
            return m.group(1), m.end(), True  # `metadata:name:`, before `metadata:name` as a key
        m = _WIDE_KEY_RE.match(self.t, pos)
        if m and not after_key:
            return m.group(1), m.end(), False
        return None

    def _next_cut(self, start: int, item: bool) -> int:
        cuts = self.item_cuts if item else self.value_cuts
        k = bisect.bisect_left(cuts, start)
        return cuts[k] if k < len(cuts) else self.n

    def _boundary(self, start: int, item: bool) -> tuple[int, str]:
        """Where a plain value that starts at `start` ends, and why."""
        t, n = self.t, self.n
        # A cut right at the start is the value itself (`change-cause: kubectl apply`).
        cut = self._next_cut(start + 1, item)
        for m in _MARK_RE.finditer(t, start, cut):
            i = m.start()
            c = t[i]
            if c == ":":
                after_ws = i + 1 >= n or t[i + 1] in " \t"
                k0 = self._glued_key_start(i, start)
                if k0 >= 0 and (after_ws or self._follow_ok(i + 1, t[k0:i])):
                    if k0 > 0 and t[k0 - 1] == "#":
                        return k0 - 1, "ckey"  # `Always#command: [...]`: a commented-out key
                    return k0, "key"
                if after_ws:
                    # A plain YAML value cannot hold ": ", so an unknown key starts at the last
                    # blank before it (one-liners: `labels: app: web tier: db`).
                    j = i
                    while j > start and t[j - 1] in _KEYCH:
                        j -= 1
                    if j < i and (j == start or t[j - 1] in " \t") and t[j] not in "./-":
                        word = t[j:i]
                        if word[0].isupper() and word[1:2].islower() and word not in KNOWN_KEYS:
                            return j, "cut"  # `Name: d Namespace: x`: describe output, not YAML
                        return j, "key"
            elif c == "#":
                if i > start and t[i - 1] in " \t":
                    return i, "comment"
            elif i > start and (i + 1 >= n or t[i + 1] in " \t"):
                if item or _NODE_KEY_RE.match(t, self._ws(i + 1)):
                    return i, "item"
        return (cut, "cut") if cut < n else (n, "end")

    def _comment_end(self, i: int) -> int:
        """A comment runs to the end of the line, or in glued text to the next key glued to it
        (`#修改 nginx 镜像版本imagePullPolicy: Always`)."""
        t = self.t
        for m in _COLON_RE.finditer(t, i + 1):
            p = m.start()
            k0 = self._glued_key_start(p, i + 1)
            if k0 > i + 1 and t[k0 - 1] not in " \t#":
                if p + 1 >= self.n or t[p + 1] in " \t" or self._follow_ok(p + 1, t[k0:p]):
                    return k0
        return self.n

    def _balanced(self, pos: int) -> int:
        """End of the flow collection or quoted string starting at pos (end of line if open)."""
        t, n = self.t, self.n
        if t[pos] in "\"'":
            q = t[pos]
            i = pos + 1
            while i < n:
                if t[i] == "\\" and q == '"':
                    i += 2
                    continue
                if t[i] == q:
                    if q == "'" and i + 1 < n and t[i + 1] == "'":
                        i += 2
                        continue
                    return i + 1
                i += 1
            return n
        depth, quote, i = 0, None, pos
        while i < n:
            ch = t[i]
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "\"'" and t[i - 1] in "[{, ":
                quote = ch
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return n

    def _cut_here(self, at: int, after: str) -> None:
        dropped = self.t[at:].strip()
        if COMMAND_RE.match(dropped):  # `kubectl create -f pod1.yaml#此时...`: drop the remark
            dropped = re.sub(r"#.*$", "", dropped).strip() or dropped
        self.warns.append((self.line, f'dropped the text glued after {after}: "{short(dropped)}"'))
        self.cut = True

    # -- the line

    def run(self) -> bool:
        """Append this line's tokens; True when a command or prose was cut off (region ends)."""
        t, n, out = self.t, self.n, self.out
        pos = 0
        while pos < n and not self.cut:
            pos = self._ws(pos)
            if pos >= n:
                break
            ch = t[pos]
            if ch == "#":
                pos = self._comment_end(pos)
                continue
            if ch == "-" and (pos + 1 >= n or t[pos + 1] in " \t"):
                out.append(Token("I", self.line))
                pos += 1
                continue
            k = self._key_at(pos)
            if k is not None:
                pos = self._value(*k)
            else:
                pos = self._scalar(pos)
        return self.cut

    def _value(self, key: str, pos: int, glued: bool) -> int:
        t, n = self.t, self.n
        tok = Token("K", self.line, key)
        self.out.append(tok)
        in_scalar_map, self.label_key_next = self.label_key_next, False
        if glued:
            self.label_key_next = key in SCALAR_MAPS
            return pos
        pos = self._ws(pos)
        if pos >= n:
            return pos
        ch = t[pos]
        if ch == "-" and (pos + 1 >= n or t[pos + 1] in " \t"):
            return pos  # `args: - /bin/sh`: a list follows
        if ch == "#":
            return self._comment_end(pos)
        if not in_scalar_map and self._key_at(pos, after_key=True) is not None:
            # `metadata: name: x` (one-liner): a mapping follows. Not for `labels:app: webtier: x`,
            # where `webtier: x` is what is left of two glued labels.
            self.label_key_next = key in SCALAR_MAPS
            return pos
        if ch in "[{\"'":
            end = self._balanced(pos)
            tok.value, tok.vk = t[pos:end], "flow" if ch in "[{" else "quoted"
            if tok.vk == "quoted":
                tok.value = unquote(tok.value)
            return self._after_closed(end, f"{key}: {short(t[pos:end], 30)}")
        b, why = self._boundary(pos, item=False)
        tok.value = t[pos:b].strip()
        return self._after_plain(b, why, f"{key}: {tok.value}")

    def _scalar(self, pos: int) -> int:
        """A value with no key: a list item's value, or junk to report."""
        t = self.t
        if self._next_cut(pos, True) == pos:  # `]kubectl create -f x`: a command, not a value
            self._cut_here(pos, self._last_what())
            return self.n
        if not (self.out and self.out[-1].kind == "I"):
            end = self._balanced(pos) if t[pos] in "[{\"'" else self._boundary(pos, item=True)[0]
            self.warns.append((self.line, f'ignored "{short(t[pos:end])}" after '
                                          f"{self._last_what()}"))
            return end
        if t[pos] in "[{\"'":
            end = self._balanced(pos)
            raw = t[pos:end]
            quoted = raw[0] in "\"'"
            self.out.append(Token("S", self.line, None, unquote(raw) if quoted else raw,
                                 "quoted" if quoted else "flow"))
            return self._after_closed(end, f"- {short(raw, 30)}")
        end, why = self._boundary(pos, item=True)
        value = t[pos:end].strip()
        self.out.append(Token("S", self.line, None, value))
        return self._after_plain(end, why, f"- {value}")

    def _last_what(self) -> str:
        for tok in reversed(self.out):
            if tok.kind == "K":
                v = "" if tok.value is None else f" {short(tok.value, 30)}"
                return f"{tok.key}:{v}"
            if tok.kind == "S":
                return f"- {short(tok.value or '', 30)}"
        return "the manifest"

    def _after_plain(self, b: int, why: str, what: str) -> int:
        if why == "cut":
            self._cut_here(b, what)
            return self.n
        if why in ("comment", "ckey"):
            return self._comment_end(b)
        return b

    def _after_closed(self, end: int, what: str) -> int:
        """After a flow value or quoted string: a key, an item, a comment, or junk to cut."""
        pos = self._ws(end)
        if pos >= self.n:
            return pos
        if self._next_cut(end, True) in (end, pos) or self._next_cut(end, False) in (end, pos):
            self._cut_here(pos, what)
            return self.n
        if self.t[pos] == "#" or self._key_at(pos) is not None or self.t[pos] == "-":
            return pos
        b, why = self._boundary(pos, item=False)
        if why == "cut":
            self._cut_here(pos, what)
            return self.n
        self.warns.append((self.line, f'ignored "{short(self.t[pos:b])}" after {what}'))
        return b


_BLOCK_INDICATOR_RE = re.compile(r"[|>][-+0-9]*")


def tokenize(chunk: list[tuple[int, str]], warns: list) -> tuple[list[Token], int | None]:
    """Tokens of a damaged chunk, and the line where a glued command cut the region short."""
    out: list[Token] = []
    # Join flow collections that continue over lines (`command: ["sh", "-c",` / `"echo"]`).
    joined: list[tuple[int, str]] = []
    depth = 0
    for idx, text in chunk:
        text = text.rstrip()  # CRLF text keeps its "\r"
        if depth > 0 and joined:
            joined[-1] = (joined[-1][0], joined[-1][1] + " " + text.strip())
        else:
            joined.append((idx, text))
        depth = max(0, depth + flow_delta(text)) if depth > 0 else max(0, flow_delta(text))
    block: Token | None = None  # a `|` / `>` whose text follows on lines that are not YAML
    text_lines: list[str] = []
    for idx, text in joined:
        s = text.strip()
        if block is not None:
            if s and not yamlish(s):
                text_lines.append(s)
                continue
            _close_block(block, text_lines)
            block = None
        if not s or s.startswith("#"):
            continue
        if DOCSEP_RE.match(s):
            out.append(Token("D", idx))
            continue
        if _Line(text, idx, out, warns).run():
            return out, idx
        last = out[-1] if out else None
        if last and last.kind in "KS" and last.vk == "plain" and last.value \
                and _BLOCK_INDICATOR_RE.fullmatch(last.value):
            block, text_lines = last, []
    if block is not None:
        _close_block(block, text_lines)
    return out, None


def _close_block(tok: Token, text_lines: list[str]) -> None:
    """Give a block scalar its text: lines joined as `|` (newlines) or `>` (spaces) would."""
    indicator = tok.value or "|"
    text = ("\n" if indicator.startswith("|") else " ").join(text_lines)
    if text_lines and "-" not in indicator:
        text += "\n"
    tok.value, tok.vk = text, "quoted"
