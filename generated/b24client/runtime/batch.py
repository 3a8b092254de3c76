"""Many calls in few requests: `batch`, with validation, chunking, references and honest failures.

What the portal offers (settings/how-to-call-rest-api/batch.md): up to 50 commands per
HTTP request, each a `method?query` string, run in order; a command can use an earlier
one's result through `$result[label][field]`; `halt` stops at the first error. What
users need on top, and this module adds:

* every command checked against its spec before anything is sent, all problems at once;
* any number of commands: split into requests of 50, with references into an earlier
  request resolved here from the results we already hold;
* results keyed by the caller's labels. On the wire commands are named `c0`, `c1`, ...
  (caller labels can hold characters `$result[...]` cannot), and those names never reach
  the caller;
* a partial failure that says exactly what happened: which commands succeeded (with
  their results), which failed (each with the typed exception the same call made alone
  would raise), and which never ran;
* commands refused by a limit (they did not run) are sent again after the wait the rate
  limiter prescribes, unless a command that did run depended on them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Hashable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from . import phpquery, specs
from .callpath import CallPolicy, guess_idempotent
from .encoding import MAX_DEPTH, unsendable
from .errormap import error_class
from .exceptions import ApiError, Bitrix24Error, RateLimitError, ValidationError
from .ratelimit import BatchAware
from .response import Response, parse_count
from .validate import Problem, wire_params

if TYPE_CHECKING:
    from .core import CallCore

MAX_COMMANDS = 50
R = TypeVar("R", bound="Recorder")
Label = Hashable
Command = tuple[str, Mapping[str, Any] | None]

# Commands inside a batch report only `error` and `error_description`; the status the same
# call would have had alone is implied by the code.
_NESTED_STATUS = {
    "QUERY_LIMIT_EXCEEDED": 503,
    "OPERATION_TIME_LIMIT": 429,
    "ERROR_METHOD_NOT_FOUND": 404,
    "ERROR_BATCH_METHOD_NOT_ALLOWED": 405,
    "NO_AUTH_FOUND": 401,
    "expired_token": 401,
    "invalid_token": 401,
    "insufficient_scope": 403,
    "ACCESS_DENIED": 403,
    "INTERNAL_SERVER_ERROR": 500,
}


class Ref:
    """A value taken from an earlier command's result: `$result[label][key]...` on the wire.

    Made by indexing a command's handle: `deal = batch.call(...)`; `deal["ID"]`,
    `page[0]["ID"]`, `page["items"][49]["id"]`.
    """

    __slots__ = ("label", "path")

    def __init__(self, label: Label, path: tuple[Any, ...] = ()) -> None:
        self.label = label
        self.path = path

    def __getitem__(self, key: Any) -> Ref:
        return Ref(self.label, (*self.path, key))

    def __repr__(self) -> str:
        return f"Ref({self.label!r}{''.join(f'[{key!r}]' for key in self.path)})"


class BatchCall:
    """One command of a batch. Index it to refer to its result in a later command."""

    __slots__ = ("index", "label", "method", "params", "problems", "spec")

    def __init__(
        self, index: int, label: Label, method: str, params: Mapping[str, Any], problems: Sequence[Problem] = ()
    ) -> None:
        self.index = index
        self.label = label
        self.method = method
        self.params = dict(params)
        self.spec = specs.get(method)
        self.problems = list(problems)

    def __getitem__(self, key: Any) -> Ref:
        return Ref(self.label, (key,))

    @property
    def idempotent(self) -> bool:
        return bool(self.spec["idempotent"]) if self.spec is not None else guess_idempotent(self.method)

    def __repr__(self) -> str:
        return f"BatchCall({self.label!r}, {self.method!r})"


def _handles_as_refs(value: Any, depth: int = 0) -> Any:
    """A handle passed where a value goes stands for the command's whole result, so a scalar
    result (an add's new id) is referred to as `payment_id=payment`, no index needed.
    Below MAX_DEPTH the value is left as given: the batch check refuses it as too deep."""
    if isinstance(value, BatchCall):
        return Ref(value.label)
    if depth >= MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        return {key: _handles_as_refs(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_handles_as_refs(item, depth + 1) for item in value]
    return value


class NotRunError(Bitrix24Error):
    """The command was never executed: `halt` stopped the batch, or an earlier request failed."""


class UnresolvedReferenceError(Bitrix24Error):
    """A command referred to a result that does not exist (the command failed or lacks the key)."""


@dataclass
class BatchResult:
    """Outcome of every command, by the caller's labels, in the order they were added."""

    results: dict[Label, Any] = field(default_factory=dict)
    errors: dict[Label, Bitrix24Error] = field(default_factory=dict)
    not_run: list[Label] = field(default_factory=list)
    totals: dict[Label, int] = field(default_factory=dict)
    nexts: dict[Label, int] = field(default_factory=dict)
    times: dict[Label, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.not_run

    def __getitem__(self, label: Label) -> Any:
        """The command's result, or its exception raised."""
        if label in self.results:
            return self.results[label]
        if label in self.errors:
            raise self.errors[label]
        if label in self.not_run:
            raise NotRunError(f"batch command {label!r} was not run")
        raise KeyError(label)

    def __contains__(self, label: object) -> bool:
        return label in self.results

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[Label]:
        return iter(self.results)

    def raise_for_errors(self) -> BatchResult:
        if not self.ok:
            raise BatchError(self)
        return self


class BatchError(Bitrix24Error):
    """Some commands failed or did not run; the others succeeded. Nothing is hidden:
    `succeeded` (label → result), `failed` (label → typed exception), `not_run` (labels)."""

    def __init__(self, outcome: BatchResult) -> None:
        self.outcome = outcome
        self.succeeded = outcome.results
        self.failed = outcome.errors
        self.not_run = outcome.not_run
        failures = "; ".join(f"{label!r}: {type(exc).__name__}: {exc}" for label, exc in self.failed.items())
        parts = [f"batch: {len(self.failed)} failed ({failures})" if self.failed else "batch: 0 failed"]
        if self.not_run:
            parts.append(f"{len(self.not_run)} not run {list(self.not_run)!r}")
        parts.append(f"{len(self.succeeded)} succeeded {list(self.succeeded)!r}")
        super().__init__(", ".join(parts))


class Recorder:
    """What a batch is before it runs, for either client: commands collected by label,
    typed through the generated namespaces or generic through `call`."""

    def __init__(self, client: CallPolicy, *, halt: bool = False, raise_on_error: bool = True) -> None:
        self._client = client
        self.halt = halt
        self.raise_on_error = raise_on_error
        self.calls: list[BatchCall] = []
        self._labels: set[Label] = set()
        self._result: BatchResult | None = None

    @property
    def result(self) -> BatchResult:
        """The results by label, once the batch has run (typed without `None` for that)."""
        if self._result is None:
            raise RuntimeError("this batch has not run yet: leave its with-block or call execute()")
        return self._result

    def call(self, method: str, params: Mapping[str, Any] | None = None, *, label: Label | None = None) -> BatchCall:
        """Add a command; its label defaults to its position (0, 1, ...)."""
        return self._add(method, dict(params or {}), label, ())

    def _add(self, method: str, params: dict[str, Any], label: Label | None, problems: Sequence[Problem]) -> BatchCall:
        if self._result is not None:
            raise RuntimeError("this batch has already run; start a new one")
        label = len(self.calls) if label is None else label
        if label in self._labels:
            raise ValueError(f"duplicate batch label {label!r}")
        self._labels.add(label)
        call = BatchCall(len(self.calls), label, method, _handles_as_refs(params), problems)
        self.calls.append(call)
        return call

    def _invoke(self, method_id: str, kwargs: Mapping[str, Any]) -> BatchCall:
        """Generated functions call this on the batch instead of the client: record, don't send."""
        spec = specs.get(method_id)
        assert spec is not None, method_id
        params, unknown = wire_params(spec, kwargs)
        return self._add(spec["method"], params, None, unknown)

    def __getattr__(self, name: str) -> Any:
        """`batch.crm...`: the client's generated namespaces, recording into this batch."""
        attribute = getattr(self._namespaces(), name, None)
        if isinstance(attribute, cached_property):
            return attribute.func(self)
        raise AttributeError(name)

    def _namespaces(self) -> type:
        """The class whose cached properties are the generated namespaces."""
        return type(self._client)

    def _finish(self, outcome: BatchResult) -> BatchResult:
        """Keep the outcome; raise BatchError on a partial failure unless told not to."""
        self._result = outcome
        if self.raise_on_error:
            outcome.raise_for_errors()
        return outcome


class Batch(Recorder):
    """Collects commands, then runs them; as a context manager it runs them on exit.

    >>> with b24.batch() as batch:                          # doctest: +SKIP
    ...     payment = batch.crm.item.payment.get(id=5)      # typed, checked like a direct call
    ...     batch.call("crm.item.payment.product.list", {"paymentId": payment["id"]}, label="rows")
    >>> batch.result["rows"]                                # doctest: +SKIP
    """

    def __init__(self, client: CallCore, *, halt: bool = False, raise_on_error: bool = True) -> None:
        super().__init__(client, halt=halt, raise_on_error=raise_on_error)
        self._core = client

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.execute()

    def execute(self) -> BatchResult:
        return self._finish(run(self._core, self.calls, halt=self.halt))


def from_commands(
    client: CallCore, commands: Mapping[Label, Command] | Sequence[Command], *, halt: bool, raise_on_error: bool
) -> Batch:
    return fill(Batch(client, halt=halt, raise_on_error=raise_on_error), commands)


def fill(batch: R, commands: Mapping[Label, Command] | Sequence[Command]) -> R:
    """Add `{label: (method, params)}` or `[(method, params), ...]` to a batch of either client."""
    items = commands.items() if isinstance(commands, Mapping) else enumerate(commands)
    for label, (method, params) in items:
        batch.call(method, params, label=label)
    return batch


# --- validation ---------------------------------------------------------------------------------


def _ref_paths(value: Any, path: str, out: dict[str, Ref]) -> None:
    """Where references sit, in the validator's path notation (`filter.>ID`, `select[0]`)."""
    if isinstance(value, Ref):
        out[path] = value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _ref_paths(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _ref_paths(item, f"{path}[{index}]", out)


def _vanishing_required(call: BatchCall) -> list[Problem]:
    """Required parameters given as `{}` or `[]`: a batch command is a PHP query string, where
    an empty array leaves no trace, so the portal would refuse the command for a parameter
    that the same call sent directly (as JSON) carries."""
    params: Mapping[str, Any] = call.spec["params"] if call.spec is not None else {}
    return [
        Problem(
            call.method,
            name,
            "empty_in_batch",
            "is empty, and an empty array vanishes from a batch "
            "command's query string, so the portal would see it missing; give it a value or make "
            "this call outside the batch",
        )
        for name, value in call.params.items()
        if isinstance(value, Mapping | list | tuple) and not value and params.get(name, {}).get("required")
    ]


def _check(client: CallPolicy, calls: Sequence[BatchCall]) -> None:
    problems: list[Problem] = []
    position = {call.label: call.index for call in calls}
    for call in calls:
        where = f"cmd[{call.label!r}]"
        found = list(call.problems)
        unsent = unsendable(call.params, call.method)
        if any(p.rule == "max_depth" for p in unsent):  # too deep to walk further
            problems += [Problem(p.method, f"{where}.{p.path}" if p.path else where, p.rule, p.message) for p in unsent]
            continue
        refs: dict[str, Ref] = {}
        _ref_paths(call.params, "", refs)
        found += [p for p in unsent if p.path not in refs]  # a reference is sent as text
        if call.method.lower() == "batch":
            found.append(Problem(call.method, "", "batchable", "batch cannot be nested inside batch"))
        elif call.spec is not None and call.spec.get("batchable") is False:
            found.append(Problem(call.method, "", "batchable", "this method is refused inside batch"))
        elif call.spec is not None and call.spec.get("api_version", 2) == 3:
            found.append(Problem(call.method, "", "batchable", "REST v3 methods cannot run inside a v2 batch"))
        if client.validate and call.spec is not None:
            # A reference's value is only known on the portal: skip checks at its position.
            found += [
                p
                for p in client.check(call.spec, call.params, f"cmd[{call.label!r}].")
                if not any(p.path == at or p.path.startswith((f"{at}.", f"{at}[")) for at in refs)
            ]
        found += _vanishing_required(call)
        for at, ref in refs.items():
            if position.get(ref.label, call.index) >= call.index:
                found.append(
                    Problem(
                        call.method, at, "reference", f"refers to {ref.label!r}, which is not an earlier command of this batch"
                    )
                )
        problems += [Problem(p.method, f"{where}.{p.path}" if p.path else where, p.rule, p.message) for p in found]
    if problems:
        raise ValidationError("batch", problems)


# --- running ------------------------------------------------------------------------------------


def _lookup(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        if isinstance(value, Mapping) and (key in value or str(key) in value):
            value = value[key] if key in value else value[str(key)]
        elif isinstance(value, list) and str(key).isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            raise KeyError(key)
    return value


class _Chunk:
    """One HTTP request's worth of commands and the wire names they travel under."""

    def __init__(self, calls: list[BatchCall]) -> None:
        self.calls = calls
        self.wire = {call.label: f"c{call.index}" for call in calls}

    def encode(self, outcome: BatchResult) -> tuple[dict[str, str], dict[Label, Bitrix24Error]]:
        """The `cmd` object, and the commands that cannot be sent (an earlier result is missing)."""
        cmd: dict[str, str] = {}
        broken: dict[Label, Bitrix24Error] = {}
        for call in self.calls:
            try:
                params = self._resolve(call.params, outcome)
            except (KeyError, UnresolvedReferenceError) as exc:
                broken[call.label] = UnresolvedReferenceError(
                    f"{call.method}: batch command {call.label!r} refers to a result that is missing ({exc})"
                )
                continue
            cmd[self.wire[call.label]] = phpquery.command(call.method, params)
        return cmd, broken

    def _resolve(self, value: Any, outcome: BatchResult) -> Any:
        if isinstance(value, Ref):
            if value.label in self.wire:  # same request: the portal substitutes it
                return phpquery.Raw(f"$result[{self.wire[value.label]}]" + "".join(f"[{k}]" for k in value.path))
            if value.label not in outcome.results:
                raise UnresolvedReferenceError(f"command {value.label!r} has no result")
            return _lookup(outcome.results[value.label], value.path)
        if isinstance(value, Mapping):
            return {key: self._resolve(item, outcome) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._resolve(item, outcome) for item in value]
        return value


def nested_error(call: BatchCall, error: Any) -> ApiError:
    """The typed exception for a command's entry in `result_error`."""
    error = error if isinstance(error, Mapping) else {"error": error}
    code = "" if error.get("error") is None else str(error["error"])
    description = str(error.get("error_description") or "")
    status = _NESTED_STATUS.get(code, 400)
    return error_class(call.spec, code, status, description)(call.method, code, status, description, dict(error))


def _member(payload: Any, name: str) -> Mapping[str, Any]:
    value = payload.get(name) if isinstance(payload, Mapping) else None
    if isinstance(value, list):  # PHP renders an array keyed 0..n-1 (or empty) as a list
        return {str(index): item for index, item in enumerate(value)}
    return value if isinstance(value, Mapping) else {}


def _references(calls: Sequence[BatchCall]) -> set[Label]:
    found: dict[str, Ref] = {}
    for call in calls:
        _ref_paths(call.params, "", found)
    return {ref.label for ref in found.values()}


@dataclass(frozen=True)
class Post:
    """Step of a batch plan: send this request (a driver runs `post`), send its payload back."""

    chunk: _Chunk
    sendable: list[BatchCall]
    cmd: dict[str, str]
    halt: bool


@dataclass(frozen=True)
class Pause:
    """Step of a batch plan: sleep this long, then go on."""

    seconds: float


Plan = Generator[Post | Pause, Mapping[str, Any] | None, BatchResult]


def plan(client: CallPolicy, calls: Sequence[BatchCall], *, halt: bool = False) -> Plan:
    """The whole of a batch run without I/O (sans-I/O): yields each request to send and each
    wait, receives each request's payload (or its exception, thrown in), returns the outcome.
    `run` drives it for the sync client; an async driver awaits the same steps."""
    _check(client, calls)
    outcome = BatchResult()
    queue: deque[BatchCall] = deque(calls)
    attempts: dict[Label, int] = {}
    most = max(1, client.retry.attempts)
    for _ in range(len(calls) * most + 1):  # each round settles a command or uses one of its attempts
        if not queue:
            break
        chunk = _Chunk([queue.popleft() for _ in range(min(MAX_COMMANDS, len(queue)))])
        retry, wait, stop = yield from _send(client, chunk, outcome, halt)
        for call, exc in retry:
            attempts[call.label] = attempts.get(call.label, 0) + 1
            if attempts[call.label] >= most:
                outcome.errors[call.label] = exc
                stop = stop or halt
        again = [call for call, _exc in retry if call.label not in outcome.errors]
        if stop:
            outcome.not_run += [call.label for call in (*again, *queue)]
            queue.clear()
        elif again:
            queue.extendleft(reversed(again))
            yield Pause(wait if wait >= 0 else client.retry.delay(max(attempts[call.label] for call in again) - 1))
    labels = [call.label for call in calls]
    # Every view in the caller's order.
    outcome.results = {label: outcome.results[label] for label in labels if label in outcome.results}
    outcome.errors = {label: outcome.errors[label] for label in labels if label in outcome.errors}
    outcome.not_run = [label for label in labels if label in set(outcome.not_run)]
    return outcome


def run(client: CallCore, calls: Sequence[BatchCall], *, halt: bool = False) -> BatchResult:
    """Send `calls` in requests of up to 50 commands and collect every outcome."""
    steps = plan(client, calls, halt=halt)
    try:
        step = next(steps)
        while True:
            if isinstance(step, Pause):
                client.sleep(step.seconds)
                step = steps.send(None)
                continue
            try:
                with _held(client, step):
                    payload = _payload(client.execute(*_request(step), idempotent=_idempotent(step)))
                    _observe(client, step, payload)
            except Bitrix24Error as exc:
                step = steps.throw(exc)
            else:
                step = steps.send(payload)
    except StopIteration as done:
        return cast(BatchResult, done.value)


Retries = list[tuple[BatchCall, Bitrix24Error]]


def _send(
    client: CallPolicy, chunk: _Chunk, outcome: BatchResult, halt: bool
) -> Generator[Post, Mapping[str, Any] | None, tuple[Retries, float, bool]]:
    """Run one request; return the commands to send again, how long to wait first (-1: back
    off by attempt), and whether to stop sending further requests."""
    cmd, broken = chunk.encode(outcome)
    outcome.errors.update(broken)
    sendable = [call for call in chunk.calls if call.label not in broken]
    if broken and halt:
        outcome.not_run += [call.label for call in sendable]
        return [], 0.0, True
    if not sendable:
        return [], 0.0, False
    try:
        payload = yield Post(chunk, sendable, cmd, halt)
    except Bitrix24Error as exc:
        for call in sendable:
            outcome.errors[call.label] = exc
        return [], 0.0, True
    limited, unrun = _collect(chunk, sendable, payload or {}, outcome)
    return _settle(client, sendable, limited, unrun, outcome, halt)


def _request(step: Post) -> tuple[Any, ...]:
    """`execute`'s positional arguments for a step's request; `idempotent=_idempotent(step)` goes with them."""
    return ("batch", 2, {"halt": 1 if step.halt else 0, "cmd": step.cmd}, None, ())


def _idempotent(step: Post) -> bool:
    """A batch may be repeated only when every command in it may."""
    return all(call.idempotent for call in step.sendable)


def _counts(step: Post) -> dict[str, int]:
    """How many commands of each method a request carries: what the limiter holds for it."""
    counts: dict[str, int] = {}
    for call in step.sendable:
        counts[call.method] = counts.get(call.method, 0) + 1
    return counts


def _held(client: CallPolicy, step: Post) -> AbstractContextManager[Any]:
    """The limiter's hold on every command's method for the time of the request."""
    limiter = client.rate_limiter
    return limiter.hold(_counts(step)) if isinstance(limiter, BatchAware) else nullcontext()


def _payload(response: Response) -> Mapping[str, Any]:
    return response.result if isinstance(response.result, Mapping) else {}


def _observe(client: CallPolicy, step: Post, payload: Mapping[str, Any]) -> None:
    """Each command's own timing, reported to the limiter."""
    limiter = client.rate_limiter
    if limiter is None:
        return
    times = _member(payload, "result_time")
    for call in step.sendable:
        block = times.get(step.chunk.wire[call.label])
        if isinstance(block, Mapping):
            limiter.observe(call.method, block)


def _collect(
    chunk: _Chunk, sendable: list[BatchCall], payload: Mapping[str, Any], outcome: BatchResult
) -> tuple[list[tuple[BatchCall, RateLimitError]], list[BatchCall]]:
    """File each command's result or error; return those a limit refused and those that did not run."""
    members = {name: _member(payload, name) for name in ("result", "result_error", "result_total", "result_next", "result_time")}
    limited: list[tuple[BatchCall, RateLimitError]] = []
    unrun: list[BatchCall] = []
    for call in sendable:
        wire = chunk.wire[call.label]
        if wire in members["result_error"]:
            failure = nested_error(call, members["result_error"][wire])
            if isinstance(failure, RateLimitError):
                limited.append((call, failure))
            else:
                outcome.errors[call.label] = failure
        elif wire in members["result"]:
            _store_result(call, wire, members, outcome)
        else:
            unrun.append(call)
    return limited, unrun


def _store_result(call: BatchCall, wire: str, members: Mapping[str, Mapping[str, Any]], outcome: BatchResult) -> None:
    outcome.results[call.label] = members["result"][wire]
    if wire in members["result_total"]:
        outcome.totals[call.label] = parse_count(call.method, 200, "result_total", members["result_total"][wire]) or 0
    if wire in members["result_next"]:
        outcome.nexts[call.label] = parse_count(call.method, 200, "result_next", members["result_next"][wire]) or 0
    if wire in members["result_time"]:
        outcome.times[call.label] = dict(members["result_time"][wire])


def _settle(
    client: CallPolicy,
    sendable: list[BatchCall],
    limited: list[tuple[BatchCall, RateLimitError]],
    unrun: list[BatchCall],
    outcome: BatchResult,
    halt: bool,
) -> tuple[Retries, float, bool]:
    """Which refused commands go again (not those a command that ran depended on), and after how long."""
    ran = [call for call in sendable if call.label in outcome.results or call.label in outcome.errors]
    needed = _references(ran)
    refused = [(call, refusal) for call, refusal in limited if call.label not in needed]
    outcome.errors.update({call.label: refusal for call, refusal in limited if call.label in needed})
    retry: Retries = list(refused)
    if halt and limited and not any(call.label in needed for call in unrun):
        # Halted by a limit refusal: the rest did not run either and goes again with it.
        retry += [(call, NotRunError(f"batch command {call.label!r} was not run")) for call in unrun]
        retry.sort(key=lambda item: item[0].index)
        unrun = []
    outcome.not_run += [call.label for call in unrun]
    if not retry:
        failed = any(call.label in outcome.errors for call in sendable)
        return [], 0.0, halt and bool(unrun or limited or failed)
    limiter = client.rate_limiter
    if limiter is None:
        return retry, -1.0, False  # no limiter: the caller backs off by attempt
    return retry, max(limiter.limited(call.method, refusal) for call, refusal in refused), False
