"""Which API changes break a caller of the generated client: the one table that decides.

Every change the comparison finds has a kind, and each kind has exactly one verdict here,
with the reason a caller would notice. Where a verdict depends on direction (a type that
now takes more values, or fewer), the directions are separate kinds. The table is rendered
into docs/api-diff.md (`python -m codegen diff --rules`), and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    kind: str
    group: str  # method, parameter, result, error or pagination
    breaking: bool
    when: str  # what changed, in reviewer's words
    why: str  # what a caller of the generated client sees


RULES: tuple[Rule, ...] = (
    # methods
    Rule("method_added", "method", False, "a method is new", "nothing existing changes"),
    Rule(
        "method_removed",
        "method",
        True,
        "a method is gone",
        "its client function is gone: calls fail type checks and raise AttributeError",
    ),
    Rule(
        "method_deprecated",
        "method",
        False,
        "the docs now mark a method outdated",
        "it still works; plan the move to the replacement",
    ),
    Rule("method_undeprecated", "method", False, "a deprecation mark is lifted", "nothing to do"),
    Rule(
        "twin_added",
        "method",
        False,
        "a REST v3 twin (`<name>@v3`) of a v2 method is new",
        "the v2 call is untouched; the v3 one is an extra choice",
    ),
    Rule(
        "twin_removed",
        "method",
        True,
        "a REST v3 twin (`<name>@v3`) is gone",
        "calls of the v3 function fail type checks and raise AttributeError",
    ),
    Rule(
        "idempotency_changed",
        "method",
        False,
        "a method is now read-only or now changes state",
        "only the retry policy follows: a state-changing call is no longer repeated after a fault",
    ),
    Rule(
        "batch_refused", "method", True, "a method is now refused inside `batch`", "batches holding it are refused before sending"
    ),
    Rule("batch_allowed", "method", False, "a method refused inside `batch` is now allowed there", "batches may now hold it"),
    # parameters (nested paths read `FIELDS.SIZE.W`, `ROWS[].ID`, `CODES{}.DEFAULT`)
    Rule("param_added_optional", "parameter", False, "an optional parameter is new", "existing calls are unaffected"),
    Rule(
        "param_added_required",
        "parameter",
        True,
        "a required parameter is new",
        "existing calls lack it and are refused before sending",
    ),
    Rule(
        "param_removed",
        "parameter",
        True,
        "a parameter is gone",
        "callers passing it as a keyword fail type checks, and the portal ignores it",
    ),
    Rule(
        "param_became_required",
        "parameter",
        True,
        "an optional parameter is now required",
        "calls that omit it are refused before sending",
    ),
    Rule("param_became_optional", "parameter", False, "a required parameter is now optional", "existing calls pass"),
    Rule(
        "param_type_widened", "parameter", False, "a parameter accepts every value it did and more", "existing values still pass"
    ),
    Rule(
        "param_type_narrowed",
        "parameter",
        True,
        "a parameter accepts only some of the values it did",
        "some existing values are now refused",
    ),
    Rule(
        "param_type_changed",
        "parameter",
        True,
        "a parameter's type changed to one neither wider nor narrower",
        "some existing values are now refused",
    ),
    Rule("enum_value_added", "parameter", False, "an allowed value is new", "existing values still pass"),
    Rule("enum_value_removed", "parameter", True, "an allowed value is gone", "calls using it are refused"),
    Rule(
        "enum_added",
        "parameter",
        True,
        "a parameter that took any value now takes a listed set",
        "values outside the list are refused",
    ),
    Rule(
        "enum_dropped", "parameter", False, "a parameter no longer restricts its values to a list", "existing values still pass"
    ),
    Rule(
        "param_deprecated",
        "parameter",
        False,
        "the docs now discourage a parameter",
        "the portal still takes it; plan to stop sending it",
    ),
    Rule(
        "constraint_added",
        "parameter",
        True,
        "a rule between parameters or a bound is new",
        "calls that break it are refused before sending",
    ),
    Rule("constraint_dropped", "parameter", False, "a rule between parameters or a bound is gone", "calls it refused now pass"),
    Rule(
        "bound_tightened",
        "parameter",
        True,
        "a minimum rose, or a maximum, max_length or max_items fell",
        "values near the old limit are refused",
    ),
    Rule("bound_loosened", "parameter", False, "a bound now admits more values", "existing values still pass"),
    Rule(
        "precedence_changed",
        "parameter",
        False,
        "a precedence rule (which of several wins) is new, gone or reordered",
        "never an error; only the documented outcome changes",
    ),
    # results (paths inside `result`: `items[].id`; `result` is the member itself)
    Rule("result_field_added", "result", False, "the result gains a field", "readers ignore what they do not use"),
    Rule(
        "result_field_removed",
        "result",
        True,
        "the result loses a field",
        "code reading it gets KeyError, and the typed model no longer has it",
    ),
    Rule(
        "result_type_narrowed",
        "result",
        False,
        "a result field holds only some of the kinds it did",
        "every value still has a kind the caller handles",
    ),
    Rule(
        "result_type_widened",
        "result",
        True,
        "a result field may hold kinds it did not",
        "callers can receive a value of a kind they do not handle",
    ),
    Rule(
        "result_type_changed",
        "result",
        True,
        "a result field's type changed to one neither wider nor narrower",
        "callers receive values of a kind they do not handle",
    ),
    Rule(
        "result_field_became_optional",
        "result",
        True,
        "a field the result always had may now be absent",
        "code indexing it can get KeyError",
    ),
    Rule(
        "result_field_became_required",
        "result",
        False,
        "a field that could be absent is now always there",
        "existing checks for its absence are merely unnecessary",
    ),
    # errors
    Rule(
        "error_added",
        "error",
        False,
        "a method documents a new error code, raising the class it raised before or a subclass of that base",
        "`except` clauses that caught it still do",
    ),
    Rule(
        "error_removed",
        "error",
        False,
        "a method no longer documents an error code the shared code table still maps to the same class",
        "the same exception is raised",
    ),
    Rule(
        "error_class_removed",
        "error",
        True,
        "an error code's class is no longer generated by any method",
        "`from b24client.errors import ...` of it fails",
    ),
    Rule(
        "error_status_changed",
        "error",
        False,
        "an error code is documented with another HTTP status, same class",
        "the same exception is raised; its `status` differs",
    ),
    Rule(
        "error_class_changed",
        "error",
        True,
        "an error code now raises a different exception class (also when "
        "its entry is gone and the code table or the status picks another)",
        "`except` clauses naming the old class no longer catch it",
    ),
    Rule(
        "error_base_changed",
        "error",
        True,
        "an error code's class now derives from another base class",
        "`except` clauses naming the old base class no longer catch it",
    ),
    Rule(
        "error_base_specialised",
        "error",
        False,
        "an error code's class now derives from a subclass of its old base (ApiError → InvalidRequestError)",
        "`except` clauses naming the old base still catch it",
    ),
    # pagination (what iterate() and the export strategies do with the method)
    Rule(
        "pagination_style_improved",
        "pagination",
        False,
        "paging style changes so iterate() handles more (to `offset`, or from `page` to `none`)",
        "iterate() now pages where it called once, or works where it refused",
    ),
    Rule(
        "pagination_style_changed",
        "pagination",
        True,
        "paging style changes so iterate() handles less (from `offset`, or to `page`)",
        "iterate() stops after the first page or refuses the method",
    ),
    Rule(
        "pagination_items_moved",
        "pagination",
        True,
        "the records sit at another path inside `result`",
        "iterate() and code reading the list find them elsewhere",
    ),
    Rule(
        "pagination_cursor_lost",
        "pagination",
        True,
        "`id_field` or `no_count` is gone",
        "strategy='cursor' and 'partitioned' are refused; 'auto' falls back to slower offsets",
    ),
    Rule(
        "pagination_cursor_gained",
        "pagination",
        False,
        "`id_field` and `no_count` now allow id cursors",
        "strategy='auto' exports faster",
    ),
    Rule(
        "pagination_page_size_changed",
        "pagination",
        False,
        "records per page changed",
        "iterate() adapts; only the number of requests differs",
    ),
)

RULES_BY_KIND: dict[str, Rule] = {rule.kind: rule for rule in RULES}


def rules_markdown() -> str:
    """The table as it appears in docs/api-diff.md."""
    lines = ["| change | kind | verdict | why (for a caller of the generated client) |", "| --- | --- | --- | --- |"]
    for rule in RULES:
        verdict = "**breaking**" if rule.breaking else "compatible"
        lines.append(f"| {rule.when} | `{rule.kind}` | {verdict} | {rule.why} |")
    return "\n".join(lines) + "\n"
