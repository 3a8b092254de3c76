"""The API reference site's sources: one Markdown page per namespace, built from the specs.

`make docs` writes them under build/docs/ with the guides (README, docs/*.md) and a
mkdocs.yml, then MkDocs with the Material theme builds the site in strict mode. Nothing
here is committed: the pages are as current as the specs they are made from.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from .load import SPEC_ROOT, SpecFile, load_tree
from .naming import docs_url, python_name
from .render import _rule_text, group_of, path_of
from .spec_checks import drop_failing_drafts

REPO = SPEC_ROOT.parent
GUIDES = {
    "bulk.md": "Bulk work",
    "inbound.md": "Receiving from the portal",
    "emulator.md": "The emulator",
    "cli.md": "Command line",
    "api-diff.md": "Reviewing API changes",
}
_LINK = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)(#[^)\s]*)?\)")


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)


def _rules(param: dict[str, Any]) -> str:
    rules = []
    if "enum" in param:
        values = [f"`{item['value'] if isinstance(item, dict) else item}`" for item in param["enum"]]
        rules.append("one of " + ", ".join(values))
    for key, words in (
        ("minimum", "≥ {}"),
        ("maximum", "≤ {}"),
        ("max_length", "at most {} characters"),
        ("max_items", "at most {} items"),
        ("default", "default `{}`"),
    ):
        if key in param:
            rules.append(words.format(param[key]))
    if param.get("nullable"):
        rules.append("may be null")
    if param.get("deprecated"):
        rules.append("deprecated")
    rules += [_rule_text(rule) for rule in param.get("constraints", [])]
    return "; ".join(rules)


def _param_rows(params: dict[str, Any], prefix: str = "") -> list[str]:
    rows = []
    for name, param in params.items():
        path = prefix + name
        rows.append(
            f"| `{_cell(path)}` | `{_cell(param['type'])}` | {'yes' if param.get('required') else ''} | "
            f"{_cell(param.get('summary', ''))} | {_cell(_rules(param))} |"
        )
        rows += _param_rows(param.get("properties", {}), path + ".")
        if "items" in param:
            rows += _param_rows(param["items"].get("properties", {}), path + "[].")
        if "values" in param:
            rows += _param_rows(param["values"].get("properties", {}), path + ".<key>.")
    return rows


def _python_call(spec: SpecFile, request: dict[str, Any]) -> str:
    attrs = ".".join(python_name(part) for part in path_of(spec.method_id))
    keywords = {name.lower(): python_name(name) for name in spec.data["params"]}
    if all(str(name).lower() in keywords for name in request):
        arguments = ", ".join(f"{keywords[str(name).lower()]}={value!r}" for name, value in request.items())
        return f"b24.{attrs}({arguments})"
    version = ", api_version=3" if spec.data.get("api_version", 2) == 3 else ""
    return f"b24.call({spec.data['method']!r}, {request!r}{version})"


def method_section(spec: SpecFile) -> str:
    data = spec.data
    version = data.get("api_version", 2)
    lines = [f"## {data['method']}{' (REST v3)' if version == 3 else ''}", "", data.get("summary") or data["title"], ""]
    scopes = data["scope"] if isinstance(data["scope"], list) else [data["scope"]]
    facts = [
        f"[Docs page]({docs_url(data['docs'])})",
        f"scope `{', '.join(scopes)}`",
        "read-only, retried on transient failures" if data["idempotent"] else "changes state, never repeated once sent",
    ]
    if data.get("pagination", {}).get("style", "none") != "none":
        facts.append(f"paged ({data['pagination']['style']})")
    lines += [" · ".join(facts), ""]
    if "deprecated" in data:
        replacement = data["deprecated"].get("replacement")
        lines += [
            f'!!! warning "Deprecated{f": use {replacement}" if replacement else ""}"',
            f"    {data['deprecated']['reason']}",
            "",
        ]
    if data["params"]:
        lines += [
            "| Parameter | Type | Required | Meaning | Rules |",
            "| --- | --- | --- | --- | --- |",
            *_param_rows(data["params"]),
            "",
        ]
    else:
        lines += ["No parameters.", ""]
    if data.get("constraints"):
        lines += ["**Rules:** " + "; ".join(_rule_text(rule) for rule in data["constraints"]) + ".", ""]
    if data["errors"]:
        lines += ["| Error | HTTP | Meaning |", "| --- | --- | --- |"]
        lines += [
            f"| `{_cell(error['code'] or '(empty)')}` | {error['status']} | {_cell(error.get('summary', ''))} |"
            for error in data["errors"]
        ]
        lines.append("")
    example = next((e for e in data.get("examples", []) if e["response"]["status"] == 200 and "request" in e), None)
    request = example["request"] if example else {}
    lines += [
        "```python",
        _python_call(spec, request),
        "```",
        "",
        "```sh",
        f"b24 call {data['method']}{' --v3' if version == 3 else ''} --json '{json.dumps(request, ensure_ascii=False)}'",
        "```",
        "",
    ]
    if example:
        lines += [
            f'??? example "Reply ({example["name"]})"',
            "    ```json",
            *("    " + line for line in _json(example["response"]["body"]).splitlines()),
            "    ```",
            "",
        ]
    return "\n".join(lines)


def _page_links(text: str, pages: dict[str, str]) -> str:
    """Links to files the site has become site links; links to repository files become code."""

    def replace(match: re.Match[str]) -> str:
        label, target, anchor = match.group(1), match.group(2), match.group(3) or ""
        if "://" in target:
            return match.group(0)
        if target in pages:
            return f"[{label}]({pages[target]}{anchor})"
        return f"{label} (`{target}`)"

    return _LINK.sub(replace, text)


def write_sources(out: Path) -> int:
    tree = load_tree()
    problems, _ = drop_failing_drafts(tree)
    if problems:
        raise SystemExit("\n".join(problems))
    if out.exists():
        shutil.rmtree(out)
    source = out / "src"
    (source / "api").mkdir(parents=True)
    (source / "guides").mkdir()
    groups: dict[str, list[SpecFile]] = defaultdict(list)
    for method_id in sorted(tree.specs):
        groups[group_of(method_id)].append(tree.specs[method_id])
    for group, specs in sorted(groups.items()):
        title = "REST v3" if group == "v3" else f"{group}.*"
        header = [f"# {title}", "", f"{len(specs)} method{'s' if len(specs) != 1 else ''}.", ""]
        (source / "api" / f"{group}.md").write_text("\n".join(header) + "\n".join(map(method_section, specs)), encoding="utf-8")
    pages = {f"docs/{name}": f"guides/{name}" for name in GUIDES} | {name: name for name in GUIDES}
    for name in GUIDES:
        text = (REPO / "docs" / name).read_text(encoding="utf-8")
        (source / "guides" / name).write_text(_page_links(text, {k: "../" + v for k, v in pages.items()}), encoding="utf-8")
    readme = _page_links((REPO / "README.md").read_text(encoding="utf-8"), pages)
    listing = "\n".join(
        f"- [{'REST v3' if group == 'v3' else group + '.*'}](api/{group}.md): {len(specs)}"
        for group, specs in sorted(groups.items())
    )
    (source / "index.md").write_text(readme + f"\n\n## API reference\n\n{listing}\n", encoding="utf-8")
    nav = [
        {"Home": "index.md"},
        {"Guides": [{title: f"guides/{name}"} for name, title in GUIDES.items()]},
        {"API reference": [{("REST v3" if group == "v3" else group): f"api/{group}.md"} for group in sorted(groups)]},
    ]
    config = {
        "site_name": "b24client",
        "docs_dir": "src",
        "site_dir": "site",
        "use_directory_urls": False,
        "theme": {"name": "material", "features": ["navigation.sections", "search.highlight", "content.code.copy"]},
        "plugins": ["search"],
        "markdown_extensions": ["admonition", "pymdownx.details", "pymdownx.superfences", "tables", "toc"],
        "nav": nav,
    }
    (out / "mkdocs.yml").write_text(json.dumps(config, indent=1), encoding="utf-8")  # JSON is YAML
    return len(tree.specs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.site", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build" / "docs")
    args = parser.parse_args(argv)
    count = write_sources(args.out)
    print(f"{args.out}: pages for {count} methods", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
