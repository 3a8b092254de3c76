"""Run mypy on the package as users import it.

generated/, runtime/ and emulator/ become one package only through the install's folder
mapping, which mypy cannot follow; a throwaway tree of symlinks recreates that layout.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="b24typecheck-") as scratch:
        package = Path(scratch) / "b24client"
        package.mkdir()
        for entry in (REPO / "generated").iterdir():
            if entry.name != "__pycache__":
                (package / entry.name).symlink_to(entry)
        (package / "runtime").symlink_to(REPO / "runtime")
        (package / "emulator").symlink_to(REPO / "emulator")
        command = [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), *sys.argv[1:], str(package)]
        completed = subprocess.run(command, cwd=scratch, capture_output=True, text=True)  # noqa: S603
        output = completed.stdout.replace(str(package) + "/", "b24client/") + completed.stderr
        print(output, end="")
        return completed.returncode


if __name__ == "__main__":
    raise SystemExit(main())
