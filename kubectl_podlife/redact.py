"""What the store keeps of a pod spec: no env values and no container args unless asked (`--keep-env`).

Specs reach the store from manifests, describe output, `-o json` and the live API; every one passes
`redact_observation` in `Store.append`, so all paths are covered in one place. What is kept: env
names, that a value was present (`value: <redacted>`), `valueFrom` and `envFrom` references, and of
`command`/`args` the program and the words the lifecycle rules read (a shell and `-c`, `sleep N`,
`touch`/`rm`/`cat` PATH, `exit N`, loop keywords, well-known programs), so a stored session is
explained as the file was: "sleep 30; exit 3" stays, `--password=hunter2` becomes `<redacted>`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from kubectl_podlife.observation import SPEC, Observation

REDACTED = "<redacted>"

# Words kept wherever they appear: shells, the commands and keywords `model.rules.command_behaviour`
# reads, and common programs whose name says how they run (none of them a secret).
_WORDS = frozenset("""
    sh bash ash dash zsh busybox sleep touch rm exit echo cat ls printf date true false tail test [ ] [[ ]]
    while until for do done if then else elif fi in wait kill trap exec nginx httpd python python3 java node
    redis-server postgres mysqld
""".split())
_FLAG = re.compile(r"-{1,2}[A-Za-z]{1,3}")  # -c, -f, -rf, -ec: switches without a value
_NUMBER = re.compile(r"\d+(\.\d+)?[smhd]?")
_PATH = re.compile(r"[\w./-]+")
_PATH_TAKERS = frozenset({"touch", "rm", "cat", "tail", "test", "ls", "[", "[["})
_NUMBER_TAKERS = frozenset({"sleep", "exit", "kill"})
_SPLIT = re.compile(r"(\s+|;|&&|\|\||\||\n|\(|\)|\{|\}|`)")
_PART_END = frozenset({";", "&&", "||", "|", "\n", "(", ")", "{", "}", "`"})
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


class _Words:
    """Walks the words of a container's command then args as the rules read them (joined by spaces),
    replacing those they do not read; `cmd` is the first word of the current part of a script."""

    def __init__(self) -> None:
        self.cmd: str | None = None
        self.prev: str | None = None
        self.program = True  # the next word is the program (command[0])
        self.changed = 0

    def element(self, text: str) -> str:
        if self.prev == "-c":  # `sh -c SCRIPT`: the script starts a command of its own
            self.cmd = None
        out: list[str] = []
        did = False
        for tok in _SPLIT.split(text):
            if not tok:
                continue
            if tok.isspace() or tok in _PART_END:
                if tok in _PART_END or "\n" in tok:
                    self.cmd = None
                out.append(tok)
                continue
            base = tok.rsplit("/", 1)[-1]
            keep = (tok in _WORDS or (base in _WORDS and _PATH.fullmatch(tok)) or _FLAG.fullmatch(tok)
                    or (self.program and _PATH.fullmatch(tok))
                    or (self.prev in _NUMBER_TAKERS and _NUMBER.fullmatch(tok))
                    or (self.cmd in _PATH_TAKERS and _PATH.fullmatch(tok)))
            self.program = False
            if self.cmd is None:
                self.cmd = base
            self.prev = base
            if keep:
                out.append(tok)
                continue
            did = True
            while len(out) >= 2 and out[-1].isspace() and out[-2] == REDACTED:
                out.pop()  # one placeholder for a run of secret words
            if not (out and out[-1] == REDACTED):
                out.append(REDACTED)
        self.changed += did
        return "".join(out) if did else text

    def argv(self, argv: Any) -> Any:
        if argv is None:
            return None
        items = argv if isinstance(argv, list) else [argv]
        out: list = []
        for a in items:
            if isinstance(a, bool) or not isinstance(a, (str, int, float)):
                text = REDACTED
                self.changed += 1
            else:
                text = self.element(str(a))
            if text == REDACTED and out and out[-1] == REDACTED:
                continue  # a run of secret arguments is one placeholder: their number says nothing useful
            out.append(a if text == str(a) else text)
        return out if isinstance(argv, list) else out[0]


def redact_spec(spec: Any) -> tuple[Any, dict[str, int]]:
    """A PodSpec without env values and with args/command words redacted; counts of what was removed."""
    counts = {"env": 0, "args": 0}
    if not isinstance(spec, dict):
        return spec, counts
    out = dict(spec)
    for key in _CONTAINER_LISTS:
        containers = spec.get(key)
        if not isinstance(containers, list):
            continue
        new = []
        for c in containers:
            if not isinstance(c, dict):
                new.append(c)
                continue
            c = dict(c)
            env = c.get("env")
            if isinstance(env, list):
                kept = []
                for e in env:
                    if isinstance(e, dict) and e.get("value") not in (None, ""):
                        e = {**e, "value": REDACTED}
                        counts["env"] += 1
                    elif not isinstance(e, dict):
                        e = REDACTED
                        counts["env"] += 1
                    kept.append(e)
                c["env"] = kept
            words = _Words()
            if "command" in c:
                c["command"] = words.argv(c["command"])
            else:
                words.program = False  # args alone run under the image's entrypoint
            if "args" in c:
                c["args"] = words.argv(c["args"])
            counts["args"] += words.changed
            new.append(c)
        out[key] = new
    return out, counts


def redact_observation(obs: Observation) -> Observation:
    """A SPEC observation as the store keeps it by default; other kinds are returned as they are.

    When anything was removed the raw text (a manifest's lines) is replaced by a line that says so, as
    those lines hold the values too; the origin still points at them."""
    if obs.kind != SPEC or not isinstance(obs.data.get("spec"), dict):
        return obs
    spec, counts = redact_spec(obs.data["spec"])
    if not counts["env"] and not counts["args"]:
        return obs
    what = []
    if counts["env"]:
        what.append(f"{counts['env']} env value{'s' if counts['env'] != 1 else ''}")
    if counts["args"]:
        what.append("words of command/args")
    kind = obs.data.get("object_kind") or "Pod"
    name = obs.data.get("object_name") or obs.pod.name
    raw = f"({kind} {name} spec: {' and '.join(what)} not stored; import or watch with --keep-env to keep them)"
    return replace(obs, data={**obs.data, "spec": spec, "redacted": counts}, raw=raw)
