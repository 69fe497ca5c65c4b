"""User-facing errors: one line that names the thing and the fix; the CLI prints it and exits non-zero."""


class PodlifeError(Exception):
    """An error to show the user as one line on stderr (no traceback)."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


class NothingReadError(PodlifeError):
    """The input held no kubectl output that podlife could use."""


class LoadCancelled(PodlifeError):
    """Reading was stopped because the caller no longer wants the result (the TUI quit while loading).

    Raised at a checkpoint of the parsers (every CHECKPOINT_EVERY lines, see ingest/context.py) once the
    caller's `cancelled()` says so; nothing read so far is returned."""

    def __init__(self, message: str = "loading cancelled"):
        super().__init__(message, exit_code=130)
