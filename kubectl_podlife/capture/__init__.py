"""Live capture: list + watch pods and their Events, record every change as observations.

The only package that imports `kubernetes`, and only inside functions, so that `replay` and `explain`
of a saved file never pay for it (nor does importing this package).

- `kubeconfig`: which cluster, user and namespace, found as kubectl finds them; the API client.
- `proxy`: which proxy kubectl would use for the server (HTTPS_PROXY, NO_PROXY, loopback direct).
- `reflector`: one list+watch loop per resource (resume, 410 relist, bookmarks, back-off).
- `connection`: live / reconnecting in N s / relisting, for notices and the TUI's status line.
- `recorder`: what the reflectors receive -> one bounded queue -> observations in a store session.
- `printer`: `watch --no-tui`, each explained transition on one line as it becomes known, on its own
  thread reading the store, so that it never holds up the recorder.
- `command`: the `watch` command that wires them together, and `python -m kubectl_podlife.capture`.
- `errors`: a connection failure in a few words.
"""

from kubectl_podlife.arguments import parse_request_timeout
from kubectl_podlife.capture.command import main, run_watch, watch
from kubectl_podlife.capture.kubeconfig import Target, load_target
from kubectl_podlife.capture.printer import TransitionPrinter, transition_key
from kubectl_podlife.capture.recorder import Capture
from kubectl_podlife.capture.reflector import Stats

__all__ = ["Capture", "Stats", "Target", "TransitionPrinter", "load_target", "main", "parse_request_timeout",
           "run_watch", "transition_key", "watch"]
