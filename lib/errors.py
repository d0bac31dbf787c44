"""Errors a user can fix, reported as one line with file and key path."""
from __future__ import annotations

# Everything str.splitlines() breaks on: a message must stay one line.
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


def one_line(text: str) -> str:
    """``text`` with every line break escaped (``\\n``), so an error stays one line."""
    return str(text).translate(_LINE_BREAKS)


class VoyagerError(Exception):
    """Bad input: the CLI prints the message and exits with code 2."""

    exit_code = 2


class ValuesError(VoyagerError):
    """A values file is wrong at a key path.

    Rendered as ``<file>: <key.path>: <what is wrong>`` so an editor or a CI log
    points straight at the line to change.
    """

    def __init__(self, file: str, path: str, message: str):
        self.file = file
        self.path = path
        self.message = message
        where = f"{file}: {path}" if path else file
        super().__init__(one_line(f"{where}: {message}"))

    def __reduce__(self):
        # Raised in render workers and re-raised here: keep it picklable.
        return (ValuesError, (self.file, self.path, self.message))


def format_path(loc: tuple) -> str:
    """("customers", 1, "id") -> "customers[1].id"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
