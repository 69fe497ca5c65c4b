"""Re-nesting damaged YAML, step 2: put the tokens back into mappings and lists along the Pod
schema, the way the lost indentation would have (a key the open context does not know closes it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from kubectl_podlife.ingest.podschema import ANY, BOOL, FREE, INT, KNOWN_KEYS, PORT, SCHEMA, STR, STRS, field_type
from kubectl_podlife.ingest.renest.tokens import Token, unquote
from kubectl_podlife.ingest.specclean import read_int
from kubectl_podlife.ingest.yamltext import LOADER, scalar_str, short, too_deep


@dataclass
class _Map:
    type: str  # a SCHEMA type, or "free" (arbitrary scalar keys), or "any" (unmodelled)
    obj: dict
    fresh: bool = False  # a free map just opened: its first key is its own, whatever it is
    item_of: _List | None = None
    owner: dict | None = None
    key: str | None = None


@dataclass
class _List:
    item: str
    obj: list


@dataclass
class _Strs:
    obj: list


_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _plain(v: str) -> Any:
    """Resolve a plain scalar the way YAML would (for fields the schema does not type)."""
    if v in ("", "~", "null", "Null", "NULL"):
        return None
    if v in ("true", "True", "TRUE"):
        return True
    if v in ("false", "False", "FALSE"):
        return False
    if _INT_RE.fullmatch(v):
        return int(v)
    if _FLOAT_RE.fullmatch(v):
        return float(v)
    return v


def _split_flow(text: str) -> list[str] | None:
    """Items of a one-level flow sequence `[a, "b", c d]` as strings; None if it nests."""
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        return None
    inner = inner[1:-1]
    items, cur, quote = [], [], None
    for ch in inner:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
        elif ch in "\"'" and not "".join(cur).strip():
            quote = ch
            cur.append(ch)
        elif ch in "[]{}":
            return None
        elif ch == ",":
            items.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    items.append("".join(cur).strip())
    if items and items[-1] == "":
        items.pop()
    return [unquote(x) for x in items]


def _flow_value(text: str, strs: bool) -> Any:
    if strs:
        items = _split_flow(text)
        if items is not None:
            return items
    try:
        if too_deep(text):
            raise ValueError("too deep")
        v = yaml.load(text, Loader=LOADER)
    except Exception:
        v = _split_flow(text)
        if v is None:
            return [] if text.startswith("[") else {}
    if strs and isinstance(v, list):
        return [scalar_str(x) if not isinstance(x, (dict, list)) else x for x in v]
    return v


class Walker:
    """Re-nests tokens with a stack of typed contexts: a key the current context does not know
    pops the stack until a context accepts it, the way indentation would have closed them."""

    def __init__(self, root: str, warns: list[tuple[int, str]]):
        self.root, self.warns = root, warns
        self.docs: list[tuple[dict, int, int]] = []
        self.doc: dict = {}
        self.stack: list[Any] = []
        self.first: int | None = None
        self.last = 0
        self._new_doc()

    def _new_doc(self) -> None:
        if self.doc and self.first is not None:
            self.docs.append((self.doc, self.first, self.last))
        self.doc = {}
        self.stack = [_Map(self.root, self.doc)]
        self.first = None

    def _seen(self, tok: Token) -> None:
        if self.first is None:
            self.first = tok.line
        self.last = tok.line

    def run(self, toks: list[Token]) -> list[tuple[dict, int, int]]:
        i = 0
        while i < len(toks):
            tok = toks[i]
            if tok.kind == "K":
                self._seen(tok)
                self._key(tok)
            elif tok.kind == "I":
                i += self._item(toks, i)
            elif tok.kind == "D":
                self._new_doc()
            i += 1
        self._new_doc()
        return self.docs

    # -- keys

    def _accepts(self, ctx: Any, tok: Token) -> bool:
        if not isinstance(ctx, _Map) or ctx.type not in SCHEMA:
            return False
        if tok.key not in SCHEMA[ctx.type]:
            return False
        if ctx.type == "InitContainer" and tok.key == "restartPolicy":
            # Only a sidecar says `restartPolicy: Always` on a container; anything else after an
            # init container is the Pod's own restartPolicy whose indentation was lost.
            return tok.value == "Always"
        if ctx.type == "Probe" and tok.key == "terminationGracePeriodSeconds":
            # Both a probe and the Pod have it; the Pod's is far more common (and readiness
            # probes reject it), so a Pod spec that is open takes it.
            return not any(isinstance(c, _Map) and c.type == "PodSpec" for c in self.stack)
        return True

    def _key(self, tok: Token) -> None:
        opener = tok.value is None
        top = self.stack[-1]
        if isinstance(top, _Map) and top.type == "free" and top.fresh and not opener:
            top.fresh = False
            self._set(top, tok)
            return
        for idx in range(len(self.stack) - 1, -1, -1):
            ctx = self.stack[idx]
            if isinstance(ctx, _List) and idx == len(self.stack) - 1:
                if tok.key in SCHEMA.get(ctx.item, {}):
                    self._set(self._push_item(ctx), tok)  # `containers:` then `name: x`: lost "- "
                    return
                continue
            if not self._accepts(ctx, tok):
                continue
            if tok.key in ctx.obj:
                if ctx.item_of is not None:
                    # The same key again in a list item: the next item began (lost "- ").
                    del self.stack[idx:]
                    self._set(self._push_item(ctx.item_of), tok)
                    return
                if idx == 0:
                    if tok.key in ("apiVersion", "kind"):
                        self._new_doc()  # a second manifest without `---`
                        self._seen(tok)
                        self._set(self.stack[0], tok)
                        return
                    break  # `status:` inside a condition, say: not the root's; keep it here
            del self.stack[idx + 1 :]
            self._set(ctx, tok)
            return
        # Nobody knows the key: keep it where it was written.
        for idx in range(len(self.stack) - 1, -1, -1):
            ctx = self.stack[idx]
            if isinstance(ctx, _Map) and not (ctx.type == "free" and opener):
                del self.stack[idx + 1 :]
                ctx.fresh = False
                self._set(ctx, tok)
                return

    def _push_item(self, lst: _List) -> _Map:
        while self.stack and self.stack[-1] is not lst:
            self.stack.pop()
        if not self.stack:  # cannot happen: the list is on the stack; stay safe anyway
            self.stack = [_Map(self.root, self.doc)]
            lst = _List("Any", [])
        item = _Map(lst.item if lst.item in SCHEMA else "any", {}, item_of=lst)
        lst.obj.append(item.obj)
        self.stack.append(item)
        return item

    def _set(self, ctx: _Map, tok: Token) -> None:
        key = tok.key or ""
        f = field_type(ctx.type, key, self.doc) if ctx.type in SCHEMA else None
        if tok.value is None:
            if f and f.startswith("map:"):
                d: dict = {}
                ctx.obj[key] = d
                self.stack.append(_Map(f[4:], d, owner=ctx.obj, key=key))
            elif f and f.startswith("list:"):
                lst: list = []
                ctx.obj[key] = lst
                self.stack.append(_List(f[5:], lst))
            elif f == STRS:
                lst = []
                ctx.obj[key] = lst
                self.stack.append(_Strs(lst))
            elif f == FREE:
                d = {}
                ctx.obj[key] = d
                self.stack.append(_Map("free", d, fresh=True))
            elif f in (None, ANY):
                d = {}
                ctx.obj[key] = d
                self.stack.append(_Map("any", d, owner=ctx.obj, key=key))
            else:
                ctx.obj[key] = None
            return
        ctx.obj[key] = self._convert(key, f, tok)

    def _convert(self, key: str, f: str | None, tok: Token) -> Any:
        v = tok.value or ""
        if tok.vk == "flow":
            return _flow_value(v, strs=f == STRS)
        if tok.vk == "quoted":
            if f == INT and _INT_RE.fullmatch(v):
                return int(v)
            return v
        v = v.strip()
        if f == INT:
            return read_int(key, v, tok.line, self.warns)
        if f == PORT:
            if _INT_RE.fullmatch(v):
                return int(v)
            m = re.match(r"(\d+)\s+\S", v)
            return read_int(key, v, tok.line, self.warns) if m else v
        if f == BOOL:
            low = v.lower()
            return True if low == "true" else False if low == "false" else v
        if f == STR:
            return v
        return _plain(v)

    # -- list items

    def _item(self, toks: list[Token], i: int) -> int:
        """Handle `- ` at toks[i]; returns how many extra tokens it consumed."""
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is None or nxt.kind in ("I", "D"):
            return 0
        self._seen(toks[i])
        if nxt.kind == "S":
            self._seen(nxt)
            for idx in range(len(self.stack) - 1, -1, -1):
                ctx = self.stack[idx]
                if isinstance(ctx, _Strs):
                    del self.stack[idx + 1 :]
                    ctx.obj.append(self._item_scalar(nxt, strs=True))
                    return 1
                if isinstance(ctx, _List) and ctx.item == "Any":
                    del self.stack[idx + 1 :]
                    ctx.obj.append(self._item_scalar(nxt, strs=False))
                    return 1
            top = self.stack[-1]
            if isinstance(top, _Map) and top.type == "any" and not top.obj \
                    and top.owner is not None:
                lst = [self._item_scalar(nxt, strs=False)]
                top.owner[top.key or ""] = lst
                self.stack[-1] = _List("Any", lst)
                return 1
            self.warns.append((nxt.line, f'ignored list item "{short(nxt.value or "")}": '
                                         "no list is open for it"))
            return 1
        # `- key: value`: pick the open list whose items know this key, and the next one too
        # (after `ports:- name: http`, `containerPort` keeps it a port; `image` means a container).
        k = nxt.key
        k2 = toks[i + 2].key if i + 2 < len(toks) and toks[i + 2].kind == "K" else None
        if k2 not in KNOWN_KEYS:
            k2 = None
        lists = [c for c in reversed(self.stack) if isinstance(c, _List)]
        chosen = None
        for lst in lists:
            fields = SCHEMA.get(lst.item, {})
            if k in fields and (k2 is None or k2 in fields):
                chosen = lst
                break
        if chosen is None:
            chosen = next((c for c in lists if k in SCHEMA.get(c.item, {})), None)
        top = self.stack[-1]
        if chosen is None and isinstance(top, _Map) and top.type == "any" and not top.obj \
                and top.owner is not None:
            # An unmodelled key (`values:` under affinity) turns out to hold a list.
            lst_obj: list = []
            top.owner[top.key or ""] = lst_obj
            chosen = _List("Any", lst_obj)
            self.stack[-1] = chosen
        if chosen is None:
            chosen = next((c for c in lists if c.item == "Any"), None)
        if chosen is None:
            chosen = self._reopen_list(k)
        if chosen is None:
            return 0  # the key goes where keys go
        self._push_item(chosen)
        return 0

    def _reopen_list(self, key: str | None) -> _List | None:
        """An item for a list that was already closed (`containers` after `restartPolicy`)."""
        for idx in range(len(self.stack) - 1, -1, -1):
            ctx = self.stack[idx]
            if not (isinstance(ctx, _Map) and ctx.type in SCHEMA):
                continue
            for fk, f in SCHEMA[ctx.type].items():
                if f.startswith("list:") and key in SCHEMA.get(f[5:], {}):
                    existing = ctx.obj.get(fk)
                    if isinstance(existing, list):
                        del self.stack[idx + 1 :]
                        lst = _List(f[5:], existing)
                        self.stack.append(lst)
                        return lst
        return None

    def _item_scalar(self, tok: Token, strs: bool) -> Any:
        if tok.vk == "flow":
            return _flow_value(tok.value or "", strs)
        if tok.vk == "quoted" or strs:
            return tok.value or ""
        return _plain(tok.value or "")
