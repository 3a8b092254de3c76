"""`python -m codegen.importer --docs ../shared/b24restdocs --out spec` (what `make import-docs` runs)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .run import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.importer", description=__doc__)
    parser.add_argument("--docs", type=Path, default=Path("../shared/b24restdocs"), help="docs checkout")
    parser.add_argument("--out", type=Path, default=Path("spec"), help="spec folder (writes imported/ only)")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="folder for the reports")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    args = parser.parse_args(argv)
    if not (args.docs / "api-reference").is_dir():
        print(f"{args.docs}: not a docs checkout (no api-reference/)", file=sys.stderr)
        return 2
    started = time.monotonic()
    summary = run(args.docs, args.out, args.reports, args.jobs)
    print(
        f"{summary.pages} pages, {len(summary.chosen)} methods, {len(summary.passing)} passing "
        f"({summary.percent:.1f}%), {summary.written} files written, {summary.deleted} deleted, "
        f"{len(summary.events.drafts) if summary.events else 0} event specs, "
        f"{time.monotonic() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
