"""Render the checked spec tree into files: {relative path: text}.

Nothing here touches the repository; `codegen.__main__` decides whether the files are
written (generate) or compared (check). Iteration is always in sorted order, so the same
specs give the same bytes.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from b24client.runtime.batch import BatchError
from b24client.runtime.exceptions import CATEGORY_BASES, PUBLIC_ERRORS, ApiError, UnknownParameterWarning
from b24client.runtime.specs import Example

from .compile import compile_example, compile_spec, error_classes, module_names
from .events.load import EventTree
from .events.render import render_events
from .load import SpecFile, SpecTree
from .models import render_models
from .naming import docs_url, method_pascal, pascal, python_name, snake
from .pytypes import HintBuilder
from .testcases import ErrorCase, ErrorFacts, MethodCases, build_cases
from .typeexpr import TypeRegistry

TEMPLATES = Path(__file__).resolve().parent / "templates"
PACKAGE = "generated/b24client"
VERSION = "0.1.0"
# Class names of the runtime that generated errors.py imports, all from b24client.runtime:
# the category bases a generated class derives from (None: no category), and the rest of
# what `b24client.errors` re-exports. Read from the classes, so a renamed or added base
# cannot be missed here.
_BASES: dict[str | None, str] = {
    **{category: base.__name__ for category, base in CATEGORY_BASES.items()},
    None: ApiError.__name__,
}
_RUNTIME_EXPORTS = sorted([*(error.__name__ for error in PUBLIC_ERRORS), UnknownParameterWarning.__name__])


def pyliteral(value: Any) -> str:
    """A Python literal with dict keys sorted, so output does not depend on YAML key order."""
    if isinstance(value, dict):
        items = ", ".join(f"{pyliteral(key)}: {pyliteral(value[key])}" for key in sorted(value, key=str))
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(pyliteral(item) for item in value) + "]"
    if isinstance(value, str | int | float | bool) or value is None:
        return repr(value)
    raise TypeError(f"cannot render {type(value).__name__} as a literal")


def example_file(source: str, example: Example) -> str:
    """One method's example as JSON package data, keys sorted so the same spec gives the same bytes."""
    generated_by = f"codegen from {source}. Do not edit: change the spec and run `make generate`."
    document = {"x-generated-by": generated_by, "example": example}
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ": ")) + "\n"


def docstring(text: str, indent: int = 0) -> str:
    """Text safe inside a triple-quoted docstring, continuation lines indented."""
    safe = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').rstrip()
    if safe.endswith('"'):
        safe += " "
    pad = " " * indent
    lines = safe.split("\n")
    body = "\n".join([lines[0]] + [(pad + line) if line else "" for line in lines[1:]])
    return body + (f"\n{pad}" if len(lines) > 1 else "")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - Python, not HTML
    )
    env.filters["pyrepr"] = repr
    env.filters["docstring"] = docstring
    return env


def group_of(method_id: str) -> str:
    method, _, version = method_id.partition("@")
    return version or method.split(".", 1)[0]


def path_of(method_id: str) -> list[str]:
    method, _, version = method_id.partition("@")
    return ([version] if version else []) + method.split(".")


def _rule_text(rule: dict[str, Any]) -> str:
    names = ", ".join(rule["params"])
    phrases = {
        "at_least_one_of": f"at least one of {names}",
        "exactly_one_of": f"exactly one of {names}",
        "mutually_exclusive": f"at most one of {names}",
        "precedence": f"when several of {names} are given, the first wins",
    }
    if rule["rule"] in phrases:
        return phrases[rule["rule"]]
    when = rule["when"]
    condition = next(f"{when['param']} {key} {when[key]!r}" for key in ("equals", "in", "present") if key in when)
    verb = "required" if rule["rule"] == "required_if" else "forbidden"
    return f"{names} {verb} if {condition}"


def _args_doc(data: dict[str, Any], hints: dict[str, str]) -> list[str]:
    """The keyword arguments as help() and IDE hovers show them: `**params: Unpack[...]` names
    none, so the docstring lists each with its hint, the wire name it is sent as, the rules
    that need it, and our summary where the spec has one."""
    lines = []
    for wire, param in data["params"].items():
        kwarg = python_name(wire)
        facts = [hints[kwarg], "required" if param.get("required") else "optional"]
        if kwarg != wire:
            facts.append(f"sent as {wire}")
        summary = f": {param['summary']}" if param.get("summary") else ""
        lines.append(f"    {kwarg} ({', '.join(facts)}){summary}")
    return ["Args:", *lines, ""] if lines else ["Takes no arguments.", ""]


def method_doc(spec: SpecFile, hints: dict[str, str]) -> str:
    data = spec.data
    lines = [data.get("summary") or data["title"], ""]
    lines += _args_doc(data, hints)
    rules = [_rule_text(rule) for rule in data.get("constraints", [])]
    if rules:
        lines += ["Rules: " + "; ".join(rules) + ".", ""]
    if "deprecated" in data:
        replacement = data["deprecated"].get("replacement")
        lines += ["Deprecated" + (f" (use {replacement})" if replacement else "") + ": " + data["deprecated"]["reason"], ""]
    if data.get("result", {}).get("summary"):
        lines += ["Returns: " + data["result"]["summary"], ""]
    lines += [
        f"REST method: {data['method']}",
        f"Docs: {docs_url(data['docs'])}",
        f"Spec: {spec.source_label} (in the b24client repository)",
    ]
    return "\n".join(lines)


@dataclass
class MethodInfo:
    method_id: str
    params_class: str
    result_class: str
    doc: str


@dataclass
class Node:
    path: tuple[str, ...]
    children: dict[str, Node] = field(default_factory=dict)
    method: MethodInfo | None = None

    @property
    def class_name(self) -> str:
        return "".join(pascal(part) for part in self.path) + "Namespace"

    @property
    def label(self) -> str:
        return ".".join(self.path)

    @property
    def attr(self) -> str:
        return python_name(self.path[-1])

    @property
    def sorted_children(self) -> list[Node]:
        return [self.children[name] for name in sorted(self.children)]

    @property
    def is_namespace(self) -> bool:
        return bool(self.children)

    def walk(self) -> Iterable[Node]:
        yield self
        for name in sorted(self.children):
            yield from self.children[name].walk()


def build_tree(group: str, methods: dict[str, MethodInfo]) -> tuple[Node, list[str]]:
    root = Node((group,))
    problems = []
    for method_id in sorted(methods):
        node = root
        for part in path_of(method_id)[1:]:
            key = python_name(part)
            child = node.children.setdefault(key, Node((*node.path, part)))
            if child.path[-1] != part:
                problems.append(f"{method_id}: path segment {part!r} clashes with {child.label!r} as {key!r}")
            node = child
        node.method = methods[method_id]
    return root, problems


@dataclass
class Rendered:
    files: dict[str, str]
    problems: list[str]
    #: Test cases that could not be built honestly (see codegen/testcases.py), one line each.
    cases_left_out: list[str] = field(default_factory=list)


def render(tree: SpecTree, events: EventTree | None = None) -> Rendered:
    env = environment()
    registry = TypeRegistry(tree.types)
    files: dict[str, str] = {}
    modules, problems = module_names(tree)
    classes, by_code, class_problems = error_classes(tree)
    error_facts = ErrorFacts.of(tree.system_errors, classes)
    problems += class_problems

    def emit(path: str, template: str, source: str, **context: Any) -> None:
        files[path] = env.get_template(template).render(source=source, **context)

    compiled = {method_id: compile_spec(spec, registry) for method_id, spec in tree.specs.items()}
    for method_id, spec in tree.specs.items():
        emit(
            f"{PACKAGE}/_specs/{modules[method_id]}.py",
            "spec_module.py.j2",
            spec.source_label,
            method_id=method_id,
            literal=pyliteral(compiled[method_id]),
        )
        example = compile_example(spec)
        if example is not None:  # JSON has no comments: the file names its spec in a key
            files[f"{PACKAGE}/_examples/{modules[method_id]}.json"] = example_file(spec.source_label, example)
    emit(f"{PACKAGE}/_specs/__init__.py", "index.py.j2", "every spec under spec/", method_ids=sorted(modules))
    emit(
        f"{PACKAGE}/errors.py",
        "errors.py.j2",
        "spec/system-errors.yaml and the errors of every spec",
        classes=classes,
        bases=_BASES,
        by_code=sorted(by_code.items()),
        runtime_exports=_RUNTIME_EXPORTS,
        batch_error=BatchError.__name__,
        exported=sorted([*_RUNTIME_EXPORTS, BatchError.__name__, *(c.name for c in classes)]),
    )

    grouped: dict[str, dict[str, SpecFile]] = defaultdict(dict)
    for method_id, spec in tree.specs.items():
        grouped[group_of(method_id)][method_id] = spec
    left_out: list[str] = []
    groups = []
    model_jobs: list[tuple[str, dict[str, Any], str, str]] = []
    for group in sorted(grouped):
        module = snake(group)
        group_problems, job = _render_group(env, files, registry, group, module, grouped[group])
        problems += group_problems
        model_jobs.append(job)
        cases = [
            build_cases(spec, compiled[mid], [python_name(p) for p in path_of(mid)], error_facts)
            for mid, spec in grouped[group].items()
        ]
        _render_tests(env, files, group, module, cases)
        left_out += [f"{case.method_id}: {reason}" for case in cases for reason in case.skipped]
        groups.append({"module": module, "attr": python_name(group), "class_name": pascal(group) + "Namespace"})
    files.update(_render_all_models(model_jobs))
    for is_async, name, api, prefix in ((False, "client", "api", ""), (True, "async_client", "api_async", "Async")):
        emit(
            f"{PACKAGE}/{name}.py",
            "client.py.j2",
            "the method groups of every spec",
            groups=groups,
            is_async=is_async,
            api=api,
            prefix=prefix,
        )
    if events is not None:
        files.update(render_events(env, events, registry))
    emit(f"{PACKAGE}/__init__.py", "package_init.py.j2", "codegen/templates/package_init.py.j2", version=VERSION)
    files["tests/generated/__init__.py"] = "# Generated by codegen. Do not edit.\n"
    # PEP 561 marker: users' type checkers read the package's types (a comment only; never "partial")
    files[f"{PACKAGE}/py.typed"] = "# Generated by codegen: the package ships its types. Do not edit.\n"
    for folder in ("api", "api_async", "params", "models"):
        files[f"{PACKAGE}/{folder}/__init__.py"] = f'# Generated by codegen. Do not edit.\n"""Generated {folder}."""\n'
    return Rendered(files, problems, left_out)


def _model_job(job: tuple[str, dict[str, Any], str, str]) -> tuple[str, str]:
    path, schemas, header, doc = job
    return path, render_models(schemas, header=header, doc=doc)


def _render_all_models(jobs: list[tuple[str, dict[str, Any], str, str]]) -> dict[str, str]:
    """datamodel-code-generator is most of the generator's time; groups run on every core."""
    ordered = sorted(jobs, key=lambda job: -len(job[1]))  # biggest first balances the workers
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1 or sum(len(job[1]) for job in jobs) < 200:  # a pool costs more than it saves
        return dict(map(_model_job, ordered))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(_model_job, ordered))


def _render_group(
    env: jinja2.Environment, files: dict[str, str], registry: TypeRegistry, group: str, module: str, specs: dict[str, SpecFile]
) -> tuple[list[str], tuple[str, dict[str, Any], str, str]]:
    source = f"spec/*/{group}.*.yaml" if group != "v3" else "spec/*/*@v3.yaml"
    hints = HintBuilder(registry, reserved={method_pascal(method_id) + "Params" for method_id in specs})
    infos = {}
    result_schemas = {}
    for method_id, spec in specs.items():
        base = method_pascal(method_id)
        key_names = {name: python_name(name) for name in spec.data["params"]}
        params_class = hints.typed_dict(
            base + "Params", spec.data["params"], functional=False, key_names=key_names, child_prefix=base
        )
        arg_hints = next({key: hint for key, hint, _ in d.fields} for d in hints.definitions if d.name == params_class)
        result_schemas[base + "Result"] = spec.data["result"]["schema"]
        infos[method_id] = MethodInfo(method_id, base + "Params", base + "Result", method_doc(spec, arg_hints))
    root, problems = build_tree(group, infos)
    nodes = list(root.walk())
    namespaces = [node for node in nodes if node.children or node is root]
    function = env.get_template("_function.j2").module.function  # type: ignore[attr-defined]
    for is_async, folder, prefix in ((False, "api", ""), (True, "api_async", "Async")):
        files[f"{PACKAGE}/{folder}/{module}.py"] = env.get_template("api_group.py.j2").render(
            source=source,
            group_label=f"{group}.*",
            module=module,
            nodes=namespaces,
            function=function,
            result_names=sorted(info.result_class for info in infos.values()),
            params_names=sorted(info.params_class for info in infos.values()),
            is_async=is_async,
            prefix=prefix,
        )
    files[f"{PACKAGE}/params/{module}.py"] = env.get_template("params_group.py.j2").render(
        source=source,
        group_label=f"{group}.*",
        definitions=hints.definitions,
    )
    header = env.get_template("_header.j2").render(source=source)
    return problems, (f"{PACKAGE}/models/{module}.py", result_schemas, header, f"Result types of the methods under `{group}.*`.")


def _param(*values: Any, id: str) -> str:
    return "pytest.param(" + ", ".join(pyliteral(value) for value in values) + f", id={id!r})"


def _error_param(method_id: str, params: dict[str, Any], case: ErrorCase) -> str:
    """A replayed error reply; a known disagreement of the generated class's base is a strict xfail."""
    values = ", ".join(pyliteral(value) for value in (method_id, params, case.status, case.body, case.class_name, case.base_name))
    marks = ""
    if case.known_base is not None:
        reason = f"the generated class sits under {case.known_base}, the entry documents {case.base_name}"
        marks = f", marks=pytest.mark.xfail(raises=check.BaseMismatch, strict=True, reason={reason!r})"
    return f"pytest.param({values}{marks}, id={f'{method_id}/{case.name}'!r})"


def _table(rows: list[str]) -> str:
    return "[\n" + "".join(f"    {row},\n" for row in rows) + "]" if rows else ""


def _render_tests(env: jinja2.Environment, files: dict[str, str], group: str, module: str, cases: list[MethodCases]) -> None:
    source = f"spec/*/{group}.*.yaml" if group != "v3" else "spec/*/*@v3.yaml"
    examples, required, broken, wire, errors = [], [], [], [], []
    for case in sorted(cases, key=lambda c: c.method_id):
        mid = case.method_id
        examples += [_param(mid, request, id=f"{mid}/{name}") for name, request in case.examples]
        if case.base is not None:
            required += [
                _param(mid, {k: v for k, v in case.base.items() if k != name}, name, id=f"{mid}/{name}") for name in case.required
            ]
            required += [_param(mid, params, dotted, id=f"{mid}/{dotted}") for dotted, params in case.nested_required]
            broken += [_param(mid, params, rule, id=f"{mid}/{label}") for rule, label, params in case.broken]
        if case.wire is not None:
            wire.append(_param(mid, case.attr_path, case.wire["kwargs"], case.wire["body"], id=mid))
        errors += [_error_param(mid, case.base or {}, error) for error in case.errors]
    files[f"tests/generated/test_{module}.py"] = env.get_template("test_group.py.j2").render(
        source=source,
        group_label=f"{group}.*",
        examples=_table(examples),
        required=_table(required),
        broken=_table(broken),
        wire=_table(wire),
        errors=_table(errors),
    )
