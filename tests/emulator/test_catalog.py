"""docs/emulator.md's table of stateful families and methods is the code's own, not a copy."""

from __future__ import annotations

from pathlib import Path

from b24client.emulator.catalog import BEGIN, END, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"


def test_the_docs_list_exactly_the_families_and_methods_that_keep_state() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert section == render(), "run: python -m b24client.emulator.catalog docs/emulator.md"


def test_the_catalog_names_the_families_the_crm_integration_needs() -> None:
    section = render()
    for family in (
        "crm.company",
        "crm.contact",
        "crm.lead",
        "crm.quote",
        "crm.item",
        "tasks.task",
        "lists.element",
        "catalog.product",
        "disk.folder",
        "im.message",
        "department",
        "user",
    ):
        assert f"| `{family}` |" in section, family
