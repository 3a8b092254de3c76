"""`b24 describe METHOD`: what a method takes, what it refuses, how to call it.

Everything comes from data the installed package already has: the compiled spec (types,
rules, errors, paging, the docs example) and the generated function's docstring (title
and docs link), so describing a method needs neither the spec tree nor the network.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator, Mapping
from typing import Any

from .. import specs

_PLACEHOLDER_WEBHOOK = "https://portal.invalid/rest/1/describe/"  # never called: only to walk the namespaces


def type_text(param: Mapping[str, Any]) -> str:
    return "|".join(kind + "[]" * depth for kind, depth in param["types"])


def rule_texts(param: Mapping[str, Any]) -> list[str]:
    """The checks on one parameter's own value, in words."""
    rules = []
    if "enum" in param:
        rules.append("one of " + ", ".join(json.dumps(option, ensure_ascii=False) for option in param["enum"]))
    if "minimum" in param:
        rules.append(f">= {param['minimum']}")
    if "maximum" in param:
        rules.append(f"<= {param['maximum']}")
    if "max_length" in param:
        rules.append(f"at most {param['max_length']} characters")
    if "max_items" in param:
        rules.append(f"at most {param['max_items']} items")
    if param.get("nullable"):
        rules.append("null allowed")
    if param.get("open"):
        rules.append("takes keys beyond those listed")
    rules += [constraint_text(constraint) for constraint in param.get("constraints", ())]
    return rules


def constraint_text(constraint: Mapping[str, Any]) -> str:
    names = ", ".join(constraint["params"])
    rule = constraint["rule"]
    simple = {
        "at_least_one_of": f"at least one of {names}",
        "exactly_one_of": f"exactly one of {names}",
        "mutually_exclusive": f"at most one of {names}",
        "precedence": f"if several of {names} are given, the first wins",
    }
    if rule in simple:
        return simple[rule]
    when = constraint["when"]
    if "present" in when:
        condition = f"{when['param']} is {'given' if when['present'] else 'absent'}"
    elif "equals" in when:
        condition = f"{when['param']} = {json.dumps(when['equals'], ensure_ascii=False)}"
    else:
        condition = f"{when['param']} in {json.dumps(when['in'], ensure_ascii=False)}"
    return f"{names} {'required' if rule == 'required_if' else 'forbidden'} when {condition}"


def parameter_rows(params: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str, str, str]]:
    """(path, type, required, rules) for every parameter, nested ones under their parent."""
    for name, param in params.items():
        path = prefix + name
        yield path, type_text(param), "yes" if param.get("required") else "", "; ".join(rule_texts(param))
        if "properties" in param:
            yield from parameter_rows(param["properties"], path + ".")
        if "items" in param:
            item = param["items"]
            yield f"{path}[]", type_text(item), "", "; ".join(rule_texts(item))
            yield from parameter_rows(item.get("properties", {}), path + "[].")
        if "values" in param:
            value = param["values"]
            yield f"{path}.<key>", type_text(value), "", "; ".join(rule_texts(value))
            yield from parameter_rows(value.get("properties", {}), path + ".<key>.")


def _matching_attribute(owner: object, part: str) -> str | None:
    wanted = part.replace("_", "").lower()
    for name in dir(type(owner)):
        if not name.startswith("_") and name.rstrip("_").replace("_", "").lower() == wanted:
            return name
    return None


def python_path(method_id: str) -> tuple[list[str], str | None]:
    """The attribute path of the generated function (`crm.deal.list`), and its docstring."""
    from b24client import Bitrix24

    method, _, version = method_id.partition("@")
    parts = ([version] if version else []) + method.split(".")
    node: object = Bitrix24(webhook=_PLACEHOLDER_WEBHOOK, rate_limit=False)
    names = []
    for part in parts:
        name = _matching_attribute(node, part)
        if name is None:
            return [], None
        names.append(name)
        node = getattr(node, name)
    return names, inspect.getdoc(node)


def doc_facts(doc: str | None) -> dict[str, str]:
    """Title, docs link and deprecation from a generated docstring."""
    if not doc:
        return {}
    lines = doc.splitlines()
    facts = {"title": lines[0]}
    for line in lines[1:]:
        key, sep, value = line.partition(": ")
        if sep and key in ("Docs", "Rules"):
            facts[key.lower()] = value
        elif line.startswith("Deprecated"):
            facts["deprecated"] = line
    return facts


def python_call(path: list[str], spec: Mapping[str, Any], request: Mapping[str, Any]) -> str:
    """The example as a call of the generated function, or of `b24.call` when a name is no keyword."""
    by_wire = {wire: keyword for keyword, wire in spec["kwargs"].items()}
    by_lower = {wire.lower(): keyword for wire, keyword in by_wire.items()} if spec["api_version"] == 2 else {}
    arguments = []
    for name, value in request.items():
        keyword = by_wire.get(name) or by_lower.get(str(name).lower())
        if keyword is None and spec["open_params"] and str(name).isidentifier():
            keyword = name
        if keyword is None:
            version = ", api_version=3" if spec["api_version"] == 3 else ""
            return f"b24.call({spec['method']!r}, {dict(request)!r}{version})"
        arguments.append(f"{keyword}={value!r}")
    return f"b24.{'.'.join(path)}({', '.join(arguments)})"


def _table(rows: list[tuple[str, ...]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def describe(method_id: str, spec: specs.MethodSpec) -> str:
    path, doc = python_path(method_id)
    facts = doc_facts(doc)
    version = spec["api_version"]
    lines = [f"{spec['method']} (REST v{version})" + (f": {facts['title']}" if "title" in facts else "")]
    if "docs" in facts:
        lines.append(f"  Docs: {facts['docs']}")
    if "deprecated" in facts:
        lines.append(f"  {facts['deprecated']}")
    lines.append(
        "  "
        + (
            "Reads only: retried on transient failures."
            if spec["idempotent"]
            else "Changes state: never repeated once the request may have reached the portal."
        )
    )
    if not spec["batchable"]:
        lines.append("  Refused inside batch.")
    paging = spec.get("pagination")
    if paging:
        page_size = paging.get("page_size")
        size = f", {page_size} per page" if page_size else ""
        lines.append(f"  Paged ({paging['style']}{size}): `b24 export {spec['method']}` reads every record.")
    lines += ["", "Parameters:" + ("" if spec["params"] else " none")]
    rows = list(parameter_rows(spec["params"]))
    if rows:
        lines += _table([("NAME", "TYPE", "REQUIRED", "RULES"), *rows])
    if spec["open_params"]:
        lines.append("  (takes parameters beyond those listed, e.g. UF_* fields)")
    if spec["constraints"]:
        lines += ["", "Rules:"] + [f"  - {constraint_text(constraint)}" for constraint in spec["constraints"]]
    lines += ["", "Errors (besides the system errors any method can return):"]
    if spec["errors"]:
        header: tuple[str, ...] = ("CODE", "STATUS", "CLASS", "WHEN THE DESCRIPTION MATCHES")
        lines += _table(
            [header]
            + [(error["code"] or '""', str(error["status"]), error["class"], error.get("match", "")) for error in spec["errors"]]
        )
    else:
        lines.append("  none documented")
    example = specs.example(method_id)  # stored apart from the spec: the call path never reads it
    request = example.get("request", {}) if example else {}
    lines += ["", "Example" + (f" ({example['name']})" if example else "") + ":"]
    version_flag = " --v3" if version == 3 else ""
    lines.append(f"  b24 call {spec['method']}{version_flag} --json '{json.dumps(request, ensure_ascii=False)}'")
    if path:
        lines.append(f"  {python_call(path, spec, request)}")
    if example:
        reply = json.dumps(example["response"]["body"].get("result"), ensure_ascii=False)
        lines.append(f"  result: {reply if len(reply) <= 300 else reply[:297] + '...'}")
    return "\n".join(lines) + "\n"
