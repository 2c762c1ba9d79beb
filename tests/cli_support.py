"""`backprop-lab` run inside the test's own process (faster than a subprocess), as the CLI tests call it."""

from __future__ import annotations

from app.cli import main


def call(capsys, *args: str) -> tuple[int, str, str]:
    """The command in this process: exit code, stdout, stderr."""
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err
