"""The docs' table of what keeps state, rendered from the running code so it cannot drift.

docs/emulator.md carries a section between two markers that is exactly `render()`'s
output; tests/emulator/test_catalog.py fails when they differ, and
`python -m b24client.emulator.catalog docs/emulator.md` rewrites the section. The facts
come from `families.derive_families()` (the spec-derived entity families) and from the
handlers a portal really registers, so a family that gains or loses a verb, or a method
that starts answering from state, shows up in the docs with the change that caused it.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from .families import HANDWRITTEN_PREFIXES, VERBS, Family, derive_families

BEGIN = "<!-- catalog:begin (python -m b24client.emulator.catalog docs/emulator.md) -->"
END = "<!-- catalog:end -->"


def _family_row(family: Family) -> str:
    verbs = ", ".join(verb for verb in VERBS if verb in family.methods)
    values = "text" if family.stringy else "typed"
    scope = ", ".join(family.scope) or "—"
    wrappers = ", ".join(sorted({f"`{w}`" for verb in family.methods if (w := family.wrapper(verb))})) or "—"
    return f"| `{family.name}` | {verbs} | `{family.id_key}` | {family.case} | {values} | {scope} | {wrappers} |"


def render() -> str:
    """The generated section: stateful families, then stateful vs example methods per namespace."""
    from .portal import Emulator  # the portal's own handler table, not a second opinion

    portal = Emulator()
    stateful = set(portal.stateful_methods())
    served = [m for m in portal.specs.method_ids() if "@" not in m]
    families = derive_families()
    lines = [
        BEGIN,
        "",
        f"{len(stateful & set(served))} of {len(served)} REST v2 methods with a spec answer from state; the other "
        f"{len(served) - len(stateful & set(served))} answer their docs example (after validation).",
        "",
        f"**Spec-derived entity families** ({len(families)}; `values`: text = every scalar as a string, "
        "as crm.deal.get shows them; typed = numbers stay numbers; `scope` splits a family into separate "
        "tables with their own ids):",
        "",
        "| family | verbs | id | case | values | scope | result wrapper |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(_family_row(family) for family in families),
        "",
        "**Hand-written handlers** (references checked, documented errors): "
        + ", ".join(f"`{prefix}.*`" for prefix in HANDWRITTEN_PREFIXES)
        + "; `crm.deal.*` and `crm.item.*` with `entityTypeId=2` share the seeded deal table.",
        "",
        "**Per namespace** (first segment of the method name):",
        "",
        "| namespace | from state | docs example |",
        "| --- | ---: | ---: |",
    ]
    state_by: Counter[str] = Counter()
    example_by: Counter[str] = Counter()
    for method in served:
        (state_by if method in stateful else example_by)[method.split(".")[0]] += 1
    for namespace in sorted({*state_by, *example_by}):
        lines.append(f"| {namespace} | {state_by[namespace]} | {example_by[namespace]} |")
    lines += ["", END]
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """`text` with the part from BEGIN to END replaced by `section`."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + section + text[end:]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m b24client.emulator.catalog docs/emulator.md", file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.write_text(replace_section(path.read_text(encoding="utf-8"), render()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
