"""Compare two effective spec trees method by method and list every API change.

Works on what `load_tree` builds (curated files over imported drafts plus overrides, list
parameters implied), because that is what the client is generated from: a change that an
override cancels out is no change for a caller. Each change gets its verdict from
`rules.RULES_BY_KIND`; nothing here decides what is breaking.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from b24client.runtime.exceptions import CATEGORY_BASES, ApiError, category_for_status

from ..compile import error_class_name, error_classes
from ..load import SpecTree
from ..typeexpr import TypeRegistry
from . import kinds
from .rules import RULES_BY_KIND, Rule


@dataclass(frozen=True)
class Change:
    method: str
    kind: str
    path: str  # parameter path, result field path or error code; "" for the method itself
    message: str  # one line for a reviewer, naming what changed and how
    old: Any = None
    new: Any = None

    @property
    def rule(self) -> Rule:
        return RULES_BY_KIND[self.kind]

    @property
    def breaking(self) -> bool:
        return self.rule.breaking

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "kind": self.kind,
            "group": self.rule.group,
            "breaking": self.breaking,
            "path": self.path,
            "message": self.message,
            "old": self.old,
            "new": self.new,
        }


@dataclass
class _Side:
    """One tree with what comparing it needs: type resolution and each error class's base."""

    tree: SpecTree
    registry: TypeRegistry = field(init=False)
    class_bases: dict[str, type[ApiError]] = field(init=False)
    by_code: dict[str, str] = field(init=False)  # the table shared by all methods, as the runtime uses it

    def __post_init__(self) -> None:
        self.registry = TypeRegistry(self.tree.types)
        classes, self.by_code, _ = error_classes(self.tree)
        self.class_bases = {error_class.name: CATEGORY_BASES.get(error_class.category or "", ApiError) for error_class in classes}


@dataclass(frozen=True)
class ApiDiff:
    changes: list[Change]
    methods_old: int
    methods_new: int
    edited_without_api_change: list[str]  # specs that differ only in examples, summaries, notes...
    retyped: list[tuple[str, str, str]]  # registry names whose kind moved: the cause of many type changes

    @property
    def breaking(self) -> int:
        return sum(change.breaking for change in self.changes)


def diff_trees(old_tree: SpecTree, new_tree: SpecTree) -> ApiDiff:
    old, new = _Side(old_tree), _Side(new_tree)
    changes: list[Change] = []
    quiet: list[str] = []
    same_types = old_tree.types == new_tree.types
    for method_id in sorted(set(old_tree.specs) | set(new_tree.specs)):
        twin = "@" in method_id and method_id.split("@")[0] in old_tree.specs and method_id.split("@")[0] in new_tree.specs
        if method_id not in new_tree.specs:
            kind, message = ("twin_removed", "REST v3 twin removed") if twin else ("method_removed", "method removed")
            changes.append(Change(method_id, kind, "", message))
        elif method_id not in old_tree.specs:
            kind, message = ("twin_added", "REST v3 twin added") if twin else ("method_added", "method added")
            changes.append(Change(method_id, kind, "", message))
        else:
            found = _MethodDiff(method_id, old, new, same_types).changes()
            if not found and old_tree.specs[method_id].data != new_tree.specs[method_id].data:
                quiet.append(method_id)
            changes += found
    return ApiDiff(changes, len(old_tree.specs), len(new_tree.specs), quiet, [] if same_types else _retyped(old, new))


def _retyped(old: _Side, new: _Side) -> list[tuple[str, str, str]]:
    """(name, old kind, new kind) for every type name both registries know under different kinds."""
    found = []
    for name in sorted(set(old.tree.types) & set(new.tree.types)):
        try:
            was, now = old.registry.kind_of(name), new.registry.kind_of(name)
        except KeyError:  # a broken registry entry; `codegen check` reports it
            continue
        if was != now:
            found.append((name, was, now))
    return found


class _MethodDiff:
    def __init__(self, method_id: str, old: _Side, new: _Side, same_types: bool) -> None:
        self.method_id, self.old, self.new, self.same_types = method_id, old, new, same_types
        self.old_data, self.new_data = old.tree.specs[method_id].data, new.tree.specs[method_id].data
        self.found: list[Change] = []

    def add(self, kind: str, path: str, message: str, old: Any = None, new: Any = None) -> None:
        self.found.append(Change(self.method_id, kind, path, message, old, new))

    def changes(self) -> list[Change]:
        if self.old_data != self.new_data or not self.same_types:  # a registry edit re-types unchanged specs
            self._method()
            self._params(self.old_data.get("params") or {}, self.new_data.get("params") or {}, "")
            self._constraints(self.old_data.get("constraints", []), self.new_data.get("constraints", []), "")
            self._result()
            self._pagination()
        self._errors()  # also when the spec is unchanged: a class's base follows every spec
        return self.found

    def _method(self) -> None:
        was, now = bool(self.old_data.get("deprecated")), bool(self.new_data.get("deprecated"))
        if now and not was:
            replacement = (self.new_data["deprecated"] or {}).get("replacement")
            self.add("method_deprecated", "", "deprecated" + (f"; use `{replacement}`" if replacement else ""), new=replacement)
        elif was and not now:
            self.add("method_undeprecated", "", "no longer deprecated")
        if self.old_data.get("idempotent") != self.new_data.get("idempotent"):
            now_idempotent = bool(self.new_data.get("idempotent"))
            self.add(
                "idempotency_changed",
                "",
                "now idempotent (retried after faults)" if now_idempotent else "now state-changing (never retried once sent)",
                bool(self.old_data.get("idempotent")),
                now_idempotent,
            )
        was_batchable, now_batchable = self.old_data.get("batchable", True), self.new_data.get("batchable", True)
        if was_batchable and not now_batchable:
            self.add("batch_refused", "", "refused inside batch")
        elif now_batchable and not was_batchable:
            self.add("batch_allowed", "", "now allowed inside batch")

    # parameters

    def _params(self, old: dict[str, Any], new: dict[str, Any], prefix: str) -> None:
        for name in sorted(set(old) | set(new)):
            path = prefix + name
            if name not in new:
                state = "required" if old[name].get("required") else "optional"
                self.add("param_removed", path, f"parameter `{path}` removed (was {state})")
            elif name not in old:
                if new[name].get("required"):
                    self.add("param_added_required", path, f"required parameter `{path}` added")
                else:
                    self.add("param_added_optional", path, f"optional parameter `{path}` added")
            else:
                self._param(old[name], new[name], path)

    def _param(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        if bool(old.get("required")) != bool(new.get("required")):
            if new.get("required"):
                self.add("param_became_required", path, f"parameter `{path}` is now required")
            else:
                self.add("param_became_optional", path, f"parameter `{path}` is now optional")
        old_type = kinds.param_type(old, self.old.registry)
        new_type = kinds.param_type(new, self.new.registry)
        verdict = kinds.compare(old_type, new_type)
        if verdict:
            was, now = kinds.describe(old_type), kinds.describe(new_type)
            self.add(f"param_type_{verdict}", path, f"parameter `{path}` type {verdict}: {was} → {now}", was, now)
        self._enum(old, new, path)
        self._bounds(old, new, path)
        if new.get("deprecated") and not old.get("deprecated"):
            self.add("param_deprecated", path, f"parameter `{path}` deprecated")
        self._params(old.get("properties") or {}, new.get("properties") or {}, path + ".")
        for key, suffix in (("items", "[]"), ("values", "{}")):
            if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
                self._param(old[key], new[key], path + suffix)
        self._constraints(old.get("constraints", []), new.get("constraints", []), path)

    def _enum(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        was, now = _enum_values(old), _enum_values(new)
        if was is None and now is not None:
            self.add("enum_added", path, f"parameter `{path}` now takes only {_listing(now)}", new=sorted(now, key=str))
        elif was is not None and now is None:
            self.add("enum_dropped", path, f"parameter `{path}` no longer limited to a list of values")
        elif was is not None and now is not None:
            for value in sorted(now - was, key=str):
                self.add("enum_value_added", path, f"parameter `{path}` accepts {value!r}", new=value)
            for value in sorted(was - now, key=str):
                self.add("enum_value_removed", path, f"parameter `{path}` no longer accepts {value!r}", old=value)

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        for bound in ("minimum", "maximum", "max_length", "max_items"):
            was, now = old.get(bound), new.get(bound)
            if was == now:
                continue
            if was is None:
                self.add("constraint_added", path, f"parameter `{path}`: {bound} {now} added", new=now)
            elif now is None:
                self.add("constraint_dropped", path, f"parameter `{path}`: {bound} {was} dropped", old=was)
            else:
                tighter = now > was if bound == "minimum" else now < was
                kind = "bound_tightened" if tighter else "bound_loosened"
                self.add(kind, path, f"parameter `{path}`: {bound} {was} → {now}", was, now)

    def _constraints(self, old: list[dict[str, Any]], new: list[dict[str, Any]], path: str) -> None:
        where = f" in `{path}`" if path else ""
        old_rules, new_rules = _canonical(old), _canonical(new)
        precedence_was = [r for r in old if r.get("rule") == "precedence"]
        precedence_now = [r for r in new if r.get("rule") == "precedence"]
        if precedence_was != precedence_now:
            self.add(
                "precedence_changed",
                path,
                f"precedence{where}: "
                f"{'; '.join(map(_rule_text, precedence_was)) or 'none'} → "
                f"{'; '.join(map(_rule_text, precedence_now)) or 'none'}",
            )
        for key in sorted(set(new_rules) - set(old_rules)):
            if new_rules[key].get("rule") != "precedence":
                self.add("constraint_added", path, f"rule added{where}: {_rule_text(new_rules[key])}", new=new_rules[key])
        for key in sorted(set(old_rules) - set(new_rules)):
            if old_rules[key].get("rule") != "precedence":
                self.add("constraint_dropped", path, f"rule dropped{where}: {_rule_text(old_rules[key])}", old=old_rules[key])

    # result

    def _result(self) -> None:
        old_fields = _result_fields(self.old_data.get("result", {}).get("schema") or {})
        new_fields = _result_fields(self.new_data.get("result", {}).get("schema") or {})
        for path in _outermost(set(new_fields) - set(old_fields)):
            self.add("result_field_added", path, f"result field `{path}` added")
        for path in _outermost(set(old_fields) - set(new_fields)):
            self.add("result_field_removed", path, f"result field `{path}` removed")
        for path in sorted(set(old_fields) & set(new_fields)):
            (old_types, old_required), (new_types, new_required) = old_fields[path], new_fields[path]
            label = f"result field `{path}`" if path else "`result`"
            verdict = kinds.compare_json_types(old_types, new_types)
            if verdict:
                was, now = "|".join(sorted(old_types)), "|".join(sorted(new_types))
                self.add(f"result_type_{verdict}", path, f"{label} type {verdict}: {was} → {now}", was, now)
            if old_required and not new_required:
                self.add("result_field_became_optional", path, f"{label} may now be absent")
            elif new_required and not old_required:
                self.add("result_field_became_required", path, f"{label} is now always present")

    # errors

    def _errors(self) -> None:
        old_entries, new_entries = _error_entries(self.old_data), _error_entries(self.new_data)
        for key in sorted(set(old_entries) | set(new_entries), key=lambda k: (k[0], k[1] or "")):
            code, match = key
            label = f"error `{code}`" + (f" (description matching `{match}`)" if match else "")
            if key not in new_entries:
                classes = sorted(old_entries[key][1])
                gone = [name for name in classes if name not in self.new.class_bases]
                if gone:
                    self.add("error_class_removed", code, f"{label} removed; class {_names(gone)} no longer generated", old=gone)
                else:
                    self._error_removed(code, label, old_entries[key][0], classes)
                continue
            if key not in old_entries:
                self._error_added(code, label, *new_entries[key])
                continue
            (old_statuses, old_classes), (new_statuses, new_classes) = old_entries[key], new_entries[key]
            if old_classes != new_classes:
                self.add(
                    "error_class_changed",
                    code,
                    f"{label} raises {_names(sorted(new_classes))} instead of {_names(sorted(old_classes))}",
                    sorted(old_classes),
                    sorted(new_classes),
                )
            else:
                for name in sorted(new_classes):
                    was, now = self.old.class_bases.get(name), self.new.class_bases.get(name)
                    if was and now and was is not now:
                        kind = "error_base_specialised" if issubclass(now, was) else "error_base_changed"
                        self.add(
                            kind,
                            code,
                            f"{label}: `{name}` now derives from {now.__name__} instead of {was.__name__}",
                            was.__name__,
                            now.__name__,
                        )
            if old_statuses != new_statuses:
                self.add(
                    "error_status_changed",
                    code,
                    f"{label} status {_statuses(old_statuses)} → {_statuses(new_statuses)}",
                    sorted(old_statuses),
                    sorted(new_statuses),
                )

    def _error_added(self, code: str, label: str, statuses: set[int], classes: set[str]) -> None:
        """Before, the reply was mapped by the shared code table or the status; a caller keeps
        catching it if the new class is that class, or derives from that base."""
        before = _fallback(self.old, code, statuses)
        candidates: list[type[ApiError]] = [ApiError, *CATEGORY_BASES.values()]
        bases = {base.__name__: base for base in candidates}
        kept = all(
            name == before
            or (before in bases and name in self.new.class_bases and issubclass(self.new.class_bases[name], bases[before]))
            for name in classes
        )
        if kept:
            self.add("error_added", code, f"{label} documented: raises {_names(sorted(classes))}", new=sorted(classes))
        else:
            self.add(
                "error_class_changed",
                code,
                f"{label} documented: raises {_names(sorted(classes))} instead of `{before}`",
                [before],
                sorted(classes),
            )

    def _error_removed(self, code: str, label: str, statuses: set[int], classes: list[str]) -> None:
        """Without the method's own entry the runtime maps the reply by the shared code table,
        then by status: the same class for a caller, or another one."""
        fallback = _fallback(self.new, code, statuses)
        if fallback in classes:
            self.add("error_removed", code, f"{label} no longer documented (still raises `{fallback}`)", old=classes)
        else:
            self.add(
                "error_class_changed",
                code,
                f"{label} no longer documented: raises `{fallback}` instead of {_names(classes)}",
                classes,
                [fallback],
            )

    # pagination

    def _pagination(self) -> None:
        old = self.old_data.get("pagination") or {}
        new = self.new_data.get("pagination") or {}
        was, now = old.get("style", "none"), new.get("style", "none")
        if was != now:
            worse = was == "offset" or now == "page"
            self.add(
                "pagination_style_changed" if worse else "pagination_style_improved", "", f"paging style {was} → {now}", was, now
            )
        if was != "offset" or now != "offset":
            return
        if (old.get("items") or "") != (new.get("items") or ""):
            self.add(
                "pagination_items_moved",
                "",
                f"records path in result `{old.get('items') or '(result)'}` → `{new.get('items') or '(result)'}`",
                old.get("items") or "",
                new.get("items") or "",
            )
        cursor_was, cursor_now = _cursor_ready(old), _cursor_ready(new)
        if cursor_was and not cursor_now:
            self.add("pagination_cursor_lost", "", "id cursors no longer possible (id_field or no_count gone)")
        elif cursor_now and not cursor_was:
            self.add("pagination_cursor_gained", "", f"id cursors on `{new['id_field']}` now possible")
        if old.get("page_size", 50) != new.get("page_size", 50):
            self.add(
                "pagination_page_size_changed",
                "",
                f"page size {old.get('page_size', 50)} → {new.get('page_size', 50)}",
                old.get("page_size", 50),
                new.get("page_size", 50),
            )


def _enum_values(param: dict[str, Any]) -> set[Any] | None:
    if "enum" not in param:
        return None
    return {item["value"] if isinstance(item, dict) else item for item in param["enum"]}


def _listing(values: set[Any]) -> str:
    shown = sorted(values, key=str)
    return ", ".join(repr(value) for value in shown[:8]) + (f" (+{len(shown) - 8} more)" if len(shown) > 8 else "")


def _canonical(rules: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {json.dumps(rule, sort_keys=True, default=str): rule for rule in rules}


_RULE_WORDS = {
    "at_least_one_of": "at least one of",
    "exactly_one_of": "exactly one of",
    "mutually_exclusive": "at most one of",
    "precedence": "first wins among",
}


def _rule_text(rule: dict[str, Any]) -> str:
    names = ", ".join(f"`{name}`" for name in rule.get("params", []))
    if rule.get("rule") in _RULE_WORDS:
        return f"{_RULE_WORDS[rule['rule']]} {names}"
    when = rule.get("when") or {}
    condition = (
        f"`{when.get('param')}` = {when['equals']!r}"
        if "equals" in when
        else f"`{when.get('param')}` in {when['in']!r}"
        if "in" in when
        else f"`{when.get('param')}` given"
    )
    verb = (
        "required"
        if rule.get("rule") == "required_if"
        else "forbidden"
        if rule.get("rule") == "forbidden_if"
        else str(rule.get("rule"))
    )
    return f"{names} {verb} when {condition}"


def _fallback(side: _Side, code: str, statuses: set[int]) -> str:
    """The class the runtime raises for a code the method does not document (b24client.runtime.errormap)."""
    status = min(statuses)
    return side.by_code.get(code) or CATEGORY_BASES.get(category_for_status(status) or "", ApiError).__name__


def _cursor_ready(pagination: dict[str, Any]) -> bool:
    return bool(pagination.get("id_field")) and bool(pagination.get("no_count"))


def _error_entries(data: dict[str, Any]) -> dict[tuple[str, str | None], tuple[set[int], set[str]]]:
    """(code, match) → (statuses, class names): one code may be listed once per status."""
    entries: dict[tuple[str, str | None], tuple[set[int], set[str]]] = defaultdict(lambda: (set(), set()))
    for error in data.get("errors", []):
        statuses, classes = entries[(str(error.get("code")), error.get("match"))]
        statuses.add(error.get("status", 0))
        classes.add(error_class_name(error))
    return dict(entries)


def _names(classes: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in classes)


def _statuses(statuses: set[int]) -> str:
    return "/".join(str(status) for status in sorted(statuses))


# result schemas


def _result_fields(schema: dict[str, Any]) -> dict[str, tuple[frozenset[str], bool]]:
    """Every field path inside the result (`items[].id`; "" is `result` itself) → (types, required)."""
    fields: dict[str, tuple[frozenset[str], bool]] = {}
    _walk(schema, schema, "", True, fields, ())
    return fields


def _resolve(schema: Any, root: dict[str, Any], seen: tuple[str, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/"):
        ref = schema["$ref"]
        if ref in seen:
            return {}, seen
        seen = (*seen, ref)
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = target
    return (schema if isinstance(schema, dict) else {}), seen


def _walk(
    schema: Any,
    root: dict[str, Any],
    path: str,
    required: bool,
    fields: dict[str, tuple[frozenset[str], bool]],
    seen: tuple[str, ...],
) -> None:
    schema, seen = _resolve(schema, root, seen)  # a $ref cycle resolves to {}: the walk ends there
    alternatives = [_resolve(alt, root, seen)[0] for key in ("anyOf", "oneOf", "allOf") for alt in schema.get(key, [])]
    types = kinds.schema_types(schema)
    if "type" not in schema and alternatives:
        types = frozenset().union(*(kinds.schema_types(alt) for alt in alternatives))
    elif "type" not in schema and "properties" in schema:
        types = frozenset({"object"})
    fields[path] = (types, required)
    for part in [schema, *alternatives]:
        own_required = set(part.get("required", [])) if isinstance(part.get("required"), list) else set()
        for name, sub in (part.get("properties") or {}).items():
            child = f"{path}.{name}" if path else name
            if child not in fields:
                _walk(sub, root, child, name in own_required, fields, seen)
        if isinstance(part.get("items"), dict) and f"{path}[]" not in fields:
            _walk(part["items"], root, f"{path}[]", True, fields, seen)
        if isinstance(part.get("additionalProperties"), dict) and f"{path}{{}}" not in fields:
            _walk(part["additionalProperties"], root, f"{path}{{}}", True, fields, seen)


def _outermost(paths: set[str]) -> list[str]:
    """Drop paths whose parent is in the set too: a removed object is one change, not one per field."""

    def parents(path: str) -> list[str]:
        found, current = [], path
        while current:
            cut = max(current.rfind("."), current.rfind("[]"), current.rfind("{}"))
            current = current[:cut] if cut > 0 else ""
            if current:
                found.append(current)
        return found

    return sorted(path for path in paths if not any(parent in paths for parent in parents(path)))
