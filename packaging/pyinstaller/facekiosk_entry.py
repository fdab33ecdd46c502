"""Entry point of the frozen (PyInstaller) facekiosk: the same CLI as `facekiosk`.

Two things a plain Python has that a frozen one needs help with:
- `multiprocessing` "spawn" children (the engine worker process) re-run this
  executable; `freeze_support()` turns such a run into the child.
- `facekiosk doctor` probes Qt and cameras in a child started as
  `sys.executable -c CODE ARGS...`; a frozen executable is not an interpreter,
  so `-c` is handled here (the same code runs, with the bundled modules).
"""

from __future__ import annotations

import multiprocessing
import sys


def _run_inline_code(argv: list[str]) -> int:
    code = argv[2]
    sys.argv = ["-c", *argv[3:]]
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(compile(code, "<string>", "exec"), namespace)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def main() -> int:
    multiprocessing.freeze_support()
    if len(sys.argv) >= 3 and sys.argv[1] == "-c":
        return _run_inline_code(sys.argv)
    from facekiosk.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
