"""Input strings made safe for a terminal. Low level (no imports from the package), shared by every view:
the text renderer, the `watch --no-tui` printer and the TUI.

Control characters other than tab and newline in input strings (an Event message carrying an OSC 52
clipboard write, a screen clear, BEL, C1 controls) are shown, escaped, never sent to the terminal.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(s: str) -> str:
    """Input-derived text made safe for a terminal: each control character as `\\xNN`."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s)
