"""`python -m codegen diff OLD [NEW]` and `python -m codegen changelog --since REV`.

OLD and NEW are spec folders (or checkouts holding spec/) or git revisions; NEW defaults to
the work tree. `diff` exits 1 when a change is breaking, so CI can ask for a label or a
version bump; 2 when an argument names nothing it can read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .changelog import draft_section, write_section
from .compare import diff_trees
from .report import as_json, as_markdown
from .rules import rules_markdown
from .sources import REPO, SourceError, load_pair, opened


def _report_unreadable(label: str, problems: list[str]) -> None:
    """Files the loader could not read are left out of the comparison; say so rather than hide it."""
    for problem in problems:
        print(f"diff: {label}: left out: {problem}", file=sys.stderr)


def _diff(args: argparse.Namespace) -> int:
    if args.rules:
        sys.stdout.write(rules_markdown())
        return 0
    if args.old is None:
        print("diff: name the old side (a spec folder or a git revision), or --rules", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        with opened(args.old) as old, opened(args.new) as new:
            old_tree, new_tree = load_pair(old.root, new.root)
            _report_unreadable(old.label, old_tree.load_errors)
            _report_unreadable(new.label, new_tree.load_errors)
            diff = diff_trees(old_tree, new_tree)
            render = as_json if args.format == "json" else as_markdown
            text = render(diff, old.label, new.label)
    except SourceError as exc:
        print(f"diff: {exc}", file=sys.stderr)
        return 2
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(
        f"{diff.methods_old} → {diff.methods_new} methods compared, {len(diff.changes)} change(s), "
        f"{diff.breaking} breaking ({time.perf_counter() - started:.1f}s)",
        file=sys.stderr,
    )
    return 1 if diff.breaking else 0


def _changelog(args: argparse.Namespace) -> int:
    try:
        with opened(args.since) as old, opened(args.until) as new:
            diff = diff_trees(*load_pair(old.root, new.root))
            since = f"{args.previous} (`{old.label}`)" if args.previous else f"`{old.label}`"
    except SourceError as exc:
        print(f"changelog: {exc}", file=sys.stderr)
        return 2
    section = draft_section(diff, args.version, since, args.date)
    if args.print:
        sys.stdout.write(section)
    else:
        write_section(args.file, section)
        print(f"{args.file}: section {args.version!r} drafted from {len(diff.changes)} change(s)", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen")
    commands = parser.add_subparsers(dest="command", required=True)
    diff = commands.add_parser("diff", help="API changes between two spec trees, breaking ones marked")
    diff.add_argument("old", nargs="?", help="spec folder, checkout or git revision")
    diff.add_argument("new", nargs="?", help="spec folder, checkout or git revision (default: the work tree)")
    diff.add_argument("--format", choices=["markdown", "json"], default="markdown")
    diff.add_argument("--output", type=Path, help="write the report here instead of standard output")
    diff.add_argument("--rules", action="store_true", help="print the breaking/compatible rules table")
    changelog = commands.add_parser("changelog", help="draft a CHANGELOG.md section from the API diff")
    changelog.add_argument("--since", required=True, help="revision or spec folder of the previous release")
    changelog.add_argument("--until", help="revision or spec folder of this release (default: the work tree)")
    changelog.add_argument("--version", default="Unreleased", help="section heading (default: Unreleased)")
    changelog.add_argument("--previous", help="release name of --since, e.g. 0.1.0")
    changelog.add_argument("--date", help="release date for the heading")
    changelog.add_argument("--file", type=Path, default=REPO / "CHANGELOG.md")
    changelog.add_argument("--print", action="store_true", help="print the section instead of writing the file")
    args = parser.parse_args(argv)
    return _diff(args) if args.command == "diff" else _changelog(args)
