"""Pages are told apart: methods (and which one), events, overviews."""

from __future__ import annotations

from codegen.importer import identify, yfm

from .conftest import FIXTURE_DOCS


def ident(relative: str) -> identify.Identity:
    text = (FIXTURE_DOCS / "api-reference" / relative).read_text(encoding="utf-8")
    return identify.identify("api-reference/" + relative, yfm.parse(text))


def test_method_page_takes_the_title_token_the_file_name_confirms() -> None:
    found = ident("widgets/things/widget-thing-add.md")
    assert (found.kind, found.method, found.api_version, found.title) == ("method", "widget.thing.add", 2, "Create a Thing")


def test_rest_v3_page() -> None:
    found = ident("widgets/things/widget-thing-get-rest-v3.md")
    assert (found.kind, found.method, found.api_version) == ("method", "widget.thing.get", 3)


def test_title_and_url_disagree_the_file_name_decides() -> None:
    found = ident("widgets/things/widget-thing-delete.md")
    assert found.method == "widget.thing.delete"
    assert found.title == "Delete a Thing"
    assert found.other_methods == ["widget.thing.remove"]
    assert found.notes and "widget.thing.remove" in found.notes[0]


def test_event_and_overview_pages_are_not_methods() -> None:
    assert ident("widgets/things/on-widget-thing-add.md").kind == "event"
    assert ident("widgets/index.md").kind == "overview"


def test_dotted_uppercase_event_names_are_events() -> None:
    page = "# Event on Adding CATALOG.THING.ON.ADD\n\n## What the Handler Receives\n\n## Code Examples\n"
    assert identify.identify("api-reference/x/catalog-thing-on-add.md", yfm.parse(page)).kind == "event"
