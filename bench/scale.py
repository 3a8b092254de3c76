"""Scale figures for the whole documented API: generation time and start-up cost.

Start-up is measured as users get it: the package installed normally (not editable)
into a throwaway virtualenv, bytecode compiled once, then whole processes timed,
interleaved with the baseline so machine noise hits both alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".bench" / "install-venv"
BASELINE = "import requests"
OURS = "import b24client; assert b24client.validate('crm.deal.list', {'select': ['ID', 'TITLE'], 'filter': {'>ID': 5}}) == []"


def _python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)  # noqa: S603
    quiet = {"check": True, "stderr": subprocess.DEVNULL}
    subprocess.run(  # noqa: S603
        [str(python), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", str(REPO)],
        **quiet,
    )
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "requests"], **quiet)  # noqa: S603
    return python


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users run with bytecode caches
    env.pop("PYTHONPATH", None)
    return env


def _run(python: Path, code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(python), "-c", code], check=True, env=env, cwd=tempfile.gettempdir())  # noqa: S603
    return time.perf_counter() - started


def startup(runs: int = 40) -> dict[str, float]:
    python = _python()
    env = _env()
    for code in (BASELINE, OURS):  # compile and cache bytecode first
        _run(python, code, env)
    baseline, ours = [], []
    for _ in range(runs):
        baseline.append(_run(python, BASELINE, env))
        ours.append(_run(python, OURS, env))
    base_ms, ours_ms = statistics.median(baseline) * 1000, statistics.median(ours) * 1000
    return {"baseline_ms": base_ms, "ours_ms": ours_ms, "ratio": ours_ms / base_ms, "runs": runs}


def generation_seconds() -> dict[str, float]:
    """Render every spec into a scratch folder (what `make generate` does before syncing)."""
    sys.path.insert(0, str(REPO))
    from codegen.__main__ import _render_into

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        problems, methods = _render_into(Path(scratch), REPO / "spec")
    elapsed = time.perf_counter() - started
    assert not problems, problems[:3]
    return {"seconds": elapsed, "methods": methods, "cpus": os.cpu_count() or 1}


def main() -> None:
    figures = generation_seconds()
    print(
        f"generate: {figures['methods']:.0f} methods in {figures['seconds']:.1f} s on {figures['cpus']:.0f} cores "
        "(target <= 10 s)"
    )
    start = startup()
    print(
        f"start-up (median of {start['runs']:.0f} processes each, installed package, warm bytecode): "
        f"`{BASELINE}` {start['baseline_ms']:.1f} ms, import b24client + first validated call "
        f"{start['ours_ms']:.1f} ms, ratio {start['ratio']:.3f} (target <= 1.15)"
    )


if __name__ == "__main__":
    main()
