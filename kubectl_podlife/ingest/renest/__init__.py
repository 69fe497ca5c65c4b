"""Re-nesting damaged YAML: text that lost its indentation or its newlines is rebuilt the way a
reader would do it, by splitting the keys out of the text (`tokens`) and then re-nesting them
along the Pod schema (`walker`).
"""

from __future__ import annotations


def rebuild(chunk: list[tuple[int, str]], root: str,
            warns: list[tuple[int, str]]) -> tuple[list[tuple[dict, int, int]], int | None]:
    """The documents (mapping, first line, last line) rebuilt from one damaged chunk of
    (line index, text), with `root` the schema type at column 0 ("Object" or "Fragment"), and the
    line where a glued shell command cut the chunk short (None when it did not)."""
    # Imported here: most manifests load as YAML, and importing these two (their patterns and dataclasses)
    # costs about 5 ms of every `explain` (issue 12).
    from kubectl_podlife.ingest.renest.tokens import tokenize
    from kubectl_podlife.ingest.renest.walker import Walker

    toks, cut = tokenize(chunk, warns)
    return Walker(root, warns).run(toks), cut
