"""Every key the replay answers to, as data: an id (what a keymap remaps), keys, a description
(what the footer and the help screen say), and a group for the help screen.

Users remap by id in `$XDG_CONFIG_HOME/kubectl-podlife/keymap.yaml` (`play-pause: p`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from textual.binding import Binding

# (group, binding). Order is the help screen's order; `show` puts a binding in the footer, which
# at 80 columns has room for about seven.
GROUPED: tuple[tuple[str, Binding], ...] = (
    ("Playback", Binding("space", "play_pause", "Play", tooltip="Play / pause at real time x speed", id="play-pause")),
    ("Playback", Binding("+", "speed(1)", "Faster", tooltip="Faster: 1x 2x 5x 10x 60x", show=False, id="speed-up")),
    ("Playback", Binding("-", "speed(-1)", "Slower", show=False, id="speed-down")),
    ("Playback", Binding("t", "prompt('seek')", "Seek", tooltip="Seek to a time: 2m7s, 85s, 1h2m, +10s", id="seek")),
    ("Move", Binding("],right", "jump(1)", "Next", key_display="]", tooltip="Jump to the next transition", id="next-transition")),
    ("Move", Binding("[,left", "jump(-1)", "Prev", key_display="[", tooltip="Jump to the previous transition", show=False,
                     id="prev-transition")),
    ("Move", Binding("j,down", "cursor(1)", "Down one row", show=False, id="cursor-down")),
    ("Move", Binding("k,up", "cursor(-1)", "Up one row", show=False, id="cursor-up")),
    ("Move", Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="page-down")),
    ("Move", Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="page-up")),
    ("Move", Binding("g,home", "go_start", "Start", show=False, id="go-start")),
    ("Move", Binding("G,end", "go_end", "End (and follow live)", show=False, id="go-end")),
    ("Find", Binding("/", "prompt('search')", "Search", tooltip="Search summaries, messages and evidence; "
                     "in the pod list, filter by name or namespace", id="search")),
    ("Find", Binding("n", "search_step(1)", "Next match", show=False, id="search-next")),
    ("Find", Binding("N", "search_step(-1)", "Previous match", show=False, id="search-prev")),
    ("Find", Binding("c", "filter_container", "Filter container", show=False, id="filter-container")),
    ("Find", Binding("f", "filter_kind", "Filter kind", show=False, id="filter-kind")),
    ("Find", Binding("escape", "back", "Back", tooltip="Back: close input, clear search and filters, then the pod list",
                     show=False, id="back")),
    ("Pods", Binding("enter", "open_pod", "Open", tooltip="Pod list: open the selected pod's timeline", id="pod-open")),
    ("Pods", Binding("o", "toggle_pods", "Pods", tooltip="The pod list (worst first); back to the pod from there",
                     id="pod-list")),
    ("Pods", Binding(">", "pod(1)", "Next pod", tooltip="Next pod, in the pod list's order", show=False, id="pod-next")),
    ("Pods", Binding("<", "pod(-1)", "Previous pod", show=False, id="pod-prev")),
    ("Pods", Binding("colon", "prompt('command')", "Command", key_display=":",
                     tooltip=":pod NAME opens that pod, :pods the pod list", show=False, id="command")),
    ("Explanation", Binding("J", "explain_scroll(1)", "Scroll explanation down", show=False, id="explain-down")),
    ("Explanation", Binding("K", "explain_scroll(-1)", "Scroll explanation up", show=False, id="explain-up")),
    ("Explanation", Binding("e", "zoom_explanation", "Explanation full screen", show=False, id="explain-zoom")),
    ("Explanation", Binding("y", "copy", "Copy explanation (OSC 52)", show=False, id="copy")),
    ("Explanation", Binding("l", "show_log", "Container log", tooltip="The container's stored log tail (its last "
                            "words before this exit)", show=False, id="show-log")),
    ("Explanation", Binding("m", "export", "Write the pod's explanation as markdown", show=False, id="export")),
    ("App", Binding("question_mark,f1", "help", "Help", key_display="?", tooltip="This help", id="help")),
    ("App", Binding("q", "quit", "Quit", id="quit")),
)

BINDINGS: list[Binding] = [b for _, b in GROUPED]
IDS: frozenset[str] = frozenset(b.id for b in BINDINGS if b.id)

# A Textual key: modifiers, then one printable character or a named key (f1, pagedown, left_square_bracket).
_KEY = re.compile(r"^(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:\S|[a-z][a-z0-9_]*)$")


def keymap_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "kubectl-podlife" / "keymap.yaml"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], str | None]:
    """The user's remapping {binding id: "key[,key]"}, and a one-line problem if the file is unusable.

    Any problem keeps every default: a half-applied keymap is harder to understand than none.
    """
    path = path or keymap_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"{path}: cannot read the keymap ({exc.strerror}); using the default keys"
    import yaml  # only paid for when a keymap exists

    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        return {}, f"{path}{where}: not valid YAML; using the default keys"
    if data is None:
        return {}, None
    if isinstance(data, dict) and isinstance(data.get("keymap"), dict):
        data = data["keymap"]  # also accept the posting-style `keymap:` section
    if not isinstance(data, dict):
        return {}, f"{path}: expected lines like `play-pause: p`; using the default keys"
    keymap: dict[str, str] = {}
    for binding_id, keys in data.items():
        if binding_id not in IDS:
            return {}, (f"{path}: unknown binding id \"{binding_id}\" (press ? for the ids); "
                        "using the default keys")
        if isinstance(keys, list):
            keys = ",".join(str(k) for k in keys)
        if isinstance(keys, int):
            keys = str(keys)
        if not isinstance(keys, str) or not keys.strip() or not all(
                _KEY.match(k.strip()) for k in keys.split(",")):
            return {}, (f"{path}: \"{binding_id}: {keys}\" is not a key like `p`, `ctrl+p` or `f5`; "
                        "using the default keys")
        keymap[str(binding_id)] = ",".join(k.strip() for k in keys.split(","))
    clash = user_clash(keymap)
    if clash:
        return {}, f"{path}: {clash}; using the default keys"
    lost = [binding_id for binding_id, keys in effective_keys(keymap).items() if not keys]
    if lost:
        return keymap, (f"{path}: {', '.join(lost)} lost {'its key' if len(lost) == 1 else 'their keys'} "
                        "to your keymap; give it another key there if you need it")
    return keymap, None


def _long(key: str) -> str:
    """Textual's long name for a key (`/` is `slash`), as its public Binding.make_bindings gives it."""
    key = key.strip()
    if len(key) != 1:
        return key
    return next(iter(Binding.make_bindings([Binding(key, "")]))).key


def effective_keys(keymap: dict[str, str]) -> dict[str, list[str]]:
    """binding id -> the keys it answers to once `keymap` is applied (Textual's long key names).

    A key the user gives to one binding is taken from the default owner, as Textual does.
    """
    taken = {_long(k) for keys in keymap.values() for k in keys.split(",")}
    out: dict[str, list[str]] = {}
    for binding in BINDINGS:
        assert binding.id
        if binding.id in keymap:
            out[binding.id] = [_long(k) for k in keymap[binding.id].split(",")]
        else:
            out[binding.id] = [k for k in (_long(k) for k in binding.key.split(",")) if k not in taken]
    return out


def user_clash(keymap: dict[str, str]) -> str | None:
    """A key the keymap gives to two bindings, said as the user wrote it."""
    owner: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        for key in keys.split(","):
            long = _long(key)
            if long in owner and owner[long] != binding_id:
                return f'key "{key.strip()}" is given to both "{owner[long]}" and "{binding_id}"'
            owner[long] = binding_id
    return None
