"""The typed payloads type-check: mypy --strict accepts an app using them right and catches each mistake.

mypy reads b24client.events alone (a throwaway package of its symlink and an empty
__init__), so the check takes seconds instead of reading the whole generated package.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).with_name("event_app.py.txt")


def test_mypy_strict_accepts_right_uses_and_catches_each_mistake(tmp_path: Path) -> None:
    package = tmp_path / "b24client"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "py.typed").write_text("")
    (package / "events.py").symlink_to(ROOT / "generated" / "b24client" / "events.py")
    app = tmp_path / "app.py"
    app.write_text(APP.read_text())
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), "app.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    errors: dict[int, list[str]] = {}
    revealed: list[str] = []
    for line in checked.stdout.splitlines():
        found = re.match(r"app\.py:(\d+): (error|note): (.*)", line)
        if not found:
            continue
        if found[2] == "note" and found[3].startswith("Revealed type is"):
            revealed.append(found[3])
        elif found[2] == "error":
            errors.setdefault(int(found[1]), []).append(found[3])
    lines = APP.read_text().splitlines()
    mistakes = {n: line.split("# mistake: ")[1] for n, line in enumerate(lines, 1) if "# mistake: " in line}
    assert len(mistakes) == 8
    missed = [what for n, what in mistakes.items() if n not in errors]
    assert not missed, f"mypy --strict did not catch: {missed}\n{checked.stdout}"
    unexpected = {n: texts for n, texts in errors.items() if n not in mistakes}
    assert not unexpected, f"errors on lines that are right: {unexpected}\n{checked.stdout}"
    # narrowed by the `event` key: the deal's id, then the install event's language
    assert revealed == ['Revealed type is "int | str"', 'Revealed type is "str"'], revealed
