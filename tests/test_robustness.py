"""Damaged and hostile input never raises: shuffled, truncated and mutated pieces of real transcripts."""

from __future__ import annotations

import random

from podlife_testkit import corpus_files, seed_files
from kubectl_podlife.ingest import read_text
from kubectl_podlife.ingest.anchor import anchor
from kubectl_podlife.model import build_timeline


def _lines() -> list[str]:
    out: list[str] = []
    for f in corpus_files() + seed_files():
        out.extend(f.read_text(encoding="utf-8").splitlines())
    return out or ["NAME READY STATUS RESTARTS AGE", "web 1/1 Running 0 5s", "Events:",
                   "  Normal  Scheduled  5s  default-scheduler  Successfully assigned default/web to n1"]


def _mutate(rng: random.Random, line: str) -> str:
    ops = rng.randrange(6)
    if ops == 0 and line:
        i = rng.randrange(len(line))
        return line[:i]  # truncated mid-line
    if ops == 1:
        return " ".join(line.split())  # padding collapsed
    if ops == 2:
        return line.replace("  ", "\t")
    if ops == 3 and line:
        i = rng.randrange(len(line))
        return line[:i] + rng.choice(["#", "(", ")", "x", "│", "{", "}", "\x1b[31m", "0"]) + line[i:]
    if ops == 4:
        return line.lstrip()
    return line


def test_random_pieces_never_raise():
    rng = random.Random(int(__import__("os").environ.get("FUZZ_SEED", "1234")))
    lines = _lines()
    for _ in range(300):
        start = rng.randrange(len(lines))
        chunk = lines[start:start + rng.randrange(1, 60)]
        if rng.random() < 0.3:
            rng.shuffle(chunk)
        text = "\n".join(_mutate(rng, ln) for ln in chunk)
        result = read_text(text, "fuzz.txt")
        timeline = build_timeline(anchor(result.observations))
        timeline.to_json()
