"""The `batch` method (settings/how-to-call-rest-api/batch.md).

Up to 50 commands run in order inside one HTTP request; each is `method?query` (the query
PHP-encoded) or, as SDKs send it, `{"method": ..., "params": {...}}`. A command may use
`$result[label][field]...` to take a value from an earlier command's result. Results come
back keyed by label in result, result_error, result_total, result_next and result_time,
each rendered as PHP renders arrays (`[]` when empty, a list for labels 0..n-1).

The outer batch is not accounted in operating time; each command is, on its own method
(limits.md). Choices where the docs leave room, also listed in docs/emulator.md:

* more than 50 commands: the whole batch answers 400 ERROR_BATCH_LENGTH_EXCEEDED (the
  error table) rather than failing only the extra commands;
* a command naming `batch` (or a method whose spec says batchable: false) fails alone
  with ERROR_BATCH_METHOD_NOT_ALLOWED;
* a reference to a missing label or field becomes an empty string.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .protocol import decode_query, php_array

MAX_COMMANDS = 50
_REFERENCE = re.compile(r"\$result\[([^\[\]]*)\]((?:\[[^\[\]]*\])*)")


@dataclass
class CommandOutcome:
    """What running one command produced (filled in by the portal)."""

    ok: bool
    result: Any = None
    error: Any = None  # {"error": ..., "error_description": ...}
    total: int | None = None
    next: int | None = None
    time: dict[str, Any] | None = None


Runner = Callable[[str, dict[str, Any]], CommandOutcome]


class BatchError(Exception):
    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "y", "true", "yes")
    return bool(value)


def parse_commands(cmd: Any) -> list[tuple[str, Any]]:
    """Labels and commands in order; `cmd` is a dict (labels) or a list (labels 0..n-1)."""
    if isinstance(cmd, list):
        return [(str(index), command) for index, command in enumerate(cmd)]
    if isinstance(cmd, Mapping):
        return [(str(label), command) for label, command in cmd.items()]
    raise BatchError(400, "ERROR_BATCH_EMPTY", "cmd must be an object or an array of commands")


def split_command(command: Any) -> tuple[str, dict[str, Any]]:
    """`crm.deal.list?start=-1` → ("crm.deal.list", {"start": "-1"}); SDK dicts pass through."""
    if isinstance(command, Mapping):
        params = command.get("params") or {}
        return str(command.get("method", "")), dict(params) if isinstance(params, Mapping) else {}
    text = str(command)
    method, _, query = text.partition("?")
    return method.strip(), decode_query(query)


def _lookup(results: Mapping[str, Any], label: str, path: str) -> Any:
    value: Any = results.get(label, "")
    for key in re.findall(r"\[([^\[\]]*)\]", path):
        if isinstance(value, Mapping):
            value = value.get(key, "")
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return ""
    return value


def substitute(value: Any, results: Mapping[str, Any]) -> Any:
    """Replace `$result[...]` references in every string of a parameter tree."""
    if isinstance(value, Mapping):
        return {key: substitute(item, results) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, results) for item in value]
    if not isinstance(value, str) or "$result[" not in value:
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:  # a value that is exactly one reference keeps its type (lists, numbers)
        return _lookup(results, whole.group(1), whole.group(2))
    return _REFERENCE.sub(lambda m: _scalar_text(_lookup(results, m.group(1), m.group(2))), value)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    if value is None or isinstance(value, Mapping | list):
        return ""
    return str(value)


def run_batch(params: Mapping[str, Any], run: Runner) -> dict[str, Any]:
    """Run every command through `run(method, params)` and assemble batch's result."""
    commands = parse_commands(params.get("cmd"))
    if len(commands) > MAX_COMMANDS:
        raise BatchError(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded")
    halt = truthy(params.get("halt", False))
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    totals: dict[str, Any] = {}
    nexts: dict[str, Any] = {}
    times: dict[str, Any] = {}
    for label, command in commands:
        method, command_params = split_command(command)
        outcome = run(method, substitute(command_params, results))
        if outcome.ok:
            results[label] = outcome.result
            if outcome.total is not None:
                totals[label] = outcome.total
            if outcome.next is not None:
                nexts[label] = outcome.next
            if outcome.time is not None:  # failed commands have no time entry (batch.md's error examples)
                times[label] = outcome.time
        else:
            errors[label] = outcome.error
        if halt and not outcome.ok:
            break
    return {
        "result": php_array(results),
        "result_error": php_array(errors),
        "result_total": php_array(totals),
        "result_next": php_array(nexts),
        "result_time": php_array(times),
    }
