"""Command line: `python -m codegen generate|check|validate-specs|diff|changelog`.

Both render into a scratch folder and format it with ruff; `generate` then syncs the
result into the repository (writing only files that changed and removing stale ones),
`check` compares byte for byte and lists every difference.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .events.load import load_events
from .events.spec_checks import drop_failing_event_drafts, event_problems, method_scopes
from .load import SPEC_ROOT, load_tree
from .openapi import DOCUMENT_PATH, render_document
from .render import render
from .spec_checks import check_tree, drop_failing_drafts
from .typeexpr import TypeRegistry

REPO = SPEC_ROOT.parent
# generated/ itself is only the source root: the editable install's b24client.egg-info lives
# there too, and codegen owns nothing but the package folder.
PYTHON_ROOTS = ("generated/b24client", "tests/generated")
OUTPUT_ROOTS = (*PYTHON_ROOTS, str(Path(DOCUMENT_PATH).parent))
# The package's hand-written subpackages live beside what codegen writes (one folder, one import
# name per module); generate never writes, compares or removes anything under them.
HAND_WRITTEN = ("generated/b24client/runtime", "generated/b24client/emulator")


def _render_into(folder: Path, spec_root: Path) -> tuple[list[str], int]:
    """Render and format every file into `folder`; return the problems and the method count."""
    tree = load_tree(spec_root)
    problems, dropped = drop_failing_drafts(tree)
    if problems:
        return problems, 0
    if dropped:
        print(
            f"left out {len(dropped)} imported draft(s) that fail the spec checks (see `python -m codegen validate-specs`)",
            file=sys.stderr,
        )
    events = load_events(spec_root)
    if events is not None:
        event_blocking, event_dropped = drop_failing_event_drafts(
            events, TypeRegistry(tree.types), method_scopes(tree.specs.values())
        )
        if event_blocking:
            return event_blocking, 0
        if event_dropped:
            print(
                f"left out {len(event_dropped)} imported event draft(s) that fail the checks "
                "(see `python -m codegen validate-specs`)",
                file=sys.stderr,
            )
    rendered = render(tree, events)
    if rendered.problems:
        return rendered.problems, 0
    if rendered.cases_left_out:
        print(
            f"{len(rendered.cases_left_out)} generated test case(s) left out because they could not be built "
            f"to fail for the stated reason alone, e.g. {rendered.cases_left_out[0]}",
            file=sys.stderr,
        )
    for relative, text in rendered.files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (folder / DOCUMENT_PATH).parent.mkdir(parents=True, exist_ok=True)
    (folder / DOCUMENT_PATH).write_text(render_document(tree), encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    roots = [str(folder / root) for root in PYTHON_ROOTS if (folder / root).exists()]
    settings = ["--config", str(REPO / "pyproject.toml")]
    fix = [*ruff, "check", "--fix-only", "--select", "I,F401,UP,RUF022", "--quiet", *settings, *roots]
    subprocess.run(fix, check=True)  # noqa: S603 - our own interpreter and arguments
    subprocess.run([*ruff, "format", "--quiet", *settings, *roots], check=True)  # noqa: S603
    return [], len(tree.specs)


def _files(root: Path, output: str = "") -> set[str]:
    """The files under `root` that codegen owns; `output` is root's path in the repository."""
    hand_written = tuple(
        f"{Path(folder).relative_to(output).as_posix()}/" for folder in HAND_WRITTEN if output and folder.startswith(f"{output}/")
    )
    names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    return {name for name in names if not name.startswith(hand_written)} if hand_written else names


def _differences(fresh: Path, repo: Path) -> list[str]:
    found = []
    for output in OUTPUT_ROOTS:
        new = _files(fresh / output, output)
        old = _files(repo / output, output) if (repo / output).exists() else set()
        found += [f"missing: {output}/{name}" for name in sorted(new - old)]
        found += [f"stale (no spec makes it): {output}/{name}" for name in sorted(old - new)]
        found += [
            f"differs: {output}/{name}"
            for name in sorted(new & old)
            if not filecmp.cmp(fresh / output / name, repo / output / name, shallow=False)
        ]
    return found


def _sync(fresh: Path, repo: Path) -> int:
    changed = 0
    for output in OUTPUT_ROOTS:
        new = _files(fresh / output, output)
        old = _files(repo / output, output) if (repo / output).exists() else set()
        for name in sorted(old - new):
            (repo / output / name).unlink()
            changed += 1
        for name in sorted(new):
            source, target = fresh / output / name, repo / output / name
            if not target.exists() or not filecmp.cmp(source, target, shallow=False):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["diff"], ["changelog"]):  # the API diff has its own options (codegen/apidiff/cli.py)
        from .apidiff.cli import main as apidiff_main

        return apidiff_main(argv)
    parser = argparse.ArgumentParser(prog="python -m codegen")
    parser.add_argument("command", choices=["generate", "check", "validate-specs", "diff", "changelog"])
    parser.add_argument("--spec", type=Path, default=SPEC_ROOT)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.command == "validate-specs":
        tree = load_tree(args.spec)
        problems = check_tree(tree)
        events = load_events(args.spec)
        if events is not None:
            shared, per_event = event_problems(events, TypeRegistry(tree.types), method_scopes(tree.specs.values()))
            problems += shared + [problem for event_id in sorted(per_event) for problem in per_event[event_id]]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    with tempfile.TemporaryDirectory(prefix="b24codegen-") as scratch:
        fresh = Path(scratch)
        problems, methods = _render_into(fresh, args.spec)
        if problems:
            print(f"{len(problems)} spec problem(s):", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        if args.command == "check":
            differences = _differences(fresh, REPO)
            for difference in differences:
                print(difference, file=sys.stderr)
            if differences:
                print("generated output is out of date: run `make generate`", file=sys.stderr)
                return 1
            print(f"generated output matches the specs ({time.perf_counter() - started:.1f}s)")
            return 0
        changed = _sync(fresh, REPO)
    print(f"generated {methods} methods, {changed} file(s) changed ({time.perf_counter() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
