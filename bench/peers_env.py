"""A throwaway virtualenv with the peer libraries, made on first use (.bench/ is gitignored).

The peers are not dependencies of b24client: they are installed here, with pip, only so
the benchmark can run them, each in its own process with this environment's python.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".bench" / "peers-venv"
PEERS = ("fast-bitrix24", "b24pysdk")


def python() -> Path:
    interpreter = VENV / "bin" / "python"
    if not interpreter.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)  # noqa: S603 - fixed command
        subprocess.run([str(interpreter), "-m", "pip", "install", "--quiet", *PEERS], check=True)  # noqa: S603
    return interpreter


def versions() -> dict[str, str]:
    found = subprocess.run(  # noqa: S603 - fixed command
        [str(python()), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wanted = {name.replace("-", "_").lower() for name in PEERS}
    pairs = (line.split("==") for line in found.splitlines() if "==" in line)
    return {name: version for name, version in pairs if name.replace("-", "_").lower() in wanted}
