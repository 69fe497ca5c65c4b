"""The vocabulary of container behaviour that `simulate` accepts: its flags and SIGTERM choices.

A leaf module (imports nothing) so the command line can describe the flags without importing the simulator.
"""

SIGTERM_CHOICES = ("handled", "ignored", "auto")

BEHAVIOUR_FLAGS = (
    ("liveness-fails-from", "the liveness probe fails from this long after each container start (e.g. 3s)"),
    ("liveness-succeeds-from", "the liveness probe fails until this long after each start"),
    ("readiness-fails-from", "the readiness probe fails from this long after each start"),
    ("readiness-succeeds-from", "the readiness probe fails until this long after each start (e.g. 30s)"),
    ("startup-fails-from", "the startup probe fails from this long after each start"),
    ("startup-succeeds-from", "the startup probe fails until this long after each start"),
    ("exits-after", "the process ends this long after each start (with --exit-code, default 0)"),
    ("oom-at", "the container is OOM-killed this long after each start"),
)
